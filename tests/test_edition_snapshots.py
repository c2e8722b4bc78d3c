"""Start-up cost (issue 18): a checked edition is used as plain records, read from the shipped
JSON snapshot while the edition file, its bases and the checking code are unchanged; any change
sends it back through the full check (YAML with lines, pydantic, meaning). Without a profile, the
default profile is plain records too. Same objects either way: the snapshot changes no verdict."""
from __future__ import annotations

import dataclasses
import importlib.util
import pickle
import shutil
from pathlib import Path

import pytest

from cdht import edition as E
from cdht.plain import Record, dumps, loads
from cdht.profile import default_profile

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_snapshots", ROOT / "scripts" / "build_snapshots.py")
build_snapshots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_snapshots)

STALE = (f"a committed snapshot in cdht/catalogue/ is stale (it no longer matches its edition file or the "
         f"checking code): run `{build_snapshots.COMMAND}` and commit the result")
SHIPPED = E.shipped_editions()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_committed_snapshots_are_fresh(path):
    assert E.snapshot_path(path).read_text(encoding="utf-8") == E.snapshot_text(path), STALE


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_snapshot_gives_the_checked_edition(path):
    snap = E._from_snapshot(path)
    assert snap is not None, STALE
    checked, findings = E.check_edition(path)
    assert findings == []
    assert snap.spec == checked.spec
    assert snap.as_dict() == checked.as_dict()
    for tier in checked.tiers:
        for a, b in zip(checked.tiers[tier].indicators, snap.tiers[tier].indicators):
            assert a.input_keys() == b.input_keys()
            for lvl in (1, 2):
                assert a.rules[lvl].excel(str) == b.rules[lvl].excel(str)
                assert a.rules[lvl].text() == b.rules[lvl].text()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_records_dump_as_the_pydantic_models(path):
    from cdht.schema import EditionSpec, plain

    data, _ = E._resolve(path, [], [])
    spec = EditionSpec.model_validate(data)
    rec = plain(spec)
    for exclude_none in (False, True):
        assert rec.model_dump(exclude_none=exclude_none) == spec.model_dump(exclude_none=exclude_none)
    assert loads(dumps(rec)) == rec


def _copy(tmp_path: Path) -> Path:
    """The shipped catalogue's editions and snapshots in a folder of their own."""
    folder = tmp_path / "catalogue"
    folder.mkdir()
    for p in SHIPPED:
        shutil.copy(p, folder / p.name)
        shutil.copy(E.snapshot_path(p), E.snapshot_path(folder / p.name))
    return folder


def test_an_unchanged_copy_loads_from_its_snapshot_without_a_check(tmp_path, monkeypatch):
    folder = _copy(tmp_path)
    monkeypatch.setattr(E, "_check", lambda path: pytest.fail(f"{path} was checked again"))
    for p in SHIPPED:
        assert E.load_edition(folder / p.name).spec == E.load_edition(p).spec


def test_an_edited_edition_is_checked_in_full_with_its_lines(tmp_path):
    folder = _copy(tmp_path)
    base = folder / "tt25-2023.yaml"
    text = base.read_text(encoding="utf-8")
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if "min_percent: 60," in ln)
    base.write_text(text.replace("min_percent: 60,", "min_percent: 160,", 1), encoding="utf-8")
    for name in ("tt25-2023.yaml", "tt25-2023-hai-cap.yaml"):  # the edited file, and the one based on it
        with pytest.raises(E.CatalogueError) as exc:
            E.load_edition(folder / name)
        assert ("CDHT-C007", "tt25-2023.yaml", line) in [(f.code, f.file, f.line) for f in exc.value.findings]


def test_a_harmless_edit_is_read_from_the_file_not_the_snapshot(tmp_path):
    folder = _copy(tmp_path)
    base = folder / "tt25-2023.yaml"
    text = base.read_text(encoding="utf-8")
    assert 'version: "2023.1"' in text
    base.write_text(text.replace('version: "2023.1"', 'version: "2023.1-sua"', 1), encoding="utf-8")
    assert E.load_edition(base).spec.version == "2023.1-sua"


