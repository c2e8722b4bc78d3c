"""The ``cdht`` command line: each command a thin skin over a library call.

Output for people by default, ``--json`` for scripts; exit status 1 when a check finds errors.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cdht import __version__
from cdht.cli import vietnamese
from cdht.messages import HELP_WORDS, INTERNAL_ERROR, Finding, finding, os_reason

TIERS = ["xa", "huyen", "tinh"]


def _echo_findings(findings: list[Finding]) -> None:
    for f in findings:
        click.echo(f.text(), err=True)


def _edition_or_exit(path):
    from cdht.edition import CatalogueError, load_edition  # (pydantic, YAML: only for commands that need them)

    try:
        return load_edition(path)
    except CatalogueError as e:
        _echo_findings(e.findings)
        sys.exit(1)


def _dump(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


class _SafeGroup(vietnamese.Group):
    """The last safety net: an unexpected error is a coded Vietnamese message, never a traceback
    (the traceback goes to the log file named in the message); click's own usage errors are coded
    Vietnamese findings too (:mod:`cdht.cli.usage`), and so is Ctrl-C (CDHT-W068, not "Aborted!");
    the help screens are Vietnamese (:mod:`cdht.cli.vietnamese`). Commands of other installed parts
    are looked up only when asked for (:func:`_load_plugins`), so ``cdht --version`` and the
    built-in commands never scan the installed packages."""

    group_class = vietnamese.Group  # (the safety net is the root's only)

    def make_context(self, info_name, args, parent=None, **extra):
        from cdht.cli.usage import coded
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as e:  # the group's own options (cdht --no-such-option)
            raise coded(e) from None
        except (KeyboardInterrupt, EOFError, click.exceptions.Abort) as e:  # Ctrl-C while parsing, listing
            raise vietnamese.interrupted("cdht", e) from None

    plugins_loaded = False

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands:
            _load_plugins()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        _load_plugins()
        return super().list_commands(ctx)

    def invoke(self, ctx):
        from cdht.cli.usage import coded, command_of, group_args
        args = group_args(ctx)
        try:
            return super().invoke(ctx)
        except click.ClickException as e:  # a sub-command's arguments, an unknown command
            raise coded(e, ctx, args) from None
        except (KeyboardInterrupt, EOFError, click.exceptions.Abort) as e:  # Ctrl-C, the end of input at a prompt
            raise vietnamese.interrupted(command_of(ctx, args), e) from None
        except (click.exceptions.Exit, SystemExit):
            raise
        except OSError as e:
            click.echo(finding("CDHT-W023", file=getattr(e, "filename", None) and Path(e.filename).name,
                               reason=os_reason(e)).text(), err=True)
            sys.exit(2)
        except Exception:  # noqa: BLE001 — reported with a code, logged in full
            import traceback

            from cdht.log import log as _log, log_path
            _log(40, f"cdht {' '.join(sys.argv[1:])}\n{traceback.format_exc()}")
            click.echo(finding("CDHT-A001", operation=ctx.invoked_subcommand or "cdht",
                               error=INTERNAL_ERROR, log=str(log_path())).text(), err=True)
            sys.exit(2)


def _progress(total: int, label: str, hidden: bool = False):
    """A progress bar on stderr (click's own: drawn only on a terminal, silent in pipes and tests)."""
    bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
    if hidden:
        bar.is_hidden = True
    return bar


@click.group(cls=_SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cdht", message="%(prog)s %(version)s", help=HELP_WORDS["version"])
def main():
    """Cộng đồng học tập (Thông tư 25/2023/TT-BGDĐT): biểu mẫu Excel, kiểm tra và tổng hợp."""


# --- catalogue --------------------------------------------------------------------------------

@main.group()
def catalogue():
    """Bộ tiêu chí: kiểm tra và xem."""


@catalogue.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path), metavar="[<tệp> …]")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON.")
def catalogue_check(files, as_json):
    """Kiểm tra tệp bộ tiêu chí (mặc định: mọi bộ tiêu chí kèm theo). Thoát mã 1 nếu có lỗi."""
    from cdht.edition import check_edition, shipped_editions

    files = list(files) or shipped_editions()
    report, bad = [], False
    for f in files:
        edition, findings = check_edition(f)
        bad |= bool(findings)
        report.append({"file": str(f), "ok": not findings, "edition": edition.id if edition else None,
                       "findings": [x.as_dict() for x in findings]})
        if not as_json:
            if findings:
                _echo_findings(findings)
            else:
                n = {t.name.lower(): len(t.indicators) for t in edition.tiers.values()}
                click.echo(f"Hợp lệ: {f} — bộ tiêu chí {edition.id}, số chỉ tiêu: "
                           + ", ".join(f"{k} {v}" for k, v in n.items()))
    if as_json:
        _dump(report)
    sys.exit(1 if bad else 0)


