"""``cdht demo``: a realistic sample province built end to end from the shipped sample unit list.

Issues the templates, fills the communes with varied deterministic data (level 2, level 1, not
reached, a "vùng khó khăn" commune, missing evidence, a late one, a tampered one, one from the wrong
year), types each district's decisions of recognition (quyết định công nhận, by 31/03) into its
"Sổ công nhận" — only decisions count toward indicator 4.1 — merges communes into districts and
districts into the province. Re-running is safe: it only rewrites its own output folder — a folder
holding any file it did not write (not listed in its manifest ``.cdht-demo.json``) is refused (W032),
nothing deleted.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import click

from cdht import contract as L
from cdht_generator.api import generate
from cdht.edition import load_edition
from cdht.units import SAMPLE_UNITS, read_units
from cdht.fill import fill as _fill
from cdht.messages import Finding, finding
from cdht.xlsx.book import openpyxl

from cdht.ops.merge import MergeResult, merge

ON_TIME = dt.datetime(2027, 2, 20, 9, 0)
LATE = dt.datetime(2027, 3, 6, 9, 0)
DISTRICT_SENT = dt.datetime(2027, 4, 25, 9, 0)

# Commune profiles: (citizens, "Công dân học tập", trained, university, phổ cập TH/THCS, xóa mù chữ)
PROFILES = {
    "level2": dict(tong_so_cong_dan=4000, xa_5_1_so_cong_dan_hoc_tap=3300, xa_5_2_so_duoc_dao_tao=2500,
                   xa_5_2_so_dai_hoc=640, xa_4_2=3, xa_4_3=3, xa_4_4=2),
    "level1": dict(tong_so_cong_dan=5000, xa_5_1_so_cong_dan_hoc_tap=3150, xa_5_2_so_duoc_dao_tao=2600,
                   xa_5_2_so_dai_hoc=620, xa_4_2=3, xa_4_3=2, xa_4_4=2),
    "none": dict(tong_so_cong_dan=3000, xa_5_1_so_cong_dan_hoc_tap=1500, xa_5_2_so_duoc_dao_tao=1400,
                 xa_5_2_so_dai_hoc=300, xa_4_2=2, xa_4_3=2, xa_4_4=1),
    # vùng khó khăn: 42 % trained, 10,5 % university → level 1 only thanks to the 40/10 thresholds
    "hardship": dict(tong_so_cong_dan=2000, xa_5_1_so_cong_dan_hoc_tap=1300, xa_5_2_so_duoc_dao_tao=840,
                     xa_5_2_so_dai_hoc=210, xa_4_2=3, xa_4_3=3, xa_4_4=2),
}
# unit → (profile, special)
PLAN = {
    "MAU-X0101": ("level2", None), "MAU-X0102": ("level2", None), "MAU-X0103": ("level2", None),
    "MAU-X0104": ("level1", None), "MAU-X0105": ("level2", "late"), "MAU-X0106": ("level2", None),
    "MAU-X0201": ("hardship", None), "MAU-X0202": ("level2", "no_evidence"), "MAU-X0203": ("none", None),
    "MAU-X0204": ("level2", "tampered"), "MAU-X0205": ("level2", "wrong_year"), "MAU-X0206": ("level1", None),
}
SPECIAL_TEXT = {"late": "nộp muộn", "no_evidence": "thiếu minh chứng", "tampered": "sửa công thức",
                "wrong_year": "sai năm", None: ""}


@dataclass
class DemoResult:
    out: Path
    year: int
    province: Path | None = None
    districts: dict[str, Path] = field(default_factory=dict)
    district_merges: dict[str, MergeResult] = field(default_factory=dict)
    province_merge: MergeResult | None = None
    communes: list[dict] = field(default_factory=list)


def _verdicts(tier, value="Đạt") -> dict:
    return {f.key: value for ind in tier.indicators for f in ind.fields if f.type == "verdict"}


def _evidence(tier, year: int, skip: set[str] = frozenset()) -> list[list]:
    return [[f"MC{k:02d}", ind.id, f"Văn bản minh chứng cho chỉ tiêu {ind.id}", f"{k}/KH-UBND",
             dt.date(year, 3 + k % 9, 10), "Ủy ban nhân dân", None, None]
            for k, ind in enumerate(tier.indicators, start=1) if ind.id not in skip]


def _appraisal(tier, level: int | None) -> dict:
    if not level:
        return {}
    return {**{L.appraisal_name(i.id): "Đạt" for i in tier.indicators}, L.N_APPRAISAL_TARGET: level}


MANIFEST = ".cdht-demo.json"  # the files a demo run wrote into its folder
OWN_FOLDERS = ("bieu-mau", "nop-huyen", "tong-hop-huyen", "nop-tinh", "tong-hop-tinh")


class DemoRefused(click.ClickException):
    """The output folder holds files the demo did not write: nothing is deleted (exit code 2)."""

    exit_code = 2

    def __init__(self, refusal: Finding):
        super().__init__(refusal.message)
        self.finding = refusal

    def show(self, file=None) -> None:
        click.echo(self.finding.text(), err=True)


def _present(out: Path) -> list[str]:
    """Every file (and linked folder) under ``out``, as sorted relative POSIX paths."""
    found = []
    for dirpath, dirs, names in os.walk(out):
        rel = Path(dirpath).relative_to(out)
        found += [(rel / n).as_posix() for n in names]
        found += [(rel / d).as_posix() for d in dirs if os.path.islink(os.path.join(dirpath, d))]
    return sorted(found)


def _manifest(out: Path) -> set[str]:
    try:
        listed = json.loads((out / MANIFEST).read_text("utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {f for f in listed if isinstance(f, str)}


def foreign_file(out: Path) -> str | None:
    """The first file under ``out`` a demo run did not write (None: the folder is new, empty or ours)."""
    if not out.is_dir():
        return None
    ours = _manifest(out) | {MANIFEST}
    return next((f for f in _present(out) if f not in ours), None)


def run_demo(out: str | Path = "cdht-demo", year: int = 2026,
             progress: Callable[[str], None] | None = None) -> DemoResult:
    """Build the demo into ``out``; raises :class:`DemoRefused` (W032) when ``out`` holds a file
    a demo run did not write — the user's files are never deleted or overwritten."""
    out = Path(out)
    foreign = foreign_file(out)
    if foreign is not None:
        raise DemoRefused(finding("CDHT-W032", file=foreign, folder=str(out)))
    for sub in OWN_FOLDERS:  # only files listed in the manifest are there
        shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).write_text(json.dumps({"files": []}), "utf-8")  # an interrupted run owns nothing
    res = _build(out, year, progress)
    (out / MANIFEST).write_text(json.dumps({"files": _present(out)}, ensure_ascii=False, indent=0), "utf-8")
    return res


