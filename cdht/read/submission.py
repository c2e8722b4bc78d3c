"""Read a submitted workbook safely: is it ours, which edition/tier/year/unit, its inputs by name.

Never trusts the cells: every input is re-validated (type, range, integer counts, numerator ≤
denominator, error values, NFC) into coded findings; the layout is re-fingerprinted against the
one the generator stored. Never writes; never raises on bad input — problems become findings.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdht import contract as L
from cdht import rules as R
from cdht.dates import LAST_PLAUSIBLE_YEAR
from cdht.edition import Edition, Tier, find_edition
from cdht.fingerprint import parse_ref
from cdht.read.tamper import NAMES_KEY, check_layout, first_changed_cell
from cdht.units import code_text
from cdht.xlsx.fastread import PackageError, _letters
from cdht.messages import BROKEN_ZIP, ERROR, NOT_A_ZIP, UNREADABLE_CONTENT, Finding, finding, nfc, os_reason

EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                "#SPILL!", "#CALC!"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Submission:
    """A workbook of ours, read: what it is, its inputs and everything wrong with it."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    edition: Edition | None = None
    tier: Tier | None = None
    year: int | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    values: dict[str, Any] = field(default_factory=dict)   # field key → validated value (None if unusable)
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # defined name → (sheet, cell)
    appraisal: dict[str, Any] = field(default_factory=dict)  # td_* → value
    evidence: list[dict] = field(default_factory=list)      # rows of the register with their row number
    evidence_outside: list[tuple] = field(default_factory=list)  # (row, cell, value) right of the register
    sha256: str = ""
    identity: dict = field(default_factory=dict)  # registry facts issued, signature state (cdht.read.identity)
    tampered: bool = False
    readable: bool = False  # False: not ours / unreadable — nothing else is meaningful

    def add(self, code: str, **kw) -> Finding:
        kw.setdefault("file", self.path.name)
        f = finding(code, **kw)
        self.findings.append(f)
        return f

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def where(self, name: str) -> tuple[str | None, str | None]:
        return self.cells.get(name, (None, None))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


_KINDS = ((stat.S_ISFIFO, "ống dẫn FIFO"), (stat.S_ISCHR, "thiết bị ký tự"), (stat.S_ISBLK, "thiết bị khối"),
          (stat.S_ISSOCK, "ổ cắm mạng"), (stat.S_ISDIR, "thư mục"))


def _kind(mode: int) -> str:
    return next((text for test, text in _KINDS if test(mode)), "tệp đặc biệt")