@catalogue.command("show")
@click.option("--edition", "edition_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp bộ tiêu chí (mặc định: Thông tư 25/2023).")
@click.option("--tier", type=click.Choice(TIERS), help="Chỉ một cấp.")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON.")
def catalogue_show(edition_path, tier, as_json):
    """Xem bộ tiêu chí: tiêu chí, chỉ tiêu, ngưỡng mức độ 1 và 2."""
    from cdht.cli.render import catalogue_table

    edition = _edition_or_exit(edition_path)
    if tier and tier not in edition.tiers:
        click.echo(f"Bộ tiêu chí {edition.id} không có cấp '{tier}'.", err=True)
        sys.exit(1)
    if as_json:
        _dump(edition.as_dict(tier))
    else:
        click.echo(catalogue_table(edition, tier))


@main.command()
@click.option("--tier", required=True, type=click.Choice(TIERS), help="Cấp của biểu mẫu.")
@click.option("--year", required=True, type=int, help="Năm đánh giá N (số liệu 01/01–31/12 năm N).")
@click.option("--edition", "edition_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp bộ tiêu chí (mặc định: Thông tư 25/2023).")
@click.option("--units", "units_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Danh sách đơn vị CSV (ma, ten, cap, ma_cap_tren, vung_kho_khan): một sổ tính cho mỗi đơn vị.")
@click.option("--unit", "unit_code", metavar="<mã>", help="Chỉ tạo cho một đơn vị (mã trong danh sách).")
@click.option("--password", metavar="<mật khẩu>", help="Mật khẩu bảo vệ trang tính (mặc định: cdht-tt25, xem README).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi biểu mẫu.")
@click.option("--contributor", "contributor", metavar="<mã>",
              help="Tạo phiếu số liệu cho một sở/ngành (mã trong 'contributors' của bộ tiêu chí, "
                   "hoặc 'all'); chỉ dùng với --tier tinh.")
@click.option("--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Hồ sơ cấu hình tỉnh (YAML): danh sách đơn vị năm đó, cơ quan nhận hồ sơ, thẩm định, quyết định.")
@click.option("--signing-key", "signing_key", type=click.Path(dir_okay=False, path_type=Path),
              help="Khóa bí mật Ed25519 của Sở (cdht profile keygen) để ký biểu mẫu; không bao giờ được ghi "
                   "vào biểu mẫu hay hồ sơ cấu hình.")
@click.option("--with-outlines", "with_outlines", is_flag=True,
              help="Phát hành kèm các mẫu văn bản hồ sơ (tờ trình, báo cáo, …) vào thư mục con "
                   "'mau-van-ban-ho-so' để Sở sửa trong Word (cdht dossier --templates).")
@click.option("--from", "from_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Sổ tổng hợp năm trước (N-1) đã gộp (tệp hoặc thư mục, lặp lại được): điền sẵn số liệu năm trước "
                   "(các ô *_nam_truoc) và chuyển Sổ công nhận (quyết định còn hiệu lực) vào biểu mẫu năm N.")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON (với --from: những gì đã chuyển và chưa).")