def _build(out: Path, year: int, progress) -> DemoResult:
    note = progress or (lambda msg: None)
    edition = load_edition()
    units, _ = read_units(SAMPLE_UNITS)
    res = DemoResult(out, year)
    xa, huyen, tinh = (edition.tier(t) for t in ("xa", "huyen", "tinh"))

    note("Phát hành biểu mẫu")
    tpl = out / "bieu-mau"
    xa_paths = {p.name.split("_")[3].removesuffix(".xlsx"): p for p in generate(edition, "xa", year, tpl, units=units)}
    old = {p.name.split("_")[3].removesuffix(".xlsx"): p for p in generate(edition, "xa", year - 1, tpl / "nam-truoc", units=units)}
    h_paths = {p.name.split("_")[3].removesuffix(".xlsx"): p for p in generate(edition, "huyen", year, tpl, units=units)}
    t_path = generate(edition, "tinh", year, tpl, units=units)[0]

    note("Xã điền biểu mẫu")
    decisions: dict[str, list[list]] = {}  # district → its decisions of this round (Sổ công nhận)
    for code, (profile, special) in PLAN.items():
        u = units.get(code)
        district = u.parent
        values = {**_verdicts(xa), **PROFILES[profile], "vung_kho_khan": "Có" if u.hardship else "Không",
                  L.N_PREPARER: "Nguyễn Văn A", L.N_PREPARED_ON: dt.datetime(year + 1, 2, 10)}
        from cdht.evaluate import evaluate
        level = evaluate(xa, values).level
        skip = {"xa.3.2"} if special == "no_evidence" else set()
        src = old[code] if special == "wrong_year" else xa_paths[code]
        dest = out / "nop-huyen" / district / src.name
        _fill(src, dest, {**values, **_appraisal(xa, level if special != "no_evidence" else None)},
              _evidence(xa, year, skip), when=LATE if special == "late" else ON_TIME)
        if special == "tampered":
            wb = openpyxl().load_workbook(dest)
            ws = wb[L.SHEET_SELF]
            for row in ws.iter_rows(min_row=L.HEADER_ROW + 1):
                if row[0].value == "xa.5.1":
                    row[4].value = '="Đạt"'  # someone "fixed" a failing result by hand
            ws.protection.sheet = False
            wb.save(dest)
            os.utime(dest, (ON_TIME.timestamp(), ON_TIME.timestamp()))
        if level and special in (None, "late"):  # appraised, then recognised by the district by 31/03
            decisions.setdefault(district, []).append(
                [code, u.name, level, f"{len(decisions.get(district, [])) + 1}/QĐ-UBND",
                 dt.datetime(year + 1, 3, 20), "Ủy ban nhân dân huyện"])
        res.communes.append({"unit": code, "district": district, "profile": profile,
                             "special": SPECIAL_TEXT[special], "file": dest})

    note("Huyện tổng hợp các xã")
    for code, path in sorted(h_paths.items()):
        parent = out / "tong-hop-huyen" / path.name
        _fill(path, parent, {**_verdicts(huyen), "huyen_4_2_nam_nay": 62.5, "huyen_4_2_nam_truoc": 58.0,
                             "huyen_4_3_nam_nay": 96.1, "huyen_4_3_nam_truoc": 95.4,
                             L.N_PREPARER: "Trần Thị B"}, _evidence(huyen, year), register=decisions.get(code))
        # received = the day a merge first sees a file (the receipt ledger, issue 12): the district
        # merges what came in by 20/02, then everything on 01/04 (the late file is first seen then)
        on_time = [c["file"] for c in res.communes if c["district"] == code and c["special"] != SPECIAL_TEXT["late"]]
        merge(parent, on_time, now=ON_TIME)
        res.district_merges[code] = merge(parent, [out / "nop-huyen" / code], now=dt.datetime(year + 1, 4, 1, 8, 0))
        res.districts[code] = parent

    note("Tỉnh tổng hợp các huyện")
    for code, parent in res.districts.items():
        from cdht.ops.assess import compute
        lvl = compute(parent).level
        _fill(parent, out / "nop-tinh" / parent.name, _appraisal(huyen, lvl), when=DISTRICT_SENT)
    note("Sở/ngành gửi phiếu số liệu")
    from cdht_generator.contributor import generate_contributor_form
    figures = {"tinh_3_3": "Đạt", "tinh_3_4_so_chuong_trinh": 6, "tinh_3_5_so_chuong_trinh": 5,
               "tinh_3_5_hoc_lieu_mo": "Có", "tinh_4_2_nam_nay": 3.1, "tinh_4_2_nam_truoc": 3.9,
               "tinh_4_3_nam_nay": 125400.0, "tinh_4_3_nam_truoc": 117800.0, "tinh_3_1": "Đạt", "tinh_3_2": "Đạt"}
    contributed = set()
    for con in edition.spec.contributors:
        if con.code == "cuc_thong_ke":
            continue  # the statistics office has not sent its form yet: the province typed GRDP itself
        form = generate_contributor_form(edition, year, con.code, tpl / "phieu-so-nganh")
        keys = [f.key for i in con.indicators for f in tinh.indicator(i).fields]
        contributed |= set(keys)
        _fill(form, out / "nop-tinh" / "so-nganh" / form.name,
              {**{k: figures[k] for k in keys}, "nguoi_ky": "Phạm Thị D", "chuc_vu": "Phó Giám đốc",
               "ngay_ky": dt.datetime(year + 1, 4, 20)},
              [[f"{con.code.upper()}-{k}", ind, f"Báo cáo số liệu {ind} năm {year}", f"{k}/BC", dt.date(year, 12, 20),
                con.name, None, None] for k, ind in enumerate(con.indicators, start=1)], when=DISTRICT_SENT)
    province = out / "tong-hop-tinh" / t_path.name
    own = {k: v for k, v in _verdicts(tinh).items() if k not in contributed}
    own.update({k: v for k, v in figures.items() if k not in contributed})
    _fill(t_path, province, {**own, L.N_PREPARER: "Lê Văn C"}, _evidence(tinh, year))
    merge(province, [out / "nop-tinh"], now=DISTRICT_SENT)  # the districts' files, first seen on 25/04
    res.province_merge = merge(province, [out / "nop-tinh"], now=dt.datetime(year + 1, 5, 20, 8, 0))
    res.province = province
    return res