def test_other_code_or_a_broken_snapshot_is_not_used(tmp_path, monkeypatch):
    folder = _copy(tmp_path)
    p = folder / "tt25-2023.yaml"
    assert E._from_snapshot(p) is not None
    monkeypatch.setattr(E, "_CODE_HASH", ["0" * 64])
    assert E._from_snapshot(p) is None
    monkeypatch.undo()
    for broken in ("", "{", '{"format": 1}', "[1, 2]", '{"format": 99, "code": "", "sources": {}, "spec": null}'):
        E.snapshot_path(p).write_text(broken, encoding="utf-8")
        assert E._from_snapshot(p) is None
        assert E.load_edition(p).id == "tt25-2023"  # checked in full (cached afterwards)
        E._CACHE.pop(p.resolve(), None)


def test_crlf_line_ends_keep_a_snapshot_fresh(tmp_path):
    folder = _copy(tmp_path)
    p = folder / "tt25-2023.yaml"
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    assert E._from_snapshot(p) is not None


def test_records_pickle_compare_and_are_not_hashable():
    spec = E.load_edition().spec
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and again.tiers["xa"].criteria[0].indicators[0].fields == \
        spec.tiers["xa"].criteria[0].indicators[0].fields
    assert Record("A", {"x": 1}) != Record("B", {"x": 1})
    with pytest.raises(TypeError):
        hash(spec)
    with pytest.raises(ValueError):
        dumps({"$": "x"})  # a key a snapshot could not tell from a record's tag


def test_the_default_profile_is_what_its_schema_validates_to():
    from cdht.profile_schema import ProfileSpec, TierProcedure
    from cdht.schema import plain

    assert default_profile().spec == plain(ProfileSpec(profile="mac-dinh", province=""))
    for path in SHIPPED:
        prof = dataclasses.replace(default_profile(), edition_path=path)
        ed = E.load_edition(path)
        for code, tier in ed.tiers.items():
            want = TierProcedure(parent=ed.spec.hierarchy.parent.get(code), **tier.procedure.model_dump())
            assert prof.procedure(code, 2026) == plain(want)
            assert prof.procedure(code, 2026).model_dump() == want.model_dump()


def test_record_copies_as_a_model_copies():
    from cdht.schema import Settings, plain

    model = Settings()
    rec = plain(model)
    for update in (None, {"max_uncompressed_mb": 2}):
        assert rec.model_copy(update=update).model_dump() == model.model_copy(update=update).model_dump()
    nested = E.load_edition().spec
    assert nested.model_copy().tiers is nested.tiers
    assert nested.model_copy(deep=True).tiers is not nested.tiers and nested.model_copy(deep=True) == nested


def test_a_units_profile_is_what_its_schema_validates_to(tmp_path):
    """``--units``: the registry-only profile is plain records equal to the pydantic models it was
    built from before (code, name, tier, parent, hardship; text stripped as the schema strips it)."""
    from cdht.profile import exists_in, profile_from_units
    from cdht.profile_schema import ProfileSpec, UnitEntry
    from cdht.schema import plain
    from cdht.units import SAMPLE_UNITS, read_units

    padded = tmp_path / "don-vi.csv"
    padded.write_text(SAMPLE_UNITS.read_text(encoding="utf-8").replace(",", " , "), encoding="utf-8")
    for path in (SAMPLE_UNITS, padded):
        units, _ = read_units(path)
        want = ProfileSpec(profile=path.stem, province=next((u.name for u in units.units if u.tier == "tinh"), ""),
                           units=[UnitEntry(code=u.code, name=u.name, tier=u.tier, parent=u.parent,
                                            disadvantaged=u.hardship) for u in units.units])
        prof = profile_from_units(units)
        assert prof.spec == plain(want) and prof.spec.model_dump() == want.model_dump()
        assert [u.code for u in prof.units_in(2026)] == [u.code for u in want.units if u.exists_in(2026)]
        assert all(exists_in(u, 2026) == u.exists_in(2026) for u in want.units)
