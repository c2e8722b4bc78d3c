"""``cdht migrate``: a filled workbook carried into the template of another year (or another
template version) for the same unit. A thin skin over :func:`cdht.ops.migrate.migrate`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cdht.cli.vietnamese import Command


@click.command("migrate", cls=Command)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path), metavar="<sổ tính>")
@click.option("--year", type=int, default=None,
              help="Năm đánh giá của biểu mẫu mới (mặc định: năm của sổ cũ + 1).")
@click.option("--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Hồ sơ cấu hình tỉnh (YAML) hoặc danh sách đơn vị (CSV) của năm mới: tên, cấp trên, vùng khó "
                   "khăn và đơn vị cấp dưới theo danh sách của Sở năm đó.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp sổ tính mới (mặc định: cạnh sổ cũ, tên như Sở phát hành). Không bao giờ ghi đè.")
@click.option("--edition", "edition_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Bộ tiêu chí của biểu mẫu mới (mặc định: bộ tiêu chí hiện hành cùng mã với sổ cũ).")
@click.option("--source-edition", "source_edition_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp bộ tiêu chí mà sổ cũ được phát hành theo, khi là phiên bản cũ hơn bản đang cài.")
@click.option("--signing-key", "signing_key", type=click.Path(dir_okay=False, path_type=Path),
              help="Khóa bí mật Ed25519 của Sở để ký sổ mới (chỉ ở máy của Sở).")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON.")
def migrate(source, year, profile_path, out, edition_path, source_edition_path, signing_key, as_json):
    """Chuyển sổ tính đã điền sang biểu mẫu năm khác (hoặc phiên bản biểu mẫu mới) của cùng đơn vị: chuyển
    minh chứng và các ô còn dùng được, liệt kê ô không chuyển và lý do. Không sửa sổ cũ."""
    from cdht.cli.main import _edition_or_exit, _profile_or_exit
    from cdht.ops.migrate import migrate as run

    prof = _profile_or_exit(profile_path) if profile_path is not None else None
    edition = _edition_or_exit(edition_path) if edition_path is not None else None
    source_edition = _edition_or_exit(source_edition_path) if source_edition_path is not None else None
    result = run(source, year, profile=prof, out=out, source_edition=source_edition, edition=edition,
                 signing_key=signing_key)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(migrate_text(result))
    sys.exit(0 if result.written else 1)


def migrate_text(result) -> str:
    """What was carried, what was not and why, for people."""
    from cdht.evaluate import level_label

    if not result.written:
        return "\n".join([f"Không chuyển sổ tính {result.source}; không ghi tệp nào."]
                         + [f.text() for f in result.findings])
    lines = [f"Đã chuyển {result.source} (năm {result.from_year}) sang biểu mẫu năm {result.year} của đơn vị "
             f"{result.unit_code} — {result.unit_name}:", f"  {result.target}", ""]
    carried = [c["label"] + (f" ← {c['from_label']} (sổ năm {result.from_year})" if "from" in c else "")
               for c in result.carried]
    lines.append(f"Đã chuyển {len(result.carried)} ô và {result.evidence_rows} dòng minh chứng"
                 + (":" if carried else "."))
    lines += [f"  - {c}" for c in carried]
    if result.decisions:
        lines.append(f"Sổ công nhận: {result.decisions} quyết định, {result.decisions_in_force} còn hiệu lực năm "
                     f"{result.year}.")
    from cdht.ops.migrate import EMPTIED, NOT_CARRIED, TO_REVIEW

    groups = (("Để trống, cần nhập số liệu năm " + str(result.year), EMPTIED), ("Không chuyển", NOT_CARRIED),
              ("Cần xem lại", TO_REVIEW))
    for title, codes in groups:
        found = result.of(*codes)
        if found:
            lines += ["", f"{title} ({len(found)}):"] + [f"  {f.text()}" for f in found]
    others = [f for f in result.findings if f.code not in EMPTIED + NOT_CARRIED + TO_REVIEW]
    if others:  # the source's own problems (a register row that is no decision is not carried)
        lines += ["", f"Thông báo khác ({len(others)}):"] + [f"  {f.text()}" for f in others]
    lines += ["", f"Sổ mới: mức độ (tính lại) {level_label(result.level)}, {result.new_errors} lỗi. Danh sách cũng "
                  f"ở trang 'Kết quả kiểm tra' của sổ mới; sau khi nhập: cdht check \"{result.target}\" "
                  f"--year {result.year}"]
    return "\n".join(lines)
