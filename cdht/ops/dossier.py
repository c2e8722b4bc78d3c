"""The dossier (hồ sơ) as Word documents, filled from a workbook — the library behind ``cdht dossier``.

From a filled workbook: the tờ trình (request for recognition, when the unit reaches a level), the
báo cáo tự đánh giá (following the Sở's outline: unit, year, each criterion with its indicators,
the figures and computed rates against the catalogue's thresholds, the evidence per indicator, the
level applied for) and the bản tổng hợp (a Word table). From an appraised workbook (the "Thẩm
định" sheet filled): the council's summary per indicator with the reason for every "Không đạt",
and the written answer to a failing unit. From a merged parent (its "Đơn vị cấp dưới" list holds
appraised units): a draft decision recognising the units that reach each level, with the annex.

The outlines are .docx templates (docxtpl placeholders) shipped in :mod:`cdht.dossier`; a Sở's
own copies (``templates``) replace them by file name. A placeholder the context does not supply is
a coded error naming it (CDHT-D003), a template that does not parse is CDHT-D004. Nothing is
written unless every document could be made: all are rendered into a temporary folder inside
``out_dir`` first, then moved into place. Never modifies the workbook.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from cdht import contract as L
from cdht import rules as R
from cdht.dossier import GUIDE, TEMPLATES, TEMPLATES_DIR
from cdht.dossier import names as N
from cdht.dossier.names import in_sentence, place_name, split_authority  # noqa: F401 (cdht.ops.dossier.*)
from cdht.evaluate import level_label, verdict_label
from cdht.rules import indicator_text  # noqa: F401 (cdht.ops.dossier.indicator_text)
from cdht.messages import ERROR, Finding, finding, has_errors
from cdht.ops.assess import BOTH_LEVELS, Report, cited_indicators, compute_submission, evidence_levels
from cdht.paths import outside, safe_name
from cdht.ops.merge.children import children_table, existing_rows
from cdht.xlsx.save import clean_once, clean_stale_temps, temp_prefix, write_atomic
from cdht.read.submission import cell_value, read_workbook_raw

# document kind → its file name's tail (the order of the dossier)
OUTPUT_NAMES = {
    "to_trinh": "1-to-trinh", "bao_cao": "2-bao-cao-tu-danh-gia", "tong_hop": "3-ban-tong-hop",
    "tham_dinh": "4-ket-qua-tham-dinh", "thong_bao": "5-thong-bao-khong-dat",
    "quyet_dinh": "6-du-thao-quyet-dinh",
}


@dataclass
class DossierResult:
    """What :func:`build_dossier` made (``documents``: kind → path) and found."""

    workbook: Path
    out_dir: Path
    documents: dict[str, Path] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    variables: dict[str, list[str]] = field(default_factory=dict)  # kind → the placeholders it offered
    unit_code: str | None = None
    tier: str | None = None
    year: int | None = None
    level: int | None = None
    appraised_level: int | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    def as_dict(self) -> dict:
        return {"workbook": str(self.workbook), "out_dir": str(self.out_dir), "ok": self.ok,
                "unit_code": self.unit_code, "tier": self.tier, "year": self.year, "level": self.level,
                "appraised_level": self.appraised_level,
                "documents": {k: str(p) for k, p in self.documents.items()},
                "variables": self.variables,
                "findings": [f.as_dict() for f in self.findings]}


# --- names of bodies and places: the core's (cdht.dossier.names), shared with the printed sheets ---

_strip_note, _abbreviation, _date_line = N.strip_note, N.abbreviation, N.date_line
_BLANK_DATE = N.BLANK_DATE


# --- the facts of one workbook -------------------------------------------------------------------

@dataclass
class _Facts:
    rep: Report
    raw: object
    profile: object | None

    @property
    def sub(self):
        return self.rep.sub

    def procedure(self, tier_code: str):
        if self.profile is not None:
            proc = self.profile.procedure(tier_code, self.sub.year)
            if proc is not None:
                return proc
        return self.sub.edition.tier(tier_code).procedure

    def unit_name(self) -> str:
        return self.sub.unit_name or self.sub.unit_code or "……"

    def parent_name(self) -> str | None:
        """The unit above: from the profile's registry when one is given, else the name the Sở
        issued the workbook with (its locked ``_meta``: ``parent_name`` beside ``parent_code``);
        None when neither says (a blank template: the heading is left to fill in)."""
        code = self.sub.meta.get("parent_code") or ""
        if not code:
            return None
        if self.profile is not None:
            u = self.profile.unit(code, self.sub.year) or self.profile.unit(code)
            if u is not None:
                return u.name
        return " ".join(str(self.sub.meta.get("parent_name") or "").split()) or None

    def cell(self, name: str):
        value, _ = cell_value(self.raw, self.sub, name)
        return value


def _fmt(value) -> str:
    if value is None or value == "":
        return "(chưa nhập)"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return R.fmt_number(value, 2)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    return str(value)


# The indicator's wording with its real bars lives in the core (cdht.rules) so that the template
# writer shows the same text on the "Tự đánh giá" sheet.
_ratios = R.ratio_rules


def requirement(rule) -> str:
    """A level's bar in words: the catalogue's (``rule.text()``), or for a Đạt/Không đạt indicator
    what "Đạt" asks."""
    return "đáp ứng nội dung chỉ tiêu" if isinstance(rule, R.Verdict) else rule.text()


def _rates(ind, values: dict) -> str:
    """The computed rates of an indicator's ratio rules (both levels), e.g. "… : 82,5 %"."""
    seen, parts = set(), []
    fields = ind.tier.fields
    for lvl in (1, 2):
        for r in _ratios(ind.rules[lvl]):
            key = (r.p.num, r.p.den)
            num, den = values.get(r.p.num), values.get(r.p.den)
            if key in seen or not isinstance(num, (int, float)) or not isinstance(den, (int, float)) or den <= 0:
                continue
            seen.add(key)
            label = r.p.label or f"{fields[r.p.num].label} / {fields[r.p.den].label}"
            parts.append(f"{label}: {R.fmt_number(round(num / den * 100, 1))} %")
    return "; ".join(parts)


