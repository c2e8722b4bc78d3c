"""``cdht addin …``: the add-in's own commands, plugged into the ``cdht`` CLI through the
``cdht.commands`` entry point (pyproject.toml), so the CLI never imports the add-in."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("addin")
def addin_group():
    """Add-in Excel (ribbon "Cộng đồng học tập")."""


@addin_group.command("build")
@click.option("--out", "out_dir", default="dist", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Thư mục ghi cdht.xlam.")
def addin_build(out_dir):
    """Đóng gói cdht.xlam (VBA chỉ gọi RunPython, ribbon tiếng Việt) từ thư mục macros/."""
    from cdht.messages import finding

    try:
        from cdht_addin.build_xlam import build_addin

        path = build_addin(out_dir)
    except ModuleNotFoundError as e:  # core install without the addin-build extra
        click.echo(finding("CDHT-A006", package=e.name or "xlwings").text(), err=True)
        sys.exit(1)
    except Exception as e:  # missing macros/, version mismatch, pyOpenVBA failure: reported, no traceback
        click.echo(f"[CDHT-A001] LỖI: {e}", err=True)
        sys.exit(1)
    click.echo(f"Đã tạo {path}")