def generate(tier, year, edition_path, units_path, unit_code, password, out_dir, contributor, profile_path,
             signing_key, with_outlines=False, from_paths=(), as_json=False):
    """Phát hành biểu mẫu Excel đã khóa, có kiểm tra dữ liệu, cho một cấp và một năm."""
    edition = _edition_or_exit(edition_path)
    prof, signing_key = _generate_profile(profile_path, units_path, signing_key)
    from cdht_generator.api import password_warning
    if password_warning(password) is not None:
        _echo_findings([password_warning(password)])
    if contributor:
        if from_paths:
            raise click.UsageError("--from không dùng với --contributor.")
        _generate_forms(edition, tier, year, contributor, out_dir, password, units_path or unit_code)
        return
    units = _units_or_exit(units_path)
    if unit_code and not units_path and not (prof and prof.units):
        raise click.UsageError("--unit cần đi kèm --units hoặc --profile có danh sách đơn vị.")
    from cdht.profile import reform_warning

    warning = reform_warning(edition, year, prof)
    if warning is not None:
        _echo_findings([warning])
    if from_paths:
        from cdht.cli.rollover import run_rollover
        run_rollover(edition, tier, year, out_dir, from_paths, units, unit_code, password, prof, signing_key, as_json)
        _issue_outlines(out_dir, with_outlines, not as_json)
        return
    paths = _generate_workbooks(edition, tier, year, out_dir, units, unit_code, password, prof, signing_key)
    if as_json:
        _dump({"year": year, "tier": tier, "files": [str(p) for p in paths]})
    else:
        for p in paths:
            click.echo(str(p))
        click.echo(f"Đã tạo {len(paths)} biểu mẫu {edition.tier(tier).name.lower()} năm {year} trong {out_dir}.")
    _issue_outlines(out_dir, with_outlines, not as_json)


def _generate_profile(profile_path, units_path, signing_key):
    """The profile given to ``generate`` and the signing key (given, or named by the profile)."""
    if not profile_path:
        return None, signing_key
    if units_path:
        raise click.UsageError("Dùng --profile hoặc --units, không dùng cả hai.")
    prof = _profile_or_exit(profile_path)
    if signing_key is None:
        from cdht.profile import signing_key_path
        signing_key = signing_key_path(prof)
    return prof, signing_key


def _generate_forms(edition, tier, year, contributor, out_dir, password, per_unit) -> None:
    """``generate --contributor``: the departments' data forms (province only)."""
    from cdht_generator.api import GenerateError
    from cdht_generator.contributor import generate_contributor_form

    if tier != "tinh" or per_unit:
        raise click.UsageError("--contributor chỉ dùng với --tier tinh, không kèm --units/--unit.")
    codes = [c.code for c in edition.spec.contributors] if contributor == "all" else [contributor]
    try:
        paths = [generate_contributor_form(edition, year, c, out_dir, password=password) for c in codes]
    except GenerateError as e:
        _echo_findings(e.findings)
        sys.exit(1)
    for p in paths:
        click.echo(str(p))
    click.echo(f"Đã tạo {len(paths)} phiếu số liệu sở/ngành năm {year} trong {out_dir}.")


def _units_or_exit(units_path):
    """The ``--units`` CSV (None when not given); its problems are printed and the command stops."""
    if not units_path:
        return None
    from cdht.units import read_units

    units, findings = read_units(units_path)
    if findings:
        _echo_findings(findings)
    if units is None:
        sys.exit(1)
    return units


def _generate_workbooks(edition, tier, year, out_dir, units, unit_code, password, prof, signing_key):
    """Issue the workbooks (one per registry unit of the tier, or a blank one), with a progress bar."""
    from cdht_generator.api import GenerateError, generate as run

    bar = None
    try:
        if not unit_code and (units is not None or (prof and prof.units)):
            n = len(units.of_tier(tier)) if units is not None else len(prof.units_in(year, tier))
            bar = _progress(n, "Tạo biểu mẫu")
        notes: list = []
        paths = run(edition, tier, year, out_dir, units=units, unit_code=unit_code, password=password,
                    progress=(lambda k, n: bar.update(1)) if bar else None, profile=prof,
                    signing_key=signing_key, notes=notes)
        _echo_findings(notes)
        return paths
    except GenerateError as e:
        _echo_findings(e.findings)
        sys.exit(1)
    finally:
        if bar:
            bar.render_finish()


def _issue_outlines(out_dir, wanted: bool, echo: bool = True) -> None:
    """``--with-outlines``: the dossier's outlines (Word templates) beside the workbooks (issue 15)."""
    if wanted:
        from cdht.dossier import OUTLINES_FOLDER
        from cdht.ops.dossier import write_outlines
        problems: list = []
        paths = write_outlines(Path(out_dir) / OUTLINES_FOLDER, problems)
        if echo:
            click.echo("\n".join(str(p) for p in paths))
        _echo_findings(problems)


def _report_text(rep) -> str:
    from cdht.cli.render import report_text
    return report_text(rep)