_NO_EVIDENCE = "Chưa có minh chứng trong danh sách minh chứng của sổ tính."
# the groups of an indicator whose bar differs by level, in the report's order (issue 15)
_LEVEL_GROUPS = ((BOTH_LEVELS, "Minh chứng chung cho cả hai mức độ"),
                 (frozenset((1,)), "Minh chứng cho mức độ 1"), (frozenset((2,)), "Minh chứng cho mức độ 2"))


def _evidence_line(rec: dict) -> str:
    bits = [str(rec.get("title") or "(chưa có tên)")]
    if rec.get("number"):
        bits.append(f"số {rec['number']}")
    if rec.get("date"):
        bits.append(f"ngày {_fmt(rec['date'])}")
    if rec.get("issuer"):
        bits.append(str(rec["issuer"]))
    code = f"{rec['code']}: " if rec.get("code") else ""
    return code + ", ".join(bits)


def _evidence(sub, ind_id: str) -> list[tuple[frozenset, str]]:
    """(levels it supports, line) of every evidence row citing the indicator, read as check reads it."""
    out = []
    for rec in sub.evidence:
        cited, _ = cited_indicators(rec.get("indicators"), sub.tier)
        if ind_id in cited:
            out.append((evidence_levels(rec.get("level"))[0], _evidence_line(rec)))
    return out


def _evidence_lines(sub, ind_id: str) -> list[str]:
    return [line for _, line in _evidence(sub, ind_id)] or [_NO_EVIDENCE]


