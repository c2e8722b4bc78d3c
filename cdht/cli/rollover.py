"""``cdht generate --from``: a thin skin over :func:`cdht.ops.rollover.rollover` and its report."""
from __future__ import annotations

import json
import sys

import click


def run_rollover(edition, tier, year, out_dir, from_paths, units, unit_code, password, profile, signing_key,
                 as_json: bool) -> None:
    """Issue year ``year``'s templates with what last year's merged parents carry; print the report
    (text or JSON). A refusal prints its coded messages and exits 1 with nothing written."""
    from cdht.ops.rollover import RolloverError, rollover
    from cdht_generator.api import GenerateError

    try:
        result = rollover(edition, tier, year, out_dir, from_paths, units=units, unit_code=unit_code,
                          password=password, profile=profile, signing_key=signing_key)
    except (RolloverError, GenerateError) as e:
        for f in e.findings:
            click.echo(f.text(), err=True)
        sys.exit(1)
    for f in result.findings:
        click.echo(f.text(), err=True)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    for p in result.paths:
        click.echo(str(p))
    click.echo(f"Đã tạo {len(result.paths)} biểu mẫu {edition.tier(tier).name.lower()} năm {year} trong {out_dir}.")
    click.echo(rollover_text(result))


def rollover_text(result) -> str:
    """What each workbook received from last year's book, and what it did not, and why."""
    lines = [f"Chuyển từ sổ tổng hợp năm {result.year - 1} sang biểu mẫu năm {result.year}:"]
    for u in result.units:
        lines.append(f"- {u.unit} ({u.name}): " + (f"từ {u.book}" if u.book else "không có sổ năm trước"))
        for f in u.figures:
            lines.append(f"    {f.name} = {f.value:g} (từ {f.source})" if f.reason is None
                         else f"    {f.name}: không điền — {f.reason}")
        if u.book is None:
            continue
        units = sorted({d.unit for d in u.decisions})
        lines.append(f"    Sổ công nhận: chuyển {len(u.decisions)} quyết định còn hiệu lực năm {result.year}"
                     + (f" ({', '.join(units)})" if units else ""))
        for d, why in u.dropped:
            lines.append(f"    không chuyển {d.number} ({d.unit}, mức độ {d.level}, {d.date:%d/%m/%Y}): {why}")
        lines += [f"    {f.text()}" for f in u.problems]
    return "\n".join(lines)
