"""Plain-text rendering of results for people (the CLI's human output). Never computes."""
from __future__ import annotations


def catalogue_table(edition, tier: str | None = None) -> str:
    lines = [f"Bộ tiêu chí {edition.id} (phiên bản {edition.spec.version})", edition.spec.title,
             f"Căn cứ: {edition.spec.legal_basis}", ""]
    for code, t in edition.tiers.items():
        if tier and code != tier:
            continue
        parent = edition.tiers[t.parent].name if t.parent else "—"
        lines.append(f"== {t.name} (--tier {code}) — cấp trên: {parent}; nộp trước {t.procedure.submit_by} năm sau ==")
        lines.append(f"{'Mã':<11} {'Mức độ 1':<34} {'Mức độ 2':<34} Chỉ tiêu")
        for c in t.criteria:
            lines.append(f"{c.id:<11} {c.name}")
            for i in c.indicators:
                text = i.text if len(i.text) <= 70 else i.text[:69] + "…"
                lines.append(f"  {i.id:<9} {i.rules[1].text():<34} {i.rules[2].text():<34} {text}")
        lines.append("")
    return "\n".join(lines)


def field_labels(tier, keys) -> list[str]:
    """What people call the fields ``keys`` of ``tier`` (their labels, never the field keys)."""
    return [f"'{tier.fields[k].label}'" if k in tier.fields else str(k) for k in keys]


def report_text(rep) -> str:
    """A compute/check report for people."""
    from cdht.evaluate import level_label, verdict_label

    s, a = rep.sub, rep.assessment
    lines = [f"Tệp: {s.path}"]
    if not s.readable:
        lines += [f.text() for f in rep.findings]
        return "\n".join(lines)
    lines.append(f"Đơn vị: {s.unit_code or '—'} {s.unit_name or ''} — {s.tier.name}, năm {s.year}, "
                 f"bộ tiêu chí {s.edition.id}")
    lines.append(f"MỨC ĐỘ: {level_label(a.level)}"
                 + (f"  (thiếu: {', '.join(field_labels(s.tier, a.missing))})" if a.missing else ""))
    if rep.appraised_level is not None:
        lines.append(f"Kết quả thẩm định: {level_label(rep.appraised_level)}")
    lines.append(f"{'Mã':<11} {'Mức độ 1':<16} {'Mức độ 2':<16} Lý do")
    for c in s.tier.criteria:
        c1, c2 = a.criteria[c.id]
        lines.append(f"{c.id:<11} {verdict_label(c1):<16} {verdict_label(c2):<16}")
        for i in c.indicators:
            t1, t2 = rep.verdict_texts(i.id)
            lines.append(f"  {i.id:<9} {t1:<16} {t2:<16} {a.indicators[i.id].reason}")
    if rep.findings:
        lines.append("")
        lines.append(f"Phát hiện ({len(rep.findings)}):")
        lines += [f"- {f.text()}" for f in rep.findings]
    lines.append("")
    from cdht.ops.results_sheet import ready_text
    lines.append("Sẵn sàng nộp hồ sơ: " + ("CÓ" if rep.ready_to_file else "CHƯA") + " — " + ready_text(rep))
    return "\n".join(lines)


def merge_text(res) -> str:
    """A merge result for people."""
    from cdht.evaluate import level_label

    lines = [f"Sổ tổng hợp: {res.parent}"]
    if res.parent_tier is None:
        lines += [f.text() for f in res.findings]
        return "\n".join(lines)
    d = res.as_dict()
    c = d["completeness"]
    names = res.labels
    lines.append(f"{names.get(res.parent_tier, res.parent_tier)} ← {names.get(res.child_tier, res.child_tier).lower()}, "
                 f"năm {res.year}"
                 + (f", hồ sơ cấu hình '{res.profile}'" if res.profile else "")
                 + f": đã nhận {c['received']}/{c['expected']}, đúng hạn {c['on_time']}, muộn {c['late']}, "
                 f"chưa nộp {c['missing']}, trả lại {c['returned']}, bản trùng {len(res.duplicates)}")
    lines.append(f"{'Đơn vị':<14} {'Trạng thái':<14} {'Ngày nhận':<11} {'Tự đánh giá':<16} {'Thẩm định':<10} Tệp")
    for s in res.merged:
        received = s.received.strftime("%d/%m/%Y") if s.received else "—"
        lines.append(f"{s.unit_code or '':<14} {s.status:<14} {received:<11} {level_label(s.level):<16} "
                     f"{(str(s.appraised_level) if s.appraised_level is not None else '—'):<10} {s.file.name}")
    for s in res.refused:
        lines.append(f"{s.unit_code or '?':<14} {s.status:<14} [{s.code}] {s.message}  ({s.file.name})")
    for s in res.duplicates:
        lines.append(f"{s.unit_code or '?':<14} {s.status:<14} [{s.code}] {s.message}  ({s.file.name})")
    if res.missing_units:
        lines.append("Chưa nộp: " + ", ".join(res.missing_units))
    for f in res.notes:
        lines.append(f"Ghi chú: {f.text()}")
    for f in res.findings:
        lines.append(f.text())
    if res.contributions is not None:
        for c in res.contributions.as_dict()["contributors"]:
            lines.append(f"Sở/ngành {c['name']}: {c['status']}" + (" (muộn)" if c.get("late") else "")
                         + (f", {len(c['conflicts'])} khác biệt" if c.get("conflicts") else ""))
    lines += _standing_lines(res)
    if res.derived:
        src = res.derived_from or {}
        where = f"hồ sơ cấu hình '{src.get('profile')}'" if src.get("source") == "profile" else \
            "danh sách khóa trong sổ do Sở phát hành"
        lines.append("Chỉ tiêu tính từ cấp dưới (mẫu số: " + where + "): "
                     + ", ".join(f"{res.labels.get(k, k)} = {v}" for k, v in res.derived.items()))
    lines.append(f"Mức độ của sổ tổng hợp: {level_label(res.parent_level)}")
    lines.append("Đã ghi sổ tổng hợp (có bản sao .bak)." if res.written else "Không ghi gì (chạy thử --dry-run hoặc có lỗi).")
    return "\n".join(lines)


def _standing_lines(res) -> list[str]:
    """Units by status (the register first), and the communes of a province by level."""
    from collections import Counter

    lines = []
    by_status = Counter(st.status.value for st in res.standings)
    if by_status:
        lines.append("Đơn vị theo trạng thái: " + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())))
    if res.communes:
        by_level = Counter(c["status"] for c in res.communes)
        lines.append(f"Xã trong tỉnh ({len(res.communes)}): " + ", ".join(f"{k} {v}" for k, v in sorted(by_level.items())))
    return lines
