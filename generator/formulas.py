"""The live Excel formulas of the templates, built from the catalogue's rules (``cdht.rules``)."""
from __future__ import annotations

from cdht import rules as R


def indicator_formula(ind, level: int, fields: dict) -> str:
    """The live formula of one indicator at one level (without the leading '=')."""
    rule = ind.rules[level]
    keys = list(dict.fromkeys(rule.fields() + [k for c in ind.checks for k in c.fields()]))
    conds = [R.field_valid_excel(fields[k], k) for k in keys]
    conds += rule.conditions_excel(lambda k: k) + [c for ch in ind.checks for c in ch.conditions_excel(lambda k: k)]
    complete = conds[0] if len(conds) == 1 else f"AND({','.join(conds)})"
    verdict = f'IF({rule.excel(lambda k: k)},"{R.DAT}","{R.KHONG_DAT}")'
    return f'IFERROR(IF({complete},{verdict},"{R.CHUA_DU}"),"{R.CHUA_DU}")'


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