def evidence_by_level(sub, ind) -> list[dict]:
    """The evidence of one indicator grouped by the level it supports (the "Mức độ" column): for an
    indicator whose bar differs by level, "chung cho cả hai mức độ", "cho mức độ 1", "cho mức độ 2"
    (the groups that have rows; a level with none says so); otherwise one untitled group."""
    rows = _evidence(sub, ind.id)
    if not R.differs_by_level(ind):
        return [{"tieu_de": "", "dong": [line for _, line in rows] or [_NO_EVIDENCE]}]
    groups = [{"tieu_de": title, "dong": [line for lv, line in rows if lv == levels]} for levels, title in _LEVEL_GROUPS]
    for g, level in zip(groups[1:], (1, 2)):
        if not g["dong"] and not groups[0]["dong"]:
            g["dong"] = [f"Chưa có minh chứng cho mức độ {level}."]
    return [g for g in groups if g["dong"]] or [{"tieu_de": "", "dong": [_NO_EVIDENCE]}]


def _short_id(ind_id: str) -> str:
    return ind_id.split(".", 1)[1] if "." in ind_id else ind_id


def _indicator(ind, sub, a) -> dict:
    res = a.indicators[ind.id]
    figures = "; ".join(f"{sub.tier.fields[k].label}: {_fmt(sub.values.get(k))}"
                        for k in ind.input_keys() if k in sub.tier.fields)
    return {"ma": ind.id, "so": _short_id(ind.id), "noi_dung": indicator_text(ind),
            "yeu_cau_1": requirement(ind.rules[1]), "yeu_cau_2": requirement(ind.rules[2]),
            "so_lieu": figures, "ty_le": _rates(ind, sub.values),
            "ket_qua_1": verdict_label(res.level1), "ket_qua_2": verdict_label(res.level2),
            "ly_do": f" Lý do: {res.reason}." if res.reason else "",
            "minh_chung": _evidence_lines(sub, ind.id),
            "phan_biet_muc_do": R.differs_by_level(ind), "minh_chung_theo_muc_do": evidence_by_level(sub, ind)}


def _criteria(sub, a) -> list[dict]:
    out = []
    for c in sub.tier.criteria:
        l1, l2 = a.criteria[c.id]
        out.append({"ma": c.id, "ten": f"Tiêu chí {_short_id(c.id)}. {c.name}",
                    "ket_qua_1": verdict_label(l1), "ket_qua_2": verdict_label(l2),
                    "chi_tieu": [_indicator(i, sub, a) for i in c.indicators]})
    return out


def _summary_rows(criteria: list[dict]) -> list[dict]:
    rows = []
    for c in criteria:
        rows.append({"ma": f"TC {_short_id(c['ma'])}", "noi_dung": c["ten"].upper(), "yeu_cau_1": "",
                     "yeu_cau_2": "", "so_lieu": "", "ket_qua_1": c["ket_qua_1"], "ket_qua_2": c["ket_qua_2"]})
        for i in c["chi_tieu"]:
            rows.append({"ma": i["ma"], "noi_dung": i["noi_dung"], "yeu_cau_1": i["yeu_cau_1"],
                         "yeu_cau_2": i["yeu_cau_2"],
                         "so_lieu": "; ".join(x for x in (i["so_lieu"], i["ty_le"]) if x),
                         "ket_qua_1": i["ket_qua_1"], "ket_qua_2": i["ket_qua_2"]})
    return rows


def _unit_heading(f: _Facts) -> dict:
    """Heading and signature of the unit's own documents: its People's Committee."""
    name = f.unit_name()
    return {"co_quan_chu_quan": "", "co_quan": f"{N.UNIT_BODY} {name.upper()}",
            "co_quan_ten": f"Ủy ban nhân dân {in_sentence(name)}",
            "dia_danh": place_name(name), "ngay_thang": _date_line(f.cell(L.N_PREPARED_ON), f.sub.year),
            "tham_quyen": N.UNIT_AUTHORITY, "chuc_vu": N.UNIT_SIGNER, "nguoi_ky": ""}


def _recipient(f: _Facts) -> str:
    return N.recipient(f.procedure(f.sub.tier.code).dossier_to, f.parent_name())


