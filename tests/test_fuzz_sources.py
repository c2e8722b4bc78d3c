"""Fuzz test (issue 18): mutated copies of a valid commune workbook, merged beside a good one.

Hypothesis draws one to four mutations of the package — cell values (NaN, 1e999, 9999, text in
number cells…), inline texts with control characters and long strings, XML attributes reversed,
defined names duplicated / sheet-scoped / redefined / deleted, the sheet list (dropped, renamed,
reordered, hidden), the hidden ``_meta`` values, formulas in cells, sizes (rows repeated, long
texts), parts dropped or truncated, bytes flipped — and merges the result with a good commune
into a fresh district parent (written for some examples, a dry run for the others). Each example
must:

- never raise (the CLI and the add-in would show CDHT-A001) and never need the per-source safety
  net (CDHT-M022: an uncaught error inside one source's reading);
- finish under :data:`EXAMPLE_TIMEOUT` seconds (SIGALRM);
- keep the process's peak memory within :data:`MEMORY_MB` of what it was before the first example;
- merge the good commune, and either merge or refuse (with a code) the mutated one;
- when written, leave a parent that still reads as a valid district workbook.

Fixed seed (``derandomize=True``) and a bounded number of examples, so CI runs it in well under a
minute. A longer run (same checks, more examples; e.g. before a release):

    CDHT_FUZZ_EXAMPLES=2000 python -m pytest -q tests/test_fuzz_sources.py

``CDHT_FUZZ_SEED=<n>`` explores other examples (another fixed seed instead of the derandomised one).
"""
from __future__ import annotations

import io
import os
import re
import resource
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings, strategies as st

from cdht.ops.merge import merge
from cdht.read.submission import read_workbook
from tests.merge_fixtures import H01_COMMUNES
from tests.test_hostile import alarm

EXAMPLES = int(os.environ.get("CDHT_FUZZ_EXAMPLES", "30"))
SEED = os.environ.get("CDHT_FUZZ_SEED")
EXAMPLE_TIMEOUT = 60  # seconds per example
MEMORY_MB = 500       # peak resident memory growth allowed over the whole run

SHEETS = [f"xl/worksheets/sheet{i}.xml" for i in (2, 3, 4, 5, 9)]  # unit, self, evidence, appraisal, _meta
PARTS = SHEETS + ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/custom.xml", "xl/styles.xml",
                  "[Content_Types].xml"]

NUMBERS = [b"NaN", b"1e999", b"-1e999", b"-1", b"0", b"9999", b"2.5", b"1e308", b"", b"abc", b"-0",
           b"123456789012345678901234567890", b"45351", b"2958466", b"0x10", b" 7 "]
REFS = ["'Tự đánh giá'!$D$24", "'Tự đánh giá'!$D$19:$D$20", "#REF!", "'Không có'!$A$1", "_meta!$B$5",
        "'Thông tin đơn vị'!$B$4", "1+1", "", "'Tự đánh giá'!$XFD$1048576"]
NAMES = ["xa_5_1_so_cong_dan_hoc_tap", "don_vi_ma", "don_vi_ten", "nam_danh_gia", "minh_chung", "td_muc_do_xet",
         "ket_qua_muc_do", "tong_so_cong_dan", "XA_4_2", "td_xa_1_1"]


# -------------------------------------------------------------------------------------------------
# Mutations: each a function of the package parts (name → bytes)
# -------------------------------------------------------------------------------------------------

def _nth(pattern: bytes, data: bytes, k: int):
    found = list(re.finditer(pattern, data, re.S))
    return found[k % len(found)] if found else None


def _splice(parts: dict, part: str, m, new: bytes) -> None:
    if m is not None:
        data = parts[part]
        parts[part] = data[:m.start()] + new + data[m.end():]


def set_value(part: str, k: int, value: bytes):
    def run(parts):
        _splice(parts, part, _nth(rb"<v>[^<]*</v>", parts.get(part, b""), k), b"<v>" + value + b"</v>")
    return run


def _xml_text(text: str, raw_controls: bool) -> bytes:
    """Text as a writer would store it: controls as Excel's _xHHHH_ (or raw, which no XML holds)."""
    out = escape(text)
    if not raw_controls:
        out = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda c: f"_x{ord(c.group()):04X}_", out)
    return out.encode("utf-8", "surrogatepass")