def open_regular(path: Path):
    """``(binary file, None)`` for a regular file (symlinks followed), else ``(None, finding)``:
    W027 for a FIFO, device, socket or folder, W001 when it cannot be opened. The check is made
    on the opened descriptor (no swap between check and read); a FIFO is opened without waiting
    for a writer, so it never hangs."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        return None, finding("CDHT-W001", file=path.name, reason=os_reason(e))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            return None, finding("CDHT-W027", file=path.name, kind=_kind(mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), None
    except OSError as e:
        os.close(fd)
        return None, finding("CDHT-W001", file=path.name, reason=os_reason(e))


def read_bounded(fh, limit: int) -> bytes | None:
    """At most ``limit`` bytes of ``fh``; None when it holds more (the rest is never read)."""
    data = fh.read(limit + 1)
    return None if len(data) > limit else data


def preflight(path: Path, max_mb: int = 200, data: bytes | None = None,
              zipped: zipfile.ZipFile | None = None) -> Finding | None:
    """Cheap checks before any parser touches the file (lock file, legacy, encrypted, zip, size).

    ``data``: the file's bytes when the caller has read them already (one read per file);
    ``zipped``: those bytes already opened as a zip (its directory is parsed once)."""
    name = path.name
    if name.startswith("~$"):
        return finding("CDHT-W005", file=name)
    if data is not None:
        head = data[:8]
    else:
        fh, refusal = open_regular(path)
        if refusal is not None:
            return refusal
        with fh:
            head = fh.read(8)
    src = io.BytesIO(data) if data is not None else path
    if head == OLE_MAGIC:
        # An OLE compound file is either a legacy .xls or an encrypted (password-to-open) .xlsx.
        if path.suffix.lower() == ".xls":
            return finding("CDHT-W004", file=name)
        try:
            import olefile  # from oletools' dependency; optional
            with olefile.OleFileIO(str(path)) as ole:
                encrypted = ole.exists("EncryptionInfo")
        except Exception:  # olefile missing or the file unreadable to it: guess from the extension
            encrypted = path.suffix.lower() in (".xlsx", ".xlsm")
        return finding("CDHT-W003", file=name) if encrypted else finding("CDHT-W004", file=name)
    if path.suffix.lower() == ".xls":
        return finding("CDHT-W004", file=name)
    if zipped is None and not zipfile.is_zipfile(src):
        return finding("CDHT-W002", file=name, reason=NOT_A_ZIP)
    try:
        z = zipped or zipfile.ZipFile(src)
        # Declared sizes first: a zip bomb is refused before anything is decompressed (a member
        # never inflates past its declared size — zipfile stops there and fails the CRC).
        size = sum(i.file_size for i in z.infolist())
        if z is not zipped:
            z.close()
        if size > max_mb * 1024 * 1024:
            return finding("CDHT-W024", file=name, size=size // (1024 * 1024), limit=max_mb)
        # a damaged member fails its CRC when the reader decompresses it: reported as W002 there
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return finding("CDHT-W002", file=name, reason=BROKEN_ZIP)
    return None


def read_meta(rb) -> dict[str, str]:
    """The identity of a workbook: its ``_meta`` sheet, else its ``cdht_*`` document properties."""
    meta: dict[str, str] = {}
    sheet = rb.sheets.get(L.SHEET_META)
    for row in (sheet.values or []) if sheet else []:
        if len(row) >= 2 and row[0] not in (None, ""):
            v = row[1]
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            meta[str(row[0])] = "" if v is None else str(v)
    if "template_id" not in meta:
        for k, v in rb.custom_props.items():
            if k.startswith("cdht_"):
                meta.setdefault(k[5:], v)
    return meta


def read_workbook(path: str | Path, edition: Edition | None = None, profile=None) -> Submission:
    """Read and validate one workbook, opening it once. Always returns; problems are in ``.findings``.

    ``profile`` (cdht.profile.Profile): also check the workbook's registry facts against the
    profile's registry and, when the profile has a public key, the Sở's signature
    (:mod:`cdht.read.identity`)."""
    return read_workbook_raw(path, edition, profile=profile)[0]


def read_workbook_raw(path: str | Path, edition: Edition | None = None, tool_sheets: bool = False, profile=None):
    """:func:`read_workbook`, also returning the raw read (``cdht.xlsx.fastread.RawBook``, None when the
    file could not be read); ``tool_sheets`` reads the values of the tool sheets too (a parent's)."""
    from cdht.xlsx.fastread import read_raw

    path = Path(path)
    sub = Submission(path)
    max_mb = edition.settings.max_uncompressed_mb if edition else 200
    data, refusal = _read_once(path, max_mb * 1024 * 1024)
    if refusal is not None:
        sub.findings.append(refusal)
        return sub, None
    zipped = None
    if data is not None and data[:4] == b"PK\x03\x04":
        try:  # opened once for the size check and the read
            zipped = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            zipped = None  # preflight says what is wrong with it
    pre = preflight(path, max_mb, data, zipped)
    if pre is not None:
        sub.findings.append(pre)
        return sub, None
    if data is None:  # declared small enough, yet bigger on disk than the cap: never held whole
        sub.add("CDHT-W024", size=path.stat().st_size // (1024 * 1024), limit=max_mb)
        return sub, None
    try:
        sub.sha256 = hashlib.sha256(data).hexdigest()
        rb = read_raw(data, skip=() if tool_sheets else L.TOOL_SHEETS, zipped=zipped)
    except Exception:  # any parser failure is a corrupt or foreign file, reported not raised
        sub.add("CDHT-W002", reason=UNREADABLE_CONTENT)
        return sub, None
    rb = _read_loaded(sub, rb, edition) or rb
    if sub.readable:
        from cdht.read.identity import check_identity
        check_identity(sub, rb, profile)
    return sub, rb


def _read_once(path: Path, cap: int) -> tuple[bytes | None, Finding | None]:
    """The file's bytes, read once from a regular file and never past ``cap`` (None: bigger,
    then preflight refuses it from the disk); or the refusal of a file that is not regular."""
    if path.name.startswith("~$"):
        return None, None  # preflight names the lock file
    fh, refusal = open_regular(path)
    if refusal is not None:
        return None, refusal
    with fh:
        try:
            if os.fstat(fh.fileno()).st_size > cap:
                return None, None
            return read_bounded(fh, cap), None
        except OSError as e:
            return None, finding("CDHT-W001", file=path.name, reason=os_reason(e))


def _read_loaded(sub: Submission, rb, edition: Edition | None):
    """Identify, tamper-check and read a loaded workbook into ``sub``; returns the raw read the
    values came from (a strict re-read when the fast one was suspect), or ``rb`` when not ours."""
    meta = read_meta(rb)
    sub.meta = meta
    if not meta.get("template_id", "").startswith("cdht:"):
        sub.add("CDHT-W006")
        return
    ed_id = meta.get("edition_id", "")
    if edition is None or edition.id != ed_id:
        found = find_edition(ed_id)
        if found is None:
            sub.add("CDHT-W007", edition=ed_id)
            return
        edition = found
    sub.edition = edition
    tier_code = meta.get("tier", "")
    if tier_code not in edition.tiers:
        sub.add("CDHT-W007", edition=f"{ed_id}/{tier_code}")
        return
    sub.tier = tier = edition.tier(tier_code)
    try:
        sub.year = int(float(meta.get("year", "")))
    except (ValueError, OverflowError):
        sub.add("CDHT-W006")
        return
    if not _plausible_year(sub, edition):
        return
    sub.readable = True
    rb = _check_layout(sub, rb)
    if rb is None:
        return None
    resolve_names(sub, rb)
    _read_inputs(sub, rb, tier)
    _read_appraisal(sub, rb, tier)
    read_evidence(sub, rb)
    return rb


def _plausible_year(sub: Submission, edition: Edition) -> bool:
    """The year in ``_meta`` is one the edition applies to and no later than the last plausible
    year (9999 there is a hostile or broken file, never issued): else W063 and not read further."""
    y = edition.spec.years
    if edition.applies_to(sub.year) and sub.year <= LAST_PLAUSIBLE_YEAR:
        return True
    last = min(y.last or LAST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR)
    sub.add("CDHT-W063", sheet=L.SHEET_META, cell="year", year=sub.year, edition=edition.id,
            years=f"{y.first}–{last}")
    sub.year = None
    return False


_NAMES_CACHE: dict = {}


def resolve_names(sub: Submission, rb) -> None:
    key = tuple(rb.names.items())  # every file of one template has the same names: resolve once
    cells = _NAMES_CACHE.get(key)
    if cells is None:
        cells = {}
        for name, text in rb.names.items():
            ref = parse_ref(text)
            if ref is None:
                continue
            sheet, r1, c1, r2, c2 = ref
            a = f"{_letters(c1)}{r1}"
            cells[name] = (sheet, a if (r1, c1) == (r2, c2) else f"{a}:{_letters(c2)}{r2}")
        if len(_NAMES_CACHE) > 64:
            _NAMES_CACHE.clear()
        _NAMES_CACHE[key] = cells
    sub.cells.update(cells)


def cell_value(rb, sub: Submission, name: str):
    """The value of the one cell ``name`` names, and whether it names one (a name redefined to a
    range, or to a sheet not read, names none)."""
    sheet, ref = sub.cells.get(name, (None, None))
    if sheet is None or sheet not in rb.sheets or rb.sheets[sheet].values is None or ":" in ref:
        return None, False
    return rb.sheets[sheet].value(ref), True


# What XML 1.0 (so openpyxl, Excel) cannot hold in a cell: C0 controls but tab, line feed, return.
# Excel keeps a line break pasted from Word as a vertical tab (stored "_x000B_"): made a line feed.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAKS = {"\x0b": "\n", "\x0c": "\n"}


def data_text(sub: Submission, text, sheet: str | None, cell: str | None):
    """Text from a source is data: characters no sheet can hold are replaced (breaks) or removed,
    and reported (W028); anything else passes through."""
    if not isinstance(text, str) or _ILLEGAL.search(text) is None:
        return text
    found = _ILLEGAL.findall(text)
    sub.add("CDHT-W028", sheet=sheet, cell=cell, count=len(found))
    return _ILLEGAL.sub(lambda m: _BREAKS.get(m.group(), ""), text)


def typed_value(rb, sub: Submission, name: str, label: str):
    """:func:`cell_value` of an input cell, which holds what a person typed: a formula there is
    refused (W062, naming it and its saved value) and read as blank — its saved value is what
    the last program computed, not what Excel or LibreOffice will show after recalculating."""
    v, present = cell_value(rb, sub, name)
    if not present:
        return v, present
    sheet, cell = sub.where(name)
    return _typed_cell(sub, rb.sheets[sheet], sheet, cell, v, label), present


def _typed_cell(sub: Submission, ws, sheet: str, cell: str, value, label: str):
    """A typed cell's value, or None (W062, naming the cell, the formula and its saved value) when
    the cell holds a formula."""
    formula = ws.formulas.get(cell)
    if formula is None:
        return value
    sub.add("CDHT-W062", sheet=sheet, cell=cell, label=label, formula=data_text(sub, formula[1:], sheet, cell),
            value="" if value is None else value)
    return None


def _text_of(sub: Submission, rb, name: str, label: str):
    """The text of the input cell ``name``: NFC, trimmed, cleaned (:func:`data_text`); None when
    blank. A number typed there is read as typed (``123``, not ``123.0``)."""
    v, _ = typed_value(rb, sub, name, label)
    if v in (None, ""):
        return None
    sheet, cell = sub.where(name)
    return data_text(sub, code_text(v), sheet, cell) or None


def _check_layout(sub: Submission, rb):
    """Tamper check (:func:`cdht.read.tamper.check_layout`) as findings W018–W021 / W026; returns
    the read the verdict rests on (a strict re-read when the fast one was suspect), or None when
    the real XML parse cannot read the package (W002, not readable)."""
    try:
        found = check_layout(rb, sub.meta, sub.tier)
    except PackageError:  # the fast read suspected it, the real parser cannot read it: unreadable
        sub.add("CDHT-W002", reason=UNREADABLE_CONTENT)
        sub.readable = False
        return None
    sub.tampered = found.tampered
    if found.unknown_scheme is not None:
        sub.add("CDHT-W026", found=found.unknown_scheme)
        return found.book
    for kind, sheet in found.sheet_problems:
        sub.add("CDHT-W020" if kind == "missing" else "CDHT-W018", sheet=sheet)
    _report_name_clashes(sub, found.book)
    if not found.fingerprint_ok:
        _report_changes(sub, found)
    return found.book


def _report_name_clashes(sub: Submission, rb) -> None:
    """W060 for a name defined twice (each reference listed), W061 for a sheet's own copy of a
    workbook-scoped name pointing elsewhere."""
    twice: dict[str, list[str]] = {}
    for name, sheet, ref in rb.name_clashes:
        if sheet is None:
            twice.setdefault(name, [rb.names.get(name, "")]).append(ref)
        else:
            sub.add("CDHT-W061", sheet=sheet, name=name, ref=ref, expected=rb.names.get(name, ""))
    for name, refs in twice.items():
        sub.add("CDHT-W060", name=name, count=len(refs), refs=", ".join(refs))


def _report_changes(sub: Submission, found) -> None:
    """W019 naming the first changed cell of each changed sheet; W021 when nothing can be named."""
    if not found.digests_stored:
        sub.add("CDHT-W021")
        return
    for key in found.changed:
        if key == NAMES_KEY:
            sub.add("CDHT-W021", sheet=None)
            continue
        cell = first_changed_cell(sub.edition, sub.tier, sub.year, key, found.items[key])
        sub.add("CDHT-W019", sheet=key, cell=cell or "?")
    if not found.changed:
        sub.add("CDHT-W021")


def _read_inputs(sub: Submission, rb, tier: Tier) -> None:
    sub.unit_code = _text_of(sub, rb, L.N_UNIT_CODE, "Mã đơn vị") or sub.meta.get("unit_code") or None
    meta_code = sub.meta.get("unit_code") or ""
    if meta_code and sub.unit_code != meta_code:  # a pre-filled identity re-typed behind the protection
        sheet, cell = sub.where(L.N_UNIT_CODE)
        sub.add("CDHT-W019", sheet=sheet, cell=cell)
        sub.tampered = True
    sub.unit_name = _text_of(sub, rb, L.N_UNIT_NAME, "Tên đơn vị")
    for key in (L.N_UNIT_CODE, L.N_UNIT_NAME, L.N_YEAR, L.N_LEVEL):
        if key not in sub.cells:
            sub.add("CDHT-W009", name=key)
    for key, spec in tier.fields.items():
        raw, present = typed_value(rb, sub, key, spec.label)
        if not present:
            sub.add("CDHT-W009", name=key)
            sub.values[key] = None
            continue
        sub.values[key] = validate_value(sub, key, spec, raw)
    check_ratios(sub, tier)


_MISSING = object()  # "no usable value, already reported" from the steps of validate_value


def _answers(spec) -> tuple[str, str]:
    return (R.DAT, R.KHONG_DAT) if spec.type == "verdict" else (R.CO, R.KHONG)


def _clean_text(sub: Submission, spec, raw: str, kw: dict):
    """A text cell: error values refused, NFC restored (W017), blanks as None."""
    if raw in EXCEL_ERRORS:
        sub.add("CDHT-W010", value=raw, **kw)
        return _MISSING
    fixed = nfc(raw)
    if fixed != raw:
        sub.add("CDHT-W017", sheet=kw["sheet"], cell=kw["cell"])
        if spec.type in ("verdict", "yesno"):
            # the sheet's formulas compare exactly: decomposed "Đạt" is not an answer there either
            sub.add("CDHT-W015", value=fixed, allowed=" / ".join(_answers(spec)), **kw)
            return _MISSING
    fixed = data_text(sub, fixed, kw["sheet"], kw["cell"])
    return None if fixed.strip() == "" else fixed


def _choice(sub: Submission, spec, raw, kw: dict):
    """A "Đạt / Không đạt" or "Có / Không" answer, spelt as the list has it."""
    allowed = _answers(spec)
    if isinstance(raw, str):
        for a in allowed:
            if raw.casefold() == a.casefold():  # as Excel's "=": no trim, case-insensitive
                return a
    sub.add("CDHT-W015", value=raw, allowed=" / ".join(allowed), **kw)
    return None


def _number(sub: Submission, spec, raw, kw: dict):
    """A number in its field's range (a whole number for levels and counts)."""
    if isinstance(raw, (bool, dt.date, dt.datetime, dt.time)) or not isinstance(raw, (int, float)):
        sub.add("CDHT-W011", value=raw, **kw)
        return None
    if isinstance(raw, float) and not math.isfinite(raw):  # NaN, 1e999: as other tools write them
        sub.add("CDHT-W029", value="NaN" if math.isnan(raw) else ("-∞" if raw < 0 else "∞"), **kw)
        return None
    if spec.type in ("level", "count") and raw != int(raw):
        sub.add("CDHT-W013", value=R.fmt_number(raw, 2), **kw)
        return None
    lo, hi = R.field_range(spec)
    if (lo is not None and raw < lo) or (hi is not None and raw > hi):
        rng = (f"{'' if lo is None else R.fmt_number(lo)}–{R.fmt_number(hi)}" if hi is not None
               else f"≥ {R.fmt_number(lo)}")
        sub.add("CDHT-W012", value=R.fmt_number(raw, 2), range=rng, **kw)
        return None
    return int(raw) if spec.type in ("level", "count") else raw


def validate_value(sub: Submission, key: str, spec, raw) -> Any:
    """One input re-validated; returns the usable value or None, adding findings."""
    sheet, cell = sub.where(key)
    kw = dict(sheet=sheet, cell=cell, label=spec.label)
    if isinstance(raw, str):
        raw = _clean_text(sub, spec, raw, kw)
        if raw is _MISSING:
            return None
    if raw is None:
        if getattr(spec, "required", True):
            sub.add("CDHT-W016", **kw)
        return None
    if spec.type in ("verdict", "yesno"):
        return _choice(sub, spec, raw, kw)
    return _number(sub, spec, raw, kw)


def check_ratios(sub: Submission, tier: Tier) -> None:
    """W014 for every numerator above its denominator (ratio rules and "trong đó" checks)."""
    seen = set()
    for ind in tier.indicators:
        pairs = ind.rules[1].bounded_pairs() + ind.rules[2].bounded_pairs()
        pairs += [p for c in ind.checks for p in c.bounded_pairs()]
        for num, den in pairs:
            if (num, den) in seen:
                continue
            seen.add((num, den))
            a, b = sub.values.get(num), sub.values.get(den)
            if a is not None and b is not None and a > b:
                sheet, cell = sub.where(num)
                _, den_cell = sub.where(den)
                sub.add("CDHT-W014", sheet=sheet, cell=cell, label=tier.fields[num].label, value=a,
                        den_cell=den_cell, den_label=tier.fields[den].label, den_value=b, indicator=ind.id)


@dataclass(frozen=True)
class _AppraisalInput:
    """An appraisal cell seen as an input spec (:func:`validate_value`): blank is allowed (not
    appraised yet), anything typed is validated like every other input."""

    type: str
    label: str
    min: float | None = None
    max: float | None = None
    required: bool = False


def _read_appraisal(sub: Submission, rb, tier: Tier) -> None:
    """The council's verdicts ("Đạt"/"Không đạt"), reasons (text) and level considered (1 or 2),
    validated like every other input: a typo is a coded finding naming the cell (W015, W011,
    W012, W013, W062) and its value is not used."""
    for ind in tier.indicators:
        name, why = L.appraisal_name(ind.id), L.appraisal_reason_name(ind.id)
        spec = _AppraisalInput("verdict", f"Kết quả thẩm định chỉ tiêu {ind.id}")
        raw, _ = typed_value(rb, sub, name, spec.label)
        sub.appraisal[name] = validate_value(sub, name, spec, raw)
        v, _ = typed_value(rb, sub, why, f"Lý do không đạt chỉ tiêu {ind.id}")
        sub.appraisal[why] = data_text(sub, nfc(v), *sub.where(why)) if isinstance(v, str) else v
    spec = _AppraisalInput("level", "Mức độ Hội đồng xét", 1, 2)
    raw, _ = typed_value(rb, sub, L.N_APPRAISAL_TARGET, spec.label)
    sub.appraisal[L.N_APPRAISAL_TARGET] = validate_value(sub, L.N_APPRAISAL_TARGET, spec, raw)


def read_evidence(sub: Submission, rb) -> None:
    sheet, ref = sub.cells.get(L.N_EVIDENCE, (None, None))
    if sheet is None or sheet not in rb.sheets or ":" not in (ref or ""):
        sub.add("CDHT-W009", name=L.N_EVIDENCE)
        return
    _, r1, c1, r2, c2 = parse_ref(f"'{sheet}'!{ref}")
    ws = rb.sheets[sheet]
    values = ws.values or []
    width = c2 - c1 + 1
    for r in range(r1, min(r2, len(values)) + 1):
        if len(values[r - 1]) > c2:  # the register's rows are unlocked whole: text typed beyond it
            sub.evidence_outside += [(r, f"{_letters(c)}{r}", v) for c, v in enumerate(values[r - 1][c2:], start=c2 + 1)
                                     if v is not None and not (isinstance(v, str) and not v.strip())]
        vals = list(values[r - 1][c1 - 1:c2])
        vals += [None] * (width - len(vals))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in vals):
            continue
        if ws.errors:  # error values as their text (what RawSheet.value gives)
            vals = [ws.errors.get(f"{_letters(c)}{r}", v) for c, v in enumerate(vals, start=c1)]
        if ws.formulas:  # typed values only: a formula's saved value is refused (W062)
            vals = [_typed_cell(sub, ws, sheet, f"{_letters(c)}{r}", v, L.EVIDENCE_COLUMNS[c - c1])
                    if c - c1 < len(L.EVIDENCE_COLUMNS) else v for c, v in enumerate(vals, start=c1)]
        for j, v in enumerate(vals):  # (the cell's name is spelt only for a text that needs a finding)
            if isinstance(v, str):
                v = vals[j] = nfc(v) if v else None
                if v and _ILLEGAL.search(v) is not None:
                    vals[j] = data_text(sub, v, sheet, f"{_letters(c1 + j)}{r}")
        rec = dict(zip(L.EVIDENCE_KEYS, vals))  # "level" only where the register has its column (issue 15)
        rec["row"] = r
        sub.evidence.append(rec)