def unit_context(f: _Facts) -> dict:
    """Everything the unit's tờ trình, báo cáo and bản tổng hợp may use."""
    sub, a = f.sub, f.rep.assessment
    level = a.level or 0
    criteria = _criteria(sub, a)
    ind_results = list(a.indicators.values())
    kinh_gui = _recipient(f)
    name = f.unit_name()
    ctx = {
        **_unit_heading(f),
        "don_vi": in_sentence(name), "ten_don_vi": name, "ma_don_vi": sub.unit_code or "", "nam": sub.year, "cap": sub.tier.name.lower(),
        "kinh_gui": kinh_gui, "van_ban_phap_ly": _strip_note(sub.edition.spec.legal_basis),
        "thong_tin_don_vi": [f"{s.label}: {_fmt(sub.values.get(s.key))}" for s in sub.tier.spec.unit_fields],
        "nguoi_lap": str(f.cell(L.N_PREPARER) or "……"),
        "tieu_chi": criteria, "dong_tong_hop": _summary_rows(criteria),
        "so_chi_tieu": len(ind_results), "so_tieu_chi": len(criteria),
        "so_dat_1": sum(r.level1 is True for r in ind_results),
        "so_dat_2": sum(r.level2 is True for r in ind_results),
        "ket_qua": level_label(a.level), "muc_do_de_nghi": level if level else "—",
        "so_chi_tieu_dat": sum((r.level2 if level == 2 else r.level1) is True for r in ind_results),
        "dieu_khoan": getattr(sub.tier.spec.articles, f"level{level}", "") if level else "",
        "ket_qua_chi_tieu": "; ".join(f"{i.id} {verdict_label(i.level2 if level == 2 else i.level1)}"
                                      for i in ind_results),
        "ho_so_kem_theo": ["Báo cáo kết quả tự đánh giá", "Bản tổng hợp kết quả đánh giá các tiêu chí, chỉ tiêu",
                           f"Hồ sơ minh chứng ({len(sub.evidence)} văn bản theo danh sách minh chứng)"],
        "noi_nhan": ["Như trên;", "Lưu: VT."],
    }
    ctx["de_nghi"] = (f"Đề nghị {kinh_gui} xem xét, công nhận {ctx['don_vi']} đạt \"Cộng đồng học tập\" {ctx['cap']} "
                      f"mức độ {level} năm {sub.year}." if level else
                      f"{name} chưa đạt mức độ 1; tiếp tục thực hiện các chỉ tiêu chưa đạt và tự đánh giá lại.")
    return ctx


# --- the appraisal ---------------------------------------------------------------------------------

def _appraisal_problems(f: _Facts) -> list[Finding] | None:
    """None: nothing appraised (no appraisal documents); [] complete; else D005/D006."""
    sub = f.sub
    verdicts = {i.id: sub.appraisal.get(L.appraisal_name(i.id)) for i in sub.tier.indicators}
    target = sub.appraisal.get(L.N_APPRAISAL_TARGET)
    if all(v in (None, "") for v in verdicts.values()) and target in (None, ""):
        return None
    missing = [i for i, v in verdicts.items() if not (R._text_eq(v, R.DAT) or R._text_eq(v, R.KHONG_DAT))]
    if target not in (1, 2):
        missing.append("mức độ xét")
    if missing:
        return [finding("CDHT-D005", file=sub.path.name, sheet=L.SHEET_APPRAISAL,
                        missing=", ".join(missing))]
    no_reason = [i for i, v in verdicts.items() if R._text_eq(v, R.KHONG_DAT)
                 and not str(sub.appraisal.get(L.appraisal_reason_name(i)) or "").strip()]
    if no_reason:
        return [finding("CDHT-D006", file=sub.path.name, sheet=L.SHEET_APPRAISAL,
                        indicators=", ".join(no_reason))]
    return []


