"""``cdht addin …``: the add-in's own commands, plugged into the ``cdht`` CLI through the
``cdht.commands`` entry point (pyproject.toml), so the CLI never imports the add-in."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("addin")
def addin_group():
    """Phần bổ trợ (add-in) Excel: tab "Cộng đồng học tập" trên thanh công cụ."""


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
    except Exception:  # missing macros/, version mismatch, pyOpenVBA failure: coded, details in the log
        import traceback

        from cdht.log import log, log_path
        from cdht.messages import INTERNAL_ERROR
        log(40, f"cdht addin build\n{traceback.format_exc()}")
        click.echo(finding("CDHT-A001", operation="cdht addin build", error=INTERNAL_ERROR,
                           log=str(log_path())).text(), err=True)
        sys.exit(1)
    click.echo(f"Đã tạo {path}")


def _stop(code: str, **facts) -> None:
    from cdht.messages import finding

    click.echo(finding(code, **facts).text(), err=True)
    sys.exit(1)


def _built_xlam(tmp: Path) -> Path:
    """cdht.xlam built now from this installation (needs the addin-build extra)."""
    try:
        from cdht_addin.build_xlam import build_addin

        return build_addin(tmp)
    except ModuleNotFoundError as e:
        _stop("CDHT-A006", package=e.name or "pyopenvba")


_PROFILE = click.option("--profile-dir", type=click.Path(file_okay=False, path_type=Path),
                        help="Thư mục hồ sơ người dùng Windows (mặc định %USERPROFILE%).")
_FOLDER = click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
                       help="Thư mục đặt cdht.xlam (mặc định thư mục XLSTART của người dùng).")
_CODEPAGE = click.option("--codepage", metavar="<bảng mã>", help="Bảng mã ANSI của Windows đích (mặc định: đọc từ Windows).")


@addin_group.command("install")
@click.option("--xlam", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Tệp cdht.xlam có sẵn (mặc định: dựng ngay từ bản cài đặt này).")
@_FOLDER
@_PROFILE
@click.option("--python", "interpreter", type=click.Path(dir_okay=False, path_type=Path),
              help="Python mà add-in chạy (mặc định pythonw.exe của Python đang chạy lệnh này).")
@_CODEPAGE
def addin_install(xlam, folder, profile_dir, interpreter, codepage):
    """Cài add-in cho người dùng này: chép cdht.xlam vào XLSTART, gỡ dấu tải về, ghi Python cho add-in."""
    import tempfile

    from cdht_addin.install import install

    with tempfile.TemporaryDirectory(prefix="cdht-addin-") as tmp:
        _run_and_report(install, xlam or _built_xlam(Path(tmp)), profile_dir, folder, interpreter, codepage)


@addin_group.command("uninstall")
@_FOLDER
@_PROFILE
@_CODEPAGE
def addin_uninstall(folder, profile_dir, codepage):
    """Gỡ add-in của người dùng này (tệp cdht.xlam và thiết lập Python của nó)."""
    from cdht_addin.install import uninstall

    _run_and_report(uninstall, profile_dir, folder, codepage)


def _run_and_report(action, *args) -> None:
    """Run install/uninstall; print what it did, or stop with its coded message (W023 for the OS)."""
    from cdht.messages import os_reason
    from cdht_addin.install import InstallError

    try:
        report = action(*args)
    except InstallError as e:
        _stop(e.code, **e.facts)
    except OSError as e:
        _stop("CDHT-W023", reason=os_reason(e))
    for line in report.lines:
        click.echo(line)


@addin_group.command("bundle")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi gói cài đặt cdht-addin-<phiên bản>/ và tệp .zip của nó.")
@click.option("--python", "pythons", multiple=True, metavar="3.X",
              help="Phiên bản Python của máy đích, lặp lại được (mặc định 3.11, 3.12, 3.13, 3.14).")
@click.option("--platform", "platforms", metavar="<nền tảng>", multiple=True, default=("win_amd64",), show_default=True,
              help="Thẻ nền tảng của wheel (pip --platform), lặp lại được.")
@click.option("--index-url", metavar="<địa chỉ>", help="Kho gói thay cho PyPI (ví dụ kho nội bộ của Sở).")
@click.option("--lite-url", metavar="<địa chỉ>", help="Địa chỉ web nơi Sở đặt thư mục lite/ (tệp wheel cho xlwings Lite).")
def addin_bundle(out_dir, pythons, platforms, index_url, lite_url):
    """Gói cài đặt ngoại tuyến: wheel của cdht và mọi gói cần cho Windows 64-bit, cdht.xlam, cai-dat.cmd."""
    from cdht_addin.bundle import bundle

    try:
        _run_and_report(bundle, out_dir, pythons or None, platforms, index_url, lite_url)
    except ModuleNotFoundError as e:  # core install without the addin-build extra
        _stop("CDHT-A006", package=e.name or "packaging")
