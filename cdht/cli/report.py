"""``cdht report``: the report a merged parent workbook makes, or its long table as CSV / Parquet.

A thin skin over :mod:`cdht.ops.report`: a district's workbook gives the Phòng GD&ĐT's report to
the Sở (before 15/5), a province's the Sở's report to the Ministry.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cdht.cli.vietnamese import Command
from cdht.messages import ERROR


@click.command("report", cls=Command)
@click.argument("parent", type=click.Path(dir_okay=False, path_type=Path), metavar="<sổ tổng hợp>")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp kết quả (.xlsx cho báo cáo, .csv / .parquet cho bảng dữ liệu).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "parquet"]), default="xlsx", show_default=True,
              help="xlsx: báo cáo có biểu đồ; csv / parquet: bảng dữ liệu dài (mỗi dòng một đơn vị × chỉ tiêu × năm).")
@click.option("--previous", "previous", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Sổ tổng hợp của một năm trước (lặp lại cho nhiều năm): thêm xu hướng qua các năm.")
@click.option("--children", "children", multiple=True, type=click.Path(path_type=Path),
              help="Sổ tổng hợp của đơn vị cấp dưới đã nộp (tệp hoặc thư mục nộp): thêm các đơn vị thấp hơn một cấp "
                   "(ví dụ các xã vào báo cáo của tỉnh). Chỉ lấy đúng tệp đã được tổng hợp.")
@click.option("--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Hồ sơ cấu hình tỉnh (như khi tổng hợp): hạn ra quyết định và cách tính hiệu lực công nhận.")
@click.option("--json", "as_json", is_flag=True, help="Tóm tắt dạng JSON.")
def report(parent, out, fmt, previous, children, profile_path, as_json):
    """Báo cáo từ sổ tổng hợp: huyện → Sở (trước 15/5), tỉnh → Bộ; hoặc xuất bảng dữ liệu (CSV/Parquet)."""
    from cdht.ops import report as R

    profile = _profile(profile_path) if profile_path else None
    try:
        df = R.long_table(parent, children=children, profile=profile)
        prev = [R.long_table(p, profile=profile) for p in previous]
    except R.ReportError as e:
        _fail(e.findings)
    problems = R.check_previous(df, prev)
    if problems:
        _fail(problems)
    for f in df.attrs["findings"]:
        click.echo(f.text(), err=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        path = R.export_table(df, out, fmt) if fmt in ("csv", "parquet") else R.report(df, out, prev)
    except R.ReportError as e:
        _fail(e.findings)
    summary = {"file": str(path), "format": fmt, "unit": df.attrs["unit"], "tier": df.attrs["tier"],
               "year": df.attrs["year"], "merged": df.attrs["merged"], "rows": len(df),
               "units": int(df["unit"].nunique()), "previous_years": sorted(p.attrs["year"] for p in prev),
               "findings": [f.as_dict() for f in df.attrs["findings"]]}
    if df.attrs["merged"]:  # the dashboard's figures for scripts (none for a parent never merged)
        dash = R.dashboard_data(df, prev)
        summary["dashboard"] = {"completeness": dict(zip(dash.completeness["item"], dash.completeness["count"].tolist())),
                                "levels": dash.levels.drop(columns="label").to_dict("records"),
                                "recognitions": dash.recognitions}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        kind = {"xlsx": "báo cáo", "csv": "bảng dữ liệu CSV", "parquet": "bảng dữ liệu Parquet"}[fmt]
        click.echo(f"Đã ghi {kind}: {path} ({summary['units']} đơn vị, {len(df)} dòng dữ liệu"
                   + (", chưa tổng hợp" if not df.attrs["merged"] else "") + ").")


def _profile(path: Path):
    """The profile, its findings printed as every command prints them (:func:`cdht.cli.main._profile_or_exit`)."""
    from cdht.cli.main import _profile_or_exit
    return _profile_or_exit(path)


def _fail(findings) -> None:
    for f in findings:
        click.echo(f.text(), err=True)
    sys.exit(1 if any(f.severity == ERROR for f in findings) else 0)