def _authority_heading(f: _Facts, decided_by: str, parent_name: str | None) -> dict:
    title, body = split_authority(decided_by)
    superior = N.superior_body(decided_by, parent_name)
    return {"co_quan_chu_quan": superior, "co_quan": body.upper(), "chuc_vu": title.upper(),
            "co_quan_ten": f"{body} {in_sentence(parent_name)}" if parent_name and not body.startswith("Bộ") else body,
            "tham_quyen": "", "nguoi_ky": "", "abbr": _abbreviation(body),
            "dia_danh": place_name(parent_name) if parent_name else "……",
            "ngay_thang": f"{_BLANK_DATE} {f.sub.year + 1}"}


def appraisal_contexts(f: _Facts, base: dict) -> dict[str, dict]:
    """The council's summary and, for a failing unit, the letter: kind → context."""
    sub = f.sub
    proc = f.procedure(sub.tier.code)
    target = int(sub.appraisal.get(L.N_APPRAISAL_TARGET))
    parent = f.parent_name()
    council = _strip_note(proc.appraised_by) or "Hội đồng đánh giá"
    authority = _authority_heading(f, proc.decided_by, parent)
    rows, failed = [], []
    for ind in sub.tier.indicators:
        res = f.rep.assessment.indicators[ind.id]
        verdict = sub.appraisal.get(L.appraisal_name(ind.id))
        reason = str(sub.appraisal.get(L.appraisal_reason_name(ind.id)) or "").strip()
        row = {"ma": ind.id, "noi_dung": indicator_text(ind), "tu_danh_gia": verdict_label(res.level2 if target == 2 else res.level1),
               "hoi_dong": R.KHONG_DAT if R._text_eq(verdict, R.KHONG_DAT) else R.DAT,
               "ly_do": reason if R._text_eq(verdict, R.KHONG_DAT) else ""}
        rows.append(row)
        if row["ly_do"]:
            failed.append(row)
    level = f.rep.appraised_level
    common = {k: base[k] for k in ("don_vi", "ten_don_vi", "ma_don_vi", "nam", "cap", "van_ban_phap_ly")}
    out = {"tham_dinh": {
        **common, **{k: authority[k] for k in ("dia_danh", "ngay_thang")},
        **dict(zip(("co_quan_chu_quan", "co_quan"), N.council_heading(proc.appraised_by, proc.decided_by, parent))),
        "ky_hieu": "BC-HĐĐG", "hoi_dong": council, "muc_do_xet": target, "dong_tham_dinh": rows,
        "ket_luan_hoi_dong": (f"đạt \"Cộng đồng học tập\" {base['cap']} mức độ {target}" if level == target else
                              f"không đạt mức độ {target} ({len(failed)} chỉ tiêu không đạt)"),
        "tham_quyen": N.COUNCIL_AUTHORITY, "chuc_vu": N.COUNCIL_SIGNER, "nguoi_ky": "",
        "noi_nhan": [f"{authority['co_quan_ten']} (để quyết định);", f"{base['co_quan_ten']};", "Lưu: VT, Hội đồng."],
    }}
    if level == 0:
        out["thong_bao"] = {
            **common, **{k: v for k, v in authority.items() if k != "abbr"},
            "ky_hieu": f"TB-{authority['abbr']}", "hoi_dong": council, "muc_do_xet": target,
            "kinh_gui": base["co_quan_ten"], "khong_dat": failed, "noi_nhan": ["Như trên;", "Lưu: VT."],
        }
    return out


# --- the decision from a merged parent --------------------------------------------------------------

def _child_tier(sub, table: list[list]):
    header = {str(h) for h in (table[0] if table else []) if h}
    for code in sub.tier.children:
        t = sub.edition.tier(code)
        if any(i.id in header for i in t.indicators):
            return t
    return None


# a row of "Đơn vị cấp dưới" whose appraisal never counts: nothing filed, refused, a duplicate copy
_NOT_FILED = {L.STATUS_MISSING, L.STATUS_RETURNED, L.Status.NOT_SUBMITTED.value, L.Status.RETURNED.value,
              L.Status.DUPLICATE.value}