def _profile_or_exit(path):
    """A province profile (YAML, or a --units CSV read as a registry-only profile). Its findings
    are printed (on stderr) by every command that uses it, as by ``profile check``: errors stop the
    command (exit 1) before it reads or writes anything else; warnings — sample data (P013), a unit
    list whose codes Excel may have changed (T028) — are printed and the command goes on."""
    from cdht.cli.profile import _load
    from cdht.messages import has_errors

    prof, findings = _load(str(path))
    _echo_findings(findings)
    if prof is None or has_errors(findings):
        sys.exit(1)
    return prof


def _assess_command(fn, file, as_json, write, exit_on_errors, profile_path=None, year=None):
    from cdht.ops.results_sheet import write_results
    from cdht.messages import has_errors

    if profile_path is not None:  # read with the profile: registry facts and the Sở's signature checked
        from cdht.ops.assess import check_evidence, compute_submission
        from cdht.read.submission import read_workbook
        prof = _profile_or_exit(profile_path)
        rep = compute_submission(read_workbook(file, profile=prof))
        if exit_on_errors and rep.assessment is not None:  # check: the evidence too
            rep.evidence_findings = check_evidence(rep.sub, rep.assessment, year=year)
    else:
        rep = fn(file) if year is None else fn(file, year=year)
    write_failed = False
    if write and rep.sub.readable:
        problem = write_results(rep)
        if problem is not None:
            rep.sub.findings.append(problem)
            write_failed = True
    if as_json:
        _dump({**rep.as_dict(), **({"identity": rep.sub.identity} if rep.sub.identity else {})})
    else:
        click.echo(_report_text(rep))
    if not rep.sub.readable:
        sys.exit(2)
    if write_failed or (exit_on_errors and has_errors(rep.findings)):
        sys.exit(1)


def _assess_options(fn):
    """The arguments ``compute`` and ``check`` share: the workbook, --json, --write, --profile."""
    for deco in reversed([
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path), metavar="<sổ tính>"),
        click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON."),
        click.option("--write", is_flag=True, help="Ghi kết quả vào trang 'Kết quả kiểm tra' (có bản sao .bak)."),
        click.option("--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Hồ sơ cấu hình tỉnh: đối chiếu thông tin đơn vị với danh sách của Sở và kiểm tra chữ ký số."),
    ]):
        fn = deco(fn)
    return fn


@main.command()
@_assess_options
def compute(file, as_json, write, profile_path):
    """Tính mức độ của một sổ tính đã điền (tính lại từ số liệu, không đọc kết quả công thức)."""
    from cdht.ops.assess import compute as run
    _assess_command(run, file, as_json, write, exit_on_errors=False, profile_path=profile_path)


@main.command()
@_assess_options
@click.option("--year", type=int, default=None,
              help="Năm đánh giá cần kiểm tra: biểu mẫu năm khác được báo một lần.")
def check(file, as_json, write, profile_path, year):
    """Kiểm tra minh chứng, số liệu và dấu hiệu sửa biểu mẫu. Thoát mã 1 nếu có lỗi."""
    from cdht.ops.assess import check as run
    _assess_command(run, file, as_json, write, exit_on_errors=True, profile_path=profile_path, year=year)


@main.command()
@click.argument("parent", type=click.Path(dir_okay=False, path_type=Path), metavar="<sổ tổng hợp>")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="<sổ cấp dưới> …")
@click.option("--dry-run", is_flag=True, help="Chỉ báo cáo, không ghi gì.")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON.")
@click.option("--on-duplicate", type=click.Choice(["newest", "error", "keep"]), default="newest",
              show_default=True, help="Khi một đơn vị nộp nhiều tệp.")
@click.option("--register-from", type=click.Path(path_type=Path), metavar="<tệp>",  # a folder: coded by the merge (M023)
              help="Sổ tổng hợp năm trước: chuyển Sổ công nhận sang.")
@click.option("--return-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi một sổ tính trả lại cho mỗi đơn vị có lỗi vào thư mục này.")
@click.option("--prefer", type=click.Choice(["workbook", "file"]), default="workbook", show_default=True,
              help="Sổ tỉnh: khi phiếu sở/ngành khác số đã nhập, giữ số trong sổ (workbook) hay lấy số "
                   "trong phiếu (file). Mọi khác biệt đều được báo.")
@click.option("--profile", "merge_profile", type=click.Path(dir_okay=False, path_type=Path),
              help="Hồ sơ cấu hình tỉnh (YAML): danh sách đơn vị chính thức (mẫu số quy tắc 90 %), hạn nộp, "
                   "hạn ra quyết định, cách hiểu 'trước ngày' và thời hạn công nhận.")
