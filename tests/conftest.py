"""Test-wide setup and the fixtures several test modules share.

xlwings' remote engine (xlwings/pro, PolyForm Noncommercial — permitted for a government Sở GD&ĐT)
needs its licence key before xlwings is first imported by any test module.

Shared fixtures (one name, one meaning):

- ``templates`` — the templates issued to the sample units (``cdht/catalogue/don-vi-mau.csv``),
  generated on first use and kept for the whole session. ``templates["MAU-X0102"]`` is the template
  issued to that unit; as a folder (``templates=`` of :func:`tests.corpus.filled`) it is where the
  corpus keeps its templates. A module assessing another year narrows it:
  ``templates.of_year(2025)``.
- ``kit`` — the merge kit (:class:`tests.merge_fixtures.Kit`): issued templates of the sample
  province and builders of filled commune and district workbooks, for the assessment year.

Markers (registered in pyproject.toml): ``oracle`` — judged by a real client (LibreOffice headless,
the xlwings remote engine, olevba); ``slow`` — takes seconds. The fast loop while working:
``python3 -m pytest -q -m "not oracle"``; CI runs everything.
"""
from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("CDHT_LOG", os.path.join(os.path.dirname(__file__), "..", ".pytest_cache", "cdht-test.log"))

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


class IssuedTemplates:
    """Templates issued to the sample units for one assessment year, generated on first use."""

    def __init__(self, folder: Path, year: int | None = None):
        from tests import corpus as C
        self.folder = Path(folder)
        self.year = C.YEAR if year is None else year

    def __fspath__(self) -> str:
        return str(self.folder)

    def __truediv__(self, other) -> Path:
        return self.folder / other

    def of_year(self, year: int) -> "IssuedTemplates":
        """The same store, for the templates of ``year``."""
        return IssuedTemplates(self.folder, year)

    def __getitem__(self, unit_code: str) -> Path:
        """The template issued to ``unit_code`` (a unit of the sample list) for :attr:`year`."""
        from cdht_generator.api import generate
        from tests import corpus as C
        unit = C.UNITS.get(unit_code)
        if unit is None:
            raise KeyError(unit_code)
        folder = self.folder / f"mau-{self.year}"  # the folder tests.corpus.template() uses
        path = folder / f"CDHT_{self.year}_{unit.tier}_{unit_code}.xlsx"
        if not path.exists():
            made = generate(C.EDITION, unit.tier, self.year, folder, units=C.UNITS, unit_code=unit_code)
            assert made == [path], made
        return path


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> IssuedTemplates:
    return IssuedTemplates(tmp_path_factory.mktemp("mau"))


@pytest.fixture(scope="session")
def kit(tmp_path_factory):
    from tests.merge_fixtures import Kit
    return Kit(tmp_path_factory.mktemp("kit"))