def _recognised(table: list[list]) -> dict[int, list[dict]]:
    """Level → the appraised units of a parent's "Đơn vị cấp dưới" list (a file received, on time or
    late, and the council's level 1 or 2)."""
    groups: dict[int, list[dict]] = {2: [], 1: []}
    for code, rec in existing_rows(table).items():
        status = rec["row"][2] if len(rec["row"]) > 2 else None
        try:
            level = int(rec.get("appraised"))
        except (TypeError, ValueError):
            continue
        if status not in _NOT_FILED and level in groups:
            groups[level].append({"ma": code, "ten": str(rec.get("name") or code), "muc_do": f"Mức độ {level}"})
    return groups


def decision_context(f: _Facts) -> tuple[dict | None, bool]:
    """(context, is a merged parent): the draft decision recognising the parent's appraised units."""
    sub = f.sub
    if not sub.tier.children or f.raw is None:
        return None, False
    table = children_table(f.raw)
    child = _child_tier(sub, table)
    if child is None:
        return None, False
    groups = _recognised(table)
    if not groups[1] and not groups[2]:
        return None, True
    proc = f.procedure(child.code)
    name = f.unit_name()
    authority = _authority_heading(f, proc.decided_by, name)
    decider = f"{_strip_note(proc.decided_by)} {in_sentence(name)}".strip() \
        if not authority["co_quan"].startswith("BỘ") else _strip_note(proc.decided_by)
    annex = []
    for level in (2, 1):
        units = groups[level]
        for k, u in enumerate(units, start=1):
            u["stt"] = k
        if units:
            annex.append({"tieu_de": f"{'I' * (len(annex) + 1)}. Đạt mức độ {level} ({len(units)} đơn vị)",
                          "don_vi": units})
    n = len(groups[1]) + len(groups[2])
    cap = child.name.lower()
    ctx = {**{k: v for k, v in authority.items() if k not in ("abbr", "co_quan_ten")},
           "ky_hieu": f"QĐ-{authority['abbr']}", "nam": sub.year, "nam_quyet_dinh": sub.year + 1,
           "cap_duoi": cap, "cap_duoi_hoa": cap.upper(), "tham_quyen_ban_hanh": decider.upper(),
           "nguoi_quyet_dinh": decider, "so_don_vi": n,
           "theo_muc_do": "; ".join(f"mức độ {lv}: {len(groups[lv])} đơn vị" for lv in (2, 1) if groups[lv]),
           "can_cu": [f"Căn cứ {_strip_note(sub.edition.spec.legal_basis)};",
                      f"Căn cứ kết quả thẩm định của {_strip_note(proc.appraised_by)};",
                      "Theo đề nghị của ……………………"],
           "thi_hanh": f"Ủy ban nhân dân các {child.spec.unit_kinds} có tên tại Điều 1 và các cơ quan, đơn vị liên quan",
           "phu_luc": annex,
           "noi_nhan": ["Như Điều 3;", f"Ủy ban nhân dân {in_sentence(name)};", "Lưu: VT."]}
    return ctx, True


# --- rendering ---------------------------------------------------------------------------------------

def _template_path(kind: str, templates: Path | None) -> Path:
    if templates is not None and (Path(templates) / TEMPLATES[kind]).is_file():
        return Path(templates) / TEMPLATES[kind]
    return TEMPLATES_DIR / TEMPLATES[kind]


