"""Plain-text rendering of results for people (the CLI's human output). Never computes."""
from __future__ import annotations


def _rule_text(d: dict) -> str:
    k = d["kind"]
    if k == "verdict":
        return "Đạt"
    if k == "answer_yes":
        return "Có"
    if k == "min_level":
        return f"≥ mức độ {d['value']}"
    if k == "min_count":
        return f"≥ {d['value']}"
    if k == "ratio":
        s = f"≥ {d['min_percent']:g}%"
        if d.get("hardship_percent") is not None:
            s += f" (vùng khó khăn ≥ {d['hardship_percent']:g}%)"
        return s
    if k == "change":
        return "tăng so với năm trước" if d["direction"] == "increase" else "giảm so với năm trước"
    if k == "all":
        return " và ".join(_rule_text(x) for x in d["rules"])
    return k


def catalogue_table(edition, tier: str | None = None) -> str:
    lines = [f"Bộ tiêu chí {edition.id} (phiên bản {edition.spec.version})", edition.spec.title,
             f"Căn cứ: {edition.spec.legal_basis}", ""]
    for code, t in edition.tiers.items():
        if tier and code != tier:
            continue
        parent = edition.tiers[t.parent].name if t.parent else "—"
        lines.append(f"== {t.name} ({code}) — cấp trên: {parent}; nộp trước {t.procedure.submit_by} năm sau ==")
        lines.append(f"{'Mã':<11} {'Mức độ 1':<34} {'Mức độ 2':<34} Chỉ tiêu")
        for c in t.criteria:
            lines.append(f"{c.id:<11} {c.name}")
            for i in c.indicators:
                text = i.text if len(i.text) <= 70 else i.text[:69] + "…"
                lines.append(f"  {i.id:<9} {_rule_text(i.rules[1].describe()):<34} "
                             f"{_rule_text(i.rules[2].describe()):<34} {text}")
        lines.append("")
    return "\n".join(lines)
