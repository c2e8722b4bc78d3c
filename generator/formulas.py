"""The live Excel formulas of the templates, built from the catalogue's rules (``cdht.rules``)."""
from __future__ import annotations

from cdht import rules as R


def indicator_formula(ind, level: int, fields: dict, evidence: str | None = None) -> str:
    """The live formula of one indicator at one level (without the leading '='). ``evidence``: the
    cell counting the register rows that cite the indicator; when given, a met indicator that no row
    cites reads "Đạt (thiếu minh chứng)" — still met (the criteria and the level read it as Đạt),
    the way ``cdht.ops.assess`` labels it."""
    rule = ind.rules[level]
    keys = list(dict.fromkeys(rule.fields() + [k for c in ind.checks for k in c.fields()]))
    conds = [R.field_valid_excel(fields[k], k) for k in keys]
    conds += rule.conditions_excel(lambda k: k) + [c for ch in ind.checks for c in ch.conditions_excel(lambda k: k)]
    complete = conds[0] if len(conds) == 1 else f"AND({','.join(conds)})"
    met = f'"{R.DAT}"' if evidence is None else f'IF({evidence}>0,"{R.DAT}","{R.DAT_NO_EVIDENCE}")'
    verdict = f'IF({rule.excel(lambda k: k)},{met},"{R.KHONG_DAT}")'
    return f'IFERROR(IF({complete},{verdict},"{R.CHUA_DU}"),"{R.CHUA_DU}")'


# What may stand between an indicator code and the next in the register's "Chỉ tiêu" cell, made a
# comma before the codes are looked up (cdht.ops.assess.cited_indicators reads the same forms).
_CITATION_SEPARATORS = ("\n", ";", " ", "-", ":", "/", "+", "&", "ct", "tiêu", "tieu")


def _accentless(text: str) -> str:
    import unicodedata

    t = unicodedata.normalize("NFD", text).replace("\u0111", "d")
    return "".join(ch for ch in t if not unicodedata.combining(ch))


def evidence_count_formula(ind, register: str) -> str:
    """How many rows of the register's "Chỉ tiêu" column (``register``, an absolute range) cite
    the indicator, without the leading '='. Each cell is read as ``cited_indicators`` reads it in
    the common forms: lower-cased, the tier's own word with or without accents ("xã 1.1",
    "XA.1.1", "Chỉ tiêu 1.1", "1.1"), several codes separated by commas, semicolons, line breaks,
    spaces or slashes; another tier's code ("huyen.1.1" in a commune's book) never counts.
    FIND, not SEARCH: no wildcard or regular-expression reading in either spreadsheet."""
    tier = ind.tier
    number = ind.id[len(tier.code) + 1:]  # "1.1" of "xa.1.1"
    text = f"LOWER({register})"
    own = tier.name.split()[-1].lower()  # "xã" of "Cấp xã"
    if own != tier.code and _accentless(own) == tier.code:
        text = f'SUBSTITUTE({text},"{own}","{tier.code}")'
    for sep in _CITATION_SEPARATORS:
        text = f'SUBSTITUTE({text},{"CHAR(10)" if sep == chr(10) else chr(34) + sep + chr(34)},",")'
    text = f'SUBSTITUTE(SUBSTITUTE({text},"{tier.code}.",","),"{tier.code}",",")'
    text = f'SUBSTITUTE(","&{text}&",",".,",",")'  # "xa.1.1." as "xa.1.1"
    return f'SUMPRODUCT(--ISNUMBER(FIND(",{number},",{text})))'


def criterion_formula(refs: list[str]) -> str:
    """A criterion's verdict from its indicators' cells: any Không đạt, else any Chưa đủ, else Đạt."""
    fail = ",".join(f'{r}="{R.KHONG_DAT}"' for r in refs)
    todo = ",".join(f'{r}="{R.CHUA_DU}"' for r in refs)
    return f'IF(OR({fail}),"{R.KHONG_DAT}",IF(OR({todo}),"{R.CHUA_DU}","{R.DAT}"))'


def level_text_formula(ref: str) -> str:
    """The level in words ("Mức độ 2", "Chưa đạt", "Chưa đủ dữ liệu") of a level cell."""
    return f'IF({ref}="","{R.CHUA_DU}",IF({ref}=0,"Chưa đạt","Mức độ "&{ref}))'


def all_equal(refs: list[str], text: str) -> str:
    """``ref1="text",ref2="text",…`` — the arguments of an AND() over cells."""
    return ",".join(f'{r}="{text}"' for r in refs)


def self_level_formula(results: str, crit1: list[str], crit2: list[str]) -> str:
    """The self-assessed level: empty while a result is Chưa đủ, else 2, 1 or 0 from the criteria."""
    return (f'IF(COUNTIF({results},"{R.CHUA_DU}")>0,"",'
            f'IF(AND({all_equal(crit2, R.DAT)}),2,'
            f'IF(AND({all_equal(crit1, R.DAT)}),1,0)))')


def appraisal_level_formula(verdicts: str, n: int, target: str) -> str:
    """The appraised level: empty until all ``n`` verdicts and the target level are in, else target or 0."""
    return (f'IF(OR(COUNTIF({verdicts},"{R.DAT}")+COUNTIF({verdicts},"{R.KHONG_DAT}")<{n},'
            f'NOT(OR({target}=1,{target}=2))),"",'
            f'IF(COUNTIF({verdicts},"{R.DAT}")={n},{target},0))')



def _bar_words(bars: dict[int, float]) -> str:
    """ "≥ 60 %" when every level asks the same, else "≥ 60 % (mức độ 1), ≥ 80 % (mức độ 2)"."""
    shown = {lvl: R.fmt_number(v) for lvl, v in sorted(bars.items())}
    if len(shown) == 2 and len(set(shown.values())) == 1:
        return f"≥ {shown[1]} %"
    return ", ".join(f"≥ {v} % (mức độ {lvl})" for lvl, v in shown.items())


def rate_formula(rules: dict, ref=lambda k: k) -> str:
    """A ratio's live rate beside its count and the bar it must reach, as text (without the leading
    '='): "71,2 % — cần ≥ 60 % (mức độ 1), ≥ 80 % (mức độ 2)"; only the bar while the counts are
    missing. ``rules``: level → the ratio rule (cdht.rules.Ratio) of one num/den at that level;
    the disadvantaged-area bars apply when the unit's hardship field says "Có". The decimal comma
    whatever the spreadsheet's locale: FIXED's separator is replaced."""
    first = next(iter(rules.values()))
    num, den = ref(first.p.num), ref(first.p.den)
    rate = (f'IF(AND(ISNUMBER({num}),ISNUMBER({den}),{den}>0),'
            f'SUBSTITUTE(FIXED({num}/{den}*100,1,TRUE),".",",")&" % — ","")')
    bar = f'"cần {_bar_words({lvl: r.p.min_percent for lvl, r in rules.items()})}"'
    hard = next((r.p.hardship_field for r in rules.values() if r.p.hardship_field), None)
    if hard:
        words = _bar_words({lvl: r.p.min_percent if r.p.hardship_percent is None else r.p.hardship_percent
                            for lvl, r in rules.items()})
        bar = f'IF({ref(hard)}="{R.CO}","vùng khó khăn: cần {words}",{bar})'
    return f"IFERROR({rate}&{bar},{bar})"