_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def render(template: Path, context: dict, out: Path) -> list[Finding]:
    """Fill one template; coded findings (D003 unknown placeholder, D004 unreadable) instead of raising."""
    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate
    from lxml.etree import XMLSyntaxError

    name = template.name
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        tpl = DocxTemplate(str(template))
        unknown = sorted(tpl.get_undeclared_template_variables(jinja_env=env, context=context))
    except jinja2.TemplateSyntaxError as e:
        return [finding("CDHT-D004", file=name, problem=f"{e.message} (dòng {e.lineno})")]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, PackageNotFoundError, XMLSyntaxError) as e:
        return [finding("CDHT-D004", file=name, problem=f"không phải tệp Word .docx đọc được ({type(e).__name__})")]
    known = ", ".join(sorted(context))
    if unknown:
        return [finding("CDHT-D003", file=name, name=u, known=known) for u in unknown]
    try:
        tpl.render(context, env, autoescape=True)
    except jinja2.UndefinedError as e:
        m = _UNDEFINED.search(str(e))
        return [finding("CDHT-D003", file=name, name=(m.group(1) or m.group(2)) if m else str(e), known=known)]
    except jinja2.TemplateError as e:
        return [finding("CDHT-D004", file=name, problem=str(e)[:200])]
    tpl.save(str(out))
    return []


def _load_profile(profile, result: DossierResult):
    if profile is None or not isinstance(profile, (str, Path)):
        return profile, True
    from cdht.profile import load_profile

    prof, found = load_profile(profile)
    result.findings += found
    if prof is None or has_errors(found):
        result.findings.append(finding("CDHT-D009", file=Path(profile).name))
        return None, False
    return prof, True


def _read(workbook: Path, result: DossierResult) -> _Facts | None:
    sub, raw = read_workbook_raw(workbook, tool_sheets=True)
    if sub.meta.get("contributor"):  # a department's form: figures for the province, no dossier of its own
        result.findings.append(finding("CDHT-D013", file=workbook.name, contributor=sub.meta["contributor"]))
        return None
    rep = compute_submission(sub)
    result.unit_code, result.year = sub.unit_code, sub.year
    result.tier = sub.tier.code if sub.tier else None
    errors = [f for f in sub.findings if f.severity == ERROR]
    if not sub.readable or errors or sub.tampered:
        result.findings += sub.findings
        result.findings.append(finding("CDHT-D002", file=workbook.name, count=max(len(errors), 1)))
        return None
    result.level, result.appraised_level = rep.level, rep.appraised_level
    if not rep.assessment.complete:
        labels = list(dict.fromkeys(sub.tier.fields[k].label for k in rep.assessment.missing if k in sub.tier.fields))
        result.findings.append(finding("CDHT-D001", file=workbook.name, sheet=L.SHEET_SELF,
                                       missing="; ".join(labels) or "kết quả tự đánh giá"))
        return None
    return _Facts(rep, raw, None)


def plan(f: _Facts, result: DossierResult) -> dict[str, dict] | None:
    """kind → context of every document this workbook gives; None when something blocks them all."""
    base = unit_context(f)
    docs: dict[str, dict] = {}
    if f.rep.assessment.level:
        docs["to_trinh"] = {**base, "ky_hieu": "TTr-UBND"}
    else:
        result.findings.append(finding("CDHT-D007", file=f.sub.path.name))
    docs["bao_cao"] = {**base, "ky_hieu": "BC-UBND", "noi_nhan": [f"{base['kinh_gui']};", "Lưu: VT."]}
    docs["tong_hop"] = {**base, "ky_hieu": "BC-UBND", "noi_nhan": [f"{base['kinh_gui']};", "Lưu: VT."]}
    problems = _appraisal_problems(f)
    if problems:
        result.findings += problems
        return None
    if problems is not None:
        docs.update(appraisal_contexts(f, base))
    decision, is_parent = decision_context(f)
    if decision is not None:
        docs["quyet_dinh"] = decision
    elif is_parent:
        result.findings.append(finding("CDHT-D008", file=f.sub.path.name, sheet=L.SHEET_CHILDREN))
    return docs