def set_text(part: str, k: int, text: str, raw_controls: bool):
    def run(parts):
        m = _nth(rb"(<t[^>]*>)([^<]*)(</t>)", parts.get(part, b""), k)
        if m is not None:
            _splice(parts, part, m, m.group(1) + _xml_text(text, raw_controls) + m.group(3))
    return run


def reverse_attributes(part: str, k: int, extra: bool):
    def run(parts):
        m = _nth(rb"<c ([^>/]*?)(/?)>", parts.get(part, b""), k)
        if m is None:
            return
        attrs = re.findall(rb'[\w:]+="[^"]*"', m.group(1))[::-1] + ([b'x:foo="1"'] if extra else [])
        _splice(parts, part, m, b"<c " + b" ".join(attrs) + m.group(2) + b">")
    return run


def define_name(kind: str, name: str, ref: str, sheet_id: int):
    def run(parts):
        wb = parts.get("xl/workbook.xml", b"")
        own = re.search(rb'<definedName name="' + name.encode() + rb'">[^<]*</definedName>', wb)
        new = f'<definedName name="{name}"{f" localSheetId={chr(34)}{sheet_id}{chr(34)}" if kind == "local" else ""}>' \
              f"{escape(ref)}</definedName>".encode()
        if kind in ("duplicate", "local"):
            at = wb.find(b"</definedNames>")
            if at >= 0:
                parts["xl/workbook.xml"] = wb[:at] + new + wb[at:]
        elif own is not None:
            _splice(parts, "xl/workbook.xml", own, b"" if kind == "delete" else new)
    return run


def edit_sheet_list(kind: str, k: int):
    def run(parts):
        wb = parts.get("xl/workbook.xml", b"")
        m = _nth(rb"<sheet [^>]*/>", wb, k)
        if m is None:
            return
        el = m.group(0)
        new = {"drop": b"",
               "rename": re.sub(rb'name="[^"]*"', b'name="Trang l\xe1\xba\xa1"', el),
               "hide": re.sub(rb'state="[^"]*"', b'state="veryHidden"', el),
               "twice": el + el}.get(kind)
        if kind == "swap":
            first = _nth(rb"<sheet [^>]*/>", wb, 0)
            if first is None or first.start() == m.start():
                return
            parts["xl/workbook.xml"] = wb[:first.start()] + el + wb[first.end():m.start()] + first.group(0) + wb[m.end():]
            return
        _splice(parts, "xl/workbook.xml", m, new)
    return run


def set_meta(row: int, value):
    def run(parts):
        part = "xl/worksheets/sheet9.xml"
        m = re.search(rb'<c r="B%d"[^>]*?(?:/>|>.*?</c>)' % row, parts.get(part, b""), re.S)
        if isinstance(value, str):
            cell = b'<c r="B%d" t="inlineStr"><is><t>' % row + _xml_text(value, False) + b"</t></is></c>"
        else:
            cell = b'<c r="B%d" t="n"><v>' % row + value + b"</v></c>"
        _splice(parts, part, m, cell)
    return run


def add_formula(part: str, k: int, formula: str):
    def run(parts):
        m = _nth(rb"<v>[^<]*</v>", parts.get(part, b""), k)
        if m is not None:
            _splice(parts, part, m, b"<f>" + escape(formula).encode() + b"</f>" + m.group(0))
    return run


def repeat_row(part: str, k: int, times: int):
    def run(parts):
        m = _nth(rb"<row [^>]*>.*?</row>", parts.get(part, b""), k)
        if m is not None:
            _splice(parts, part, m, m.group(0) * times)
    return run


def damage(kind: str, part: str, at: float, byte: int):
    def run(parts):
        if part not in parts:
            return
        data = parts[part]
        i = int(len(data) * at)
        if kind == "drop":
            del parts[part]
        elif kind == "truncate":
            parts[part] = data[:i]
        elif data:
            i = min(i, len(data) - 1)
            parts[part] = data[:i] + bytes([data[i] ^ (byte or 1)]) + data[i + 1:]
    return run


index = st.integers(0, 400)
texts = st.one_of(st.text(max_size=40),
                  st.text(alphabet=st.sampled_from("\x0b\x0c\x00\x1f\t\n Xã Đạt=+@-\ufffe"), max_size=40),
                  st.integers(1_000, 60_000).map(lambda n: "Đ" * n))