@click.option("--units", "merge_units", type=click.Path(dir_okay=False, path_type=Path),
              help="Danh sách đơn vị (CSV), dùng như hồ sơ cấu hình chỉ có danh sách đơn vị.")
@click.option("--previous", "previous", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Sổ tổng hợp của một năm trước (lặp lại cho nhiều năm): thêm xu hướng qua các năm vào trang "
                   "'Tổng quan'. Không ghi: giữ các năm trước đã có trên trang.")
def merge(parent, sources, dry_run, as_json, on_duplicate, register_from, return_dir, prefer, merge_profile,
          merge_units, previous=()):
    """Gộp các sổ tính cấp dưới (tệp hoặc thư mục) vào sổ tổng hợp cấp trên."""
    from cdht.ops.merge import DuplicatePolicy, merge as run
    from cdht.cli.render import merge_text

    prof = _merge_profile(merge_profile, merge_units)

    bar = None

    def progress(k, n):
        nonlocal bar
        if bar is None:
            bar = _progress(n, "Đọc sổ tính", hidden=n <= 20)
        bar.update(1)

    try:
        result = run(parent, list(sources), dry_run=dry_run, on_duplicate=DuplicatePolicy(on_duplicate),
                     register_from=register_from, progress=progress, prefer=prefer, profile=prof,
                     previous=list(previous))
    finally:
        if bar is not None:
            bar.render_finish()
    returned = []
    if return_dir and not dry_run and result.parent_tier is not None:
        from cdht.ops.returns import write_return_workbooks
        returned = write_return_workbooks(result, return_dir)
    if as_json:
        _dump({**result.as_dict(), "return_workbooks": [str(p) for p in returned]})
    else:
        click.echo(merge_text(result))
        if returned:
            click.echo(f"Đã ghi {len(returned)} sổ tính trả lại vào {return_dir}.")
    if result.parent_tier is None or (not dry_run and not result.written):
        sys.exit(2)


def _merge_profile(profile_path, units_path):
    """The merge's profile: a YAML profile, or a --units CSV read as a registry-only one
    (:func:`_profile_or_exit`: its errors stop the merge before anything is read or written)."""
    if profile_path and units_path:
        raise click.UsageError("Dùng --profile hoặc --units, không dùng cả hai.")
    path = profile_path or units_path
    return _profile_or_exit(path) if path is not None else None


@main.command()
@click.option("--out", "out_dir", default="cdht-demo", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Thư mục kết quả (ghi đè lần chạy trước).")
@click.option("--year", default=2026, show_default=True, type=int, help="Năm đánh giá.")
def demo(out_dir, year):
    """Chạy thử trên dữ liệu mẫu: phát hành biểu mẫu, điền cho 12 xã, tổng hợp lên huyện và tỉnh."""
    from cdht.cli.demo import demo_table, run_demo

    steps = _progress(5, "Chạy thử")

    def progress(msg):
        steps.label = msg
        steps.update(1)

    try:
        result = run_demo(out_dir, year, progress)
    finally:
        steps.render_finish()
    click.echo(demo_table(result))


def _load_plugins() -> None:
    """Commands of other installed parts (the Excel add-in's ``cdht addin build``) come in through
    the ``cdht.commands`` entry point group, so the CLI never imports the add-in. Once, on the
    first lookup of a command that is not built in, or when the commands are listed (help)."""
    if main.plugins_loaded:
        return
    main.plugins_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group="cdht.commands"):
        try:
            main.add_command(vietnamese.adopt(ep.load()), ep.name)  # (its help in our words too)
        except Exception:  # noqa: BLE001 — a broken optional part must not break the CLI
            continue


from cdht.cli.profile import profile as _profile_group  # noqa: E402 — the `cdht profile` group
main.add_command(_profile_group)
from cdht.cli.report import report as _report_command  # noqa: E402 — `cdht report` (issue 16)
main.add_command(_report_command)
from cdht.cli.dossier import dossier as _dossier_command  # noqa: E402 — `cdht dossier` (issue 15)
main.add_command(_dossier_command)
from cdht.cli.migrate import migrate as _migrate_command  # noqa: E402 — `cdht migrate` (issue 17)
main.add_command(_migrate_command)


if __name__ == "__main__":  # pragma: no cover
    main()
