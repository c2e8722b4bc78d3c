"""``cdht dossier``: the dossier (hồ sơ) as Word documents, filled from a workbook."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cdht.messages import ERROR


@click.command("dossier")
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi các văn bản (.docx).")
@click.option("--profile", "profile", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Hồ sơ cấu hình tỉnh (YAML) hoặc danh sách đơn vị (CSV): tên các cơ quan cấp trên, quy trình của năm.")
@click.option("--templates", "templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Thư mục mẫu văn bản (đề cương) do Sở sửa trong Word; mẫu thiếu dùng mẫu mặc định.")
@click.option("--outlines", is_flag=True,
              help="Chỉ chép các mẫu văn bản mặc định vào --out để Sở sửa trong Word (không cần sổ tính).")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON.")
def dossier(workbook, out_dir, profile, templates, outlines, as_json):
    """Lập hồ sơ từ sổ tính: tờ trình, báo cáo tự đánh giá, bản tổng hợp; kết quả thẩm định và
    thông báo không đạt (sổ đã thẩm định); dự thảo quyết định công nhận (sổ tổng hợp cấp trên)."""
    from cdht.ops.dossier import build_dossier, write_outlines

    if outlines:
        for p in write_outlines(out_dir):
            click.echo(str(p))
        return
    if workbook is None:
        raise click.UsageError("Cần đường dẫn sổ tính (WORKBOOK), hoặc dùng --outlines.")
    if profile is not None and profile.suffix.lower() == ".csv":  # a --units list: registry-only profile
        from cdht.cli.profile import _load
        from cdht.messages import has_errors

        profile, found = _load(str(profile))
        if profile is None or has_errors(found):
            for f in found:
                click.echo(f.text(), err=True)
            sys.exit(1)
    result = build_dossier(workbook, out_dir, profile=profile, templates=templates)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        for f in result.findings:
            click.echo(f.text(), err=f.severity == ERROR)
        for p in result.documents.values():
            click.echo(str(p))
    if not result.ok:
        sys.exit(1)