MUTATION = st.one_of(
    st.builds(set_value, st.sampled_from(SHEETS), index, st.sampled_from(NUMBERS)),
    st.builds(set_text, st.sampled_from(SHEETS), index, texts, st.booleans()),
    st.builds(reverse_attributes, st.sampled_from(SHEETS), index, st.booleans()),
    st.builds(define_name, st.sampled_from(["duplicate", "local", "redefine", "delete"]), st.sampled_from(NAMES),
              st.sampled_from(REFS), st.integers(0, 12)),
    st.builds(edit_sheet_list, st.sampled_from(["drop", "rename", "hide", "twice", "swap"]), st.integers(0, 9)),
    st.builds(set_meta, st.integers(1, 18), st.one_of(st.sampled_from(NUMBERS), texts)),
    st.builds(add_formula, st.sampled_from(SHEETS), index, st.sampled_from(["100", "1/0", "A1", "NOW()", '"x"'])),
    st.builds(repeat_row, st.sampled_from(SHEETS), index, st.integers(2, 3_000)),
    st.builds(damage, st.sampled_from(["drop", "truncate", "flip"]), st.sampled_from(PARTS),
              st.floats(0, 1), st.integers(0, 255)),
)


# -------------------------------------------------------------------------------------------------
# The run
# -------------------------------------------------------------------------------------------------

class Bench:
    """The valid source's parts, a good commune, a parent template, and the memory baseline."""

    def __init__(self, kit, root: Path):
        self.root = root
        self.parent_template = kit.template("huyen", None)
        self.good = kit.commune(root / "good.xlsx", H01_COMMUNES[0])
        src = kit.commune(root / "src.xlsx", H01_COMMUNES[1], blank=True)
        with zipfile.ZipFile(src) as z:
            self.parts = {n: z.read(n) for n in z.namelist()}
        self.runs = 0
        self.baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def case(self, mutations) -> tuple[Path, Path, Path]:
        """A fresh parent and inbox: the good commune and the mutated source."""
        self.runs += 1
        folder = self.root / f"run{self.runs}"
        shutil.rmtree(folder, ignore_errors=True)
        inbox = folder / "inbox"
        inbox.mkdir(parents=True)
        shutil.copy(self.good, inbox / "good.xlsx")
        parts = dict(self.parts)
        for mutate in mutations:
            mutate(parts)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                z.writestr(name, data)
        bad = inbox / "mutated.xlsx"
        bad.write_bytes(buf.getvalue())
        parent = folder / "parent.xlsx"
        shutil.copy(self.parent_template, parent)
        return parent, inbox, bad


@pytest.fixture(scope="module")
def bench(kit, tmp_path_factory) -> Bench:
    return Bench(kit, tmp_path_factory.mktemp("fuzz"))


# no shrinking: a failing example is printed as drawn (shrinking merges would take minutes)
@(seed(int(SEED)) if SEED else (lambda test: test))
@settings(max_examples=EXAMPLES, derandomize=SEED is None, deadline=None, database=None, print_blob=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4), write=st.booleans())
def test_a_mutated_source_never_stops_the_merge(bench, mutations, write):
    parent, inbox, bad = bench.case(mutations)
    with alarm(EXAMPLE_TIMEOUT):
        r = merge(parent, [inbox], dry_run=not write)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - bench.baseline_kb) / 1024
    assert grown_mb < MEMORY_MB, f"peak memory grew {grown_mb:.0f} MB"
    sources = list(r.merged) + list(r.refused) + list(r.duplicates)
    everything = list(r.findings) + [f for src in sources for f in src.findings]
    crashed = [f.text() for f in everything if f.code in ("CDHT-A001", "CDHT-M022")]
    assert not crashed, crashed
    assert H01_COMMUNES[0] in [m.unit_code for m in r.merged]
    mine = [src for src in sources if src.file.name == bad.name]
    assert len(mine) == 1 and (mine[0] in r.merged or mine[0].code), mine
    if write:
        assert r.written, [f.text() for f in r.findings]
        after = read_workbook(parent)
        assert after.readable and not after.tampered, [f.text() for f in after.errors]
