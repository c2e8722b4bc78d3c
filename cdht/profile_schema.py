"""The province profile's schema: the pydantic models and the YAML loader a profile file is read
and validated with (:func:`cdht.profile.load_profile`).

Imported only to read a profile file or build one from a ``--units`` list: a command run without a
profile (the default profile, :func:`cdht.profile.default_profile`) uses plain records and imports
neither pydantic nor YAML (issue 18, "Cost").
"""
from __future__ import annotations

import re

import yaml
from pydantic import BaseModel, ConfigDict, Field

from cdht.dates import BEFORE
from cdht.profile import VALIDITY_YEARS, covers, exists_in


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Readings(_M):
    truoc_ngay: str = BEFORE
    validity: str = VALIDITY_YEARS
    valid_years: int = Field(default=3, ge=1, le=10)     # "03 năm … tiếp theo năm được công nhận"
    valid_months: int = Field(default=36, ge=1, le=120)  # "(36 tháng)", for decision_months


class TierProcedure(_M):
    parent: str | None = None               # the tier above in this period (None: the top tier)
    self_assessed_by: str
    dossier_to: str | None = None
    appraised_by: str
    decided_by: str
    submit_by: str | None = None            # "MM-DD" in year N+1
    decide_by: str | None = None
    decide_note: str | None = None
    report_to_parent_by: str | None = None  # e.g. "05-15": results reported to the tier above
    report_note: str | None = None


class Period(_M):
    first_year: int = Field(ge=2000, le=2100)
    last_year: int | None = Field(default=None, ge=2000, le=2100)
    tiers: dict[str, TierProcedure]

    def covers(self, year: int) -> bool:
        return covers(self, year)


class UnitEntry(_M):
    # the registry's codes are text: an official numeric code written without quotes (code: 30280)
    # is the text typed, not a number refused (issue 18: "read as the text the person typed")
    model_config = ConfigDict(coerce_numbers_to_str=True)

    code: str
    name: str
    tier: str
    parent: str | None = None
    disadvantaged: bool = False
    first_year: int | None = Field(default=None, ge=1945, le=2100)
    last_year: int | None = Field(default=None, ge=1945, le=2100)
    predecessors: list[str] = []

    def exists_in(self, year: int) -> bool:
        return exists_in(self, year)


class ProfileSpec(_M):
    profile: str
    province: str
    sample: bool = False
    note: str | None = None
    readings: Readings = Readings()
    public_key: str | None = None
    signing_key: str | None = None  # a PATH to the Sở's private key file (relative: to the profile); never the key
    periods: list[Period] = []
    units: list[UnitEntry] = []


# Loading with line numbers

class _LineDict(dict):
    line = 0


class _Loader(yaml.SafeLoader):
    pass


def _map(loader, node):
    data = _LineDict()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _map)
# dates stay text: a deadline is "MM-DD", a year an int; a YAML timestamp would be a guess
_Loader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
# digits with a leading zero stay text as typed: YAML 1.1 reads 00010 as the octal number 8 (and
# 00009 as text), so an official unit code "00010" written without quotes would become another code
_Loader.yaml_implicit_resolvers["0"] = [("tag:yaml.org,2002:str", re.compile(r"^0[0-9]+$"))] + \
    _Loader.yaml_implicit_resolvers.get("0", [])
