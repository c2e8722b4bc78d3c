"""``cdht dossier``: the dossier (hồ sơ) as Word documents, filled from a workbook."""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from cdht.cli.vietnamese import Command
from cdht.messages import ERROR


@click.command("dossier", cls=Command)
@click.argument("workbook", required=False, type=click.Path(path_type=Path), metavar="[<sổ tính>]")
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
    thông báo không đạt (sổ đã thẩm định); dự thảo quyết định công nhận (sổ tổng hợp cấp trên).
    Nếu <sổ tính> là một thư mục: lập hồ sơ cho mọi sổ tính trong đó, mỗi sổ một thư mục con."""
    from cdht.ops.dossier import build_dossier, build_dossiers

    if outlines:
        _outlines(out_dir)
        return
    if workbook is None:
        raise click.UsageError("Cần đường dẫn sổ tính (<sổ tính>), hoặc dùng --outlines.")
    profile = _csv_profile(profile)
    with _writable(out_dir):
        if workbook.is_dir():
            results = build_dossiers(workbook, out_dir, profile=profile, templates=templates)
        else:
            results = [build_dossier(workbook, out_dir, profile=profile, templates=templates)]
    _show(results, as_json, many=workbook.is_dir())
    if not all(r.ok for r in results):
        sys.exit(1)


@contextlib.contextmanager
def _writable(out_dir: Path):
    """The output folder cannot be made or written (no permission, a file of that name, a full
    disk): the coded W066 naming it, exit 1 — as the ribbon button says A032 — never A001."""
    try:
        yield
    except OSError as e:
        from cdht.messages import finding, os_reason

        click.echo(finding("CDHT-W066", folder=str(out_dir), reason=os_reason(e)).text(), err=True)
        sys.exit(1)


def _outlines(out_dir: Path) -> None:
    """``--outlines``: the default outlines copied into ``out_dir``; a link planted under one of
    their names is not written through (W052, exit 1)."""
    from cdht.ops.dossier import write_outlines

    problems: list = []
    with _writable(out_dir):
        written = write_outlines(out_dir, problems)
    for p in written:
        click.echo(str(p))
    for f in problems:
        click.echo(f.text(), err=True)
    if problems:
        sys.exit(1)


def _csv_profile(profile):
    """A --units CSV given as --profile, read as a registry-only profile (its errors stop here);
    a YAML path goes on to the library, which reports its problems."""
    if profile is None or profile.suffix.lower() != ".csv":
        return profile
    from cdht.cli.profile import _load
    from cdht.messages import has_errors

    prof, found = _load(str(profile))
    if prof is None or has_errors(found):
        for f in found:
            click.echo(f.text(), err=True)
        sys.exit(1)
    return prof


def _show(results, as_json: bool, many: bool) -> None:
    if as_json:
        data = [r.as_dict() for r in results]
        click.echo(json.dumps(data if many else data[0], ensure_ascii=False, indent=2, default=str))
        return
    for result in results:
        for f in result.findings:
            click.echo(f.text(), err=f.severity == ERROR)
        for p in result.documents.values():
            click.echo(str(p))
