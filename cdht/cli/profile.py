"""``cdht profile``: check a province profile (hồ sơ cấu hình tỉnh), make the Sở's key pair."""
from __future__ import annotations

import json
import sys

import click

from cdht.cli.vietnamese import Group
from cdht.messages import ERROR, has_errors


@click.group("profile", cls=Group)
def profile():
    """Hồ sơ cấu hình tỉnh: danh sách đơn vị, quy trình, cách hiểu thời hạn, khóa ký số."""


def _summary(prof) -> dict:
    spec = prof.spec
    return {
        "profile": spec.profile, "province": spec.province, "sample": spec.sample,
        "readings": spec.readings.model_dump(), "signed": bool(spec.public_key),
        "units": len(spec.units),
        "periods": [{"first_year": p.first_year, "last_year": p.last_year,
                     "tiers": {t: tp.parent for t, tp in p.tiers.items()}} for p in spec.periods],
    }


def _load(file: str):
    """A YAML profile, or a ``--units`` CSV read as a registry-only profile."""
    from cdht.profile import check_profile, load_profile, profile_from_units

    if not file.lower().endswith(".csv"):
        return load_profile(file)
    from cdht.units import read_units

    units, warnings = read_units(file)
    if units is None:
        return None, warnings
    prof = profile_from_units(units)
    findings = warnings + check_profile(prof.spec, file=file)
    return (None if has_errors(findings) else prof), findings


@profile.command("check")
@click.argument("file", type=click.Path(dir_okay=False), metavar="<tệp>")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON.")
def profile_check(file, as_json):
    """Kiểm tra một hồ sơ cấu hình tỉnh (YAML) hoặc danh sách đơn vị (CSV); mỗi lỗi có mã và số dòng."""
    prof, findings = _load(file)
    ok = prof is not None and not has_errors(findings)
    if as_json:
        out = {"file": file, "ok": ok, "findings": [f.as_dict() for f in findings]}
        if prof is not None:
            out.update(_summary(prof))
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    else:
        for f in findings:
            click.echo(f.text(), err=f.severity == ERROR)
        if ok:
            s = _summary(prof)
            click.echo(f"Hồ sơ cấu hình '{s['profile']}' ({s['province']}): hợp lệ — {s['units']} đơn vị, "
                       f"{len(s['periods'])} giai đoạn, "
                       f"{'có' if s['signed'] else 'không có'} khóa ký số.")
        else:
            n = sum(1 for f in findings if f.severity == ERROR)
            click.echo(f"Hồ sơ cấu hình '{file}': {n} lỗi, chưa dùng được.", err=True)
    sys.exit(0 if ok else 1)


@profile.command("keygen")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Thư mục ghi cặp khóa (chỉ lưu ở máy của Sở).")
def profile_keygen(out_dir):
    """Tạo cặp khóa Ed25519 của Sở: khóa bí mật (giữ riêng) và dòng khóa công khai để dán vào hồ sơ."""
    from cdht.messages import Finding
    from cdht.signing import generate_keypair

    made = generate_keypair(out_dir)
    if isinstance(made, Finding):
        click.echo(made.text(), err=True)
        sys.exit(1)
    priv, pub, line = made
    click.echo(f"Khóa bí mật: {priv}  (giữ riêng ở máy của Sở; không đưa vào biểu mẫu, hồ sơ cấu hình "
               f"hay thư điện tử)")
    click.echo(f"Khóa công khai: {pub}")
    click.echo("Dán dòng sau vào hồ sơ cấu hình tỉnh:")
    click.echo(f'public_key: "{line}"')