def build_dossier(workbook_path: str | Path, out_dir: str | Path, profile=None,
                  templates: str | Path | None = None) -> DossierResult:
    """Fill the dossier of ``workbook_path`` into ``out_dir`` (all documents or none).

    ``profile``: a :class:`cdht.profile.Profile` or the path of one (the names of the bodies above
    the unit, the procedure of the year); ``templates``: a folder of the Sở's edited outlines
    (same file names as :data:`cdht.dossier.TEMPLATES`; a missing one falls back to the default)."""
    workbook, out_dir = Path(workbook_path), Path(out_dir)
    result = DossierResult(workbook, out_dir)
    _clean_stale(out_dir)  # what a killed run left there (nothing when the folder does not exist yet)
    prof, ok = _load_profile(profile, result)
    if not ok:
        return result
    facts = _read(workbook, result)
    if facts is None:
        return result
    facts.profile = prof
    docs = plan(facts, result)
    if docs is None:
        return result
    sub = facts.sub
    stem = f"HS_{sub.year}_{sub.tier.code}_{safe_name(sub.unit_code or 'don-vi')}"  # a typed code is never a path
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(TEMP_FOLDER), dir=out_dir))
    try:
        made = {}
        for kind, ctx in docs.items():
            result.variables[kind] = sorted(ctx)
            path = tmp / f"{stem}_{OUTPUT_NAMES[kind]}.docx"
            problems = render(_template_path(kind, templates), ctx, path)
            if problems:
                result.findings += problems
                continue
            made[kind] = path
        if has_errors(result.findings):
            return result
        escapes = [f for f in (outside(out_dir, out_dir / p.name) for p in made.values()) if f is not None]
        if escapes:  # a link planted under a document's name: nothing is written
            result.findings += escapes
            return result
        for kind, path in made.items():
            dest = out_dir / path.name
            path.replace(dest)
            result.documents[kind] = dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def workbooks_in(folder: str | Path) -> list[Path]:
    """The .xlsx files under ``folder`` (Excel's "~$" lock files left out), in order."""
    return sorted(p for p in Path(folder).rglob("*.xlsx") if not p.name.startswith("~$"))


def build_dossiers(folder: str | Path, out_dir: str | Path, profile=None,
                   templates: str | Path | None = None) -> list[DossierResult]:
    """:func:`build_dossier` for every workbook under ``folder``, each into the matching subfolder
    of ``out_dir`` (the folder tree mirrored, one folder per file); a bad file never stops the
    others. The profile is read once; its findings go with the first result."""
    folder, out_dir = Path(folder), Path(out_dir)
    head = DossierResult(folder, out_dir)
    profile, ok = _load_profile(profile, head)
    if not ok:
        return [head]
    results = []
    for path in workbooks_in(folder):
        results.append(build_dossier(path, out_dir / path.relative_to(folder).with_suffix(""), profile=profile,
                                     templates=templates))
    if results:
        results[0].findings[:0] = head.findings
    return results or [head]


TEMP_FOLDER = ".cdht-ho-so-"  # a dossier being made: ``.cdht-ho-so-<host>-<pid>-…`` inside its folder


def _clean_stale(out_dir: Path) -> None:
    """What a killed run left in ``out_dir``: its half-made dossier folders and temporary files
    (only those of dead processes of this machine, or old ones: :func:`cdht.xlsx.save.clean_stale_temps`)."""
    clean_stale_temps(out_dir, TEMP_FOLDER, dirs=True)
    clean_once(out_dir)


def write_outlines(out_dir: str | Path, problems: list[Finding] | None = None) -> list[Path]:
    """Copy the default outlines into ``out_dir`` for the Sở to edit in Word (``--templates``), as
    every writer writes (:func:`cdht.xlsx.save.write_atomic`: never half-written). A name under
    which a link to somewhere outside ``out_dir`` was planted is not written: its CDHT-W052 goes to
    ``problems``. Returns the files written. Raises ``OSError`` (the folder cannot be written)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in [*TEMPLATES.values(), GUIDE]:
        dest = out_dir / name
        escape = outside(out_dir, dest)
        if escape is not None:
            if problems is not None:
                problems.append(escape)
            continue
        write_atomic(dest, lambda tmp, src=TEMPLATES_DIR / name: shutil.copyfile(src, tmp))
        written.append(dest)
    return written