def demo_table(res: DemoResult) -> str:
    from cdht.evaluate import level_label
    lines = [f"BẢN CHẠY THỬ — tỉnh mẫu, năm đánh giá {res.year} (dữ liệu mẫu, không phải số liệu thật)", ""]
    lines.append(f"{'Xã':<11} {'Huyện':<9} {'Trạng thái':<10} {'Tự đánh giá':<13} {'Thẩm định':<10} Ghi chú")
    by_unit = {}
    for code, m in res.district_merges.items():
        for s in m.merged:
            by_unit[s.unit_code] = (s.status, level_label(s.level), s.appraised_level,
                                    "nộp muộn" if s.on_time is False else "")
        for s in m.refused:
            by_unit.setdefault(s.unit_code, ("Từ chối", "—", None, s.code))
    for c in res.communes:
        st, lv, ap, extra = by_unit.get(c["unit"], ("Chưa nộp", "—", None, ""))
        note = ", ".join(dict.fromkeys(x for x in (c["special"], extra) if x))
        lines.append(f"{c['unit']:<11} {c['district']:<9} {st:<10} {lv:<13} {str(ap or '—'):<10} {note}")
    lines.append("")
    for code, m in res.district_merges.items():
        d = m.as_dict()["completeness"]
        lines.append(f"Huyện {code}: nhận {d['received']}/{d['expected']} (muộn {d['late']}), từ chối {len(m.refused)}, "
                     f"chỉ tiêu 4.1: {m.derived.get('huyen_4_1_so_xa_muc_do_1')}/{m.derived.get('huyen_4_1_tong_so_xa')} "
                     f"xã mức độ 1 trở lên → huyện: {level_label(m.parent_level)}")
    pm = res.province_merge
    if pm:
        d = pm.as_dict()["completeness"]
        lines.append(f"Tỉnh: nhận {d['received']}/{d['expected']} huyện, từ chối {len(pm.refused)} → tỉnh: "
                     f"{level_label(pm.parent_level)}")
        if pm.contributions is not None:
            deps = pm.contributions.departments
            lines.append("Phiếu sở/ngành: " + "; ".join(f"{x['name']}: {x['status']}" for x in deps))
    lines += ["", "Mở các tệp:", f"  Biểu mẫu đã phát hành: {res.out / 'bieu-mau'}"]
    for code, p in res.districts.items():
        lines.append(f"  Sổ tổng hợp huyện {code}: {p}")
    lines.append(f"  Sổ tổng hợp tỉnh: {res.province}")
    return "\n".join(lines)
