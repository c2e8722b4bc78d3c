"""The words click itself prints are Vietnamese (house rule; issue 18): every command's and
sub-command's ``--help`` (the add-in's plugged-in ``cdht addin …`` too), and Ctrl-C (CDHT-W068,
not click's "Aborted!", exit status 1 as click's)."""
from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from cdht.cli.main import main
from cdht.messages import COMMAND_WORD, HELP_WORDS, OPTIONS_WORD
from tests.support.cli import run

# click's English skeleton: its headings, help / version texts, placeholders and type names, notes
ENGLISH = ["Usage:", "Options:", "Commands:", "Arguments:", "Show this message", "Show the version", "[OPTIONS]",
           "COMMAND", "[ARGS]", "default:", "required]", "env var", "DEPRECATED", "Aborted"]
TYPE_NAMES = re.compile(r"\b(TEXT|INTEGER|FLOAT|PATH|FILE|FILENAME|DIRECTORY|BOOLEAN|UUID|DATETIME|DATE|CODE)\b")
# an argument's own (English) name, as click prints it without a metavar: PARENT, SOURCES...
SHOUTED = re.compile(r"(?<![\w-])[A-Z][A-Z_]{2,}(?:\.\.\.)?(?![\w-])")
ALLOWED_CAPS = {"CSV", "YAML", "JSON", "VBA", "ANSI", "XLSTART", "USERPROFILE", "README"}  # names, not placeholders


def english_in(text: str) -> list[str]:
    """click's English skeleton words in a help screen (notes may wrap: whitespace is folded)."""
    flat = " ".join(text.split())
    return ([w for w in ENGLISH if w in flat] + TYPE_NAMES.findall(flat)
            + [w for w in SHOUTED.findall(flat) if w.rstrip(".") not in ALLOWED_CAPS])


def test_the_scanner_finds_clicks_own_help_screen():
    @click.command()
    @click.argument("parent", type=click.Path())
    @click.option("--year", type=int, required=True, help="Năm.")
    @click.option("--out", type=click.Path(file_okay=False), default="x", show_default=True)
    def plain(parent, year, out):
        """Lệnh."""
    found = english_in(CliRunner().invoke(plain, ["--help"]).output)
    assert {"Usage:", "Options:", "[OPTIONS]", "Show this message", "required]", "default:", "INTEGER", "DIRECTORY",
            "PARENT"} <= set(found), found
    assert english_in("Cách gọi: cdht merge [tùy chọn] <sổ tổng hợp>\n  --units <tệp>  Danh sách (CSV).") == []


def _commands(cmd: click.Command = main, path: tuple[str, ...] = ()):
    """Every command and sub-command's path (``()`` is ``cdht`` itself), plugins included."""
    yield path
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name="cdht")
        for name in cmd.list_commands(ctx):
            yield from _commands(cmd.get_command(ctx, name), path + (name,))


COMMANDS = list(_commands())


def test_the_walk_reaches_every_command_and_the_plugins():
    assert {(), ("merge",), ("catalogue", "check"), ("profile", "keygen"), ("addin", "bundle")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(("cdht",) + p))
def test_help_is_vietnamese(path):
    res = CliRunner().invoke(main, [*path, "--help"], prog_name="cdht")
    text = res.output
    assert res.exit_code == 0, text
    assert english_in(text) == [], text
    usage = text.splitlines()[0]
    assert usage.startswith(f"{HELP_WORDS['usage']} {' '.join(('cdht',) + path)} {OPTIONS_WORD}"), text
    assert f"\n{HELP_WORDS['options']}:\n" in text and HELP_WORDS["help"] in text
    if isinstance(_command(path), click.Group):
        assert f"\n{HELP_WORDS['commands']}:\n" in text and usage.endswith(COMMAND_WORD)


def _command(path):
    cmd = main
    for name in path:
        cmd = cmd.get_command(click.Context(cmd), name)
    return cmd


def test_the_version_option_and_the_notes_after_an_option():
    top = run("--help").output
    assert HELP_WORDS["version"] in top
    merge = " ".join(run("merge", "--help").output.split())  # (notes may wrap)
    assert "[newest|error|keep]" in merge, merge  # values to type stay as they are typed
    assert f"[{HELP_WORDS['default']}: newest]" in merge and "<sổ tổng hợp> <sổ cấp dưới> …" in merge
    generate = " ".join(run("generate", "--help").output.split())  # (notes may wrap)
    assert f"[{HELP_WORDS['required']}]" in generate and "--year <số>" in generate and "--out <thư mục>" in generate


def test_a_usage_error_shows_the_usage_line_of_the_help_screen():
    res = run("check")
    assert res.exit_code == 2 and "[CDHT-W034]" in res.output
    assert "cdht check [tùy chọn] <sổ tính>" in res.output and "FILE" not in res.output


def test_ctrl_c_in_a_command_is_a_coded_vietnamese_line(monkeypatch, tmp_path):
    """Ctrl-C while the merge runs (KeyboardInterrupt from its library call): W068, exit status 1."""
    import cdht.ops.merge as merge_module

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(merge_module, "merge", interrupted)
    res = CliRunner().invoke(main, ["merge", str(tmp_path / "huyen.xlsx"), str(tmp_path)])
    assert res.exit_code == 1, res.output
    assert "Aborted" not in res.output and "Traceback" not in res.output
    assert "[CDHT-W068] CẢNH BÁO: Lệnh 'cdht merge' đã dừng" in res.output and "Cách sửa:" in res.output


@pytest.mark.parametrize("error", [EOFError, click.exceptions.Abort])
def test_the_end_of_input_at_a_prompt_is_the_same_line(monkeypatch, tmp_path, error):
    """EOF (Ctrl-D / Ctrl-Z) where a prompt reads, or click's Abort a prompt raises: W068 too."""
    import cdht.ops.merge as merge_module

    def stopped(*a, **k):
        raise error()

    monkeypatch.setattr(merge_module, "merge", stopped)
    res = CliRunner().invoke(main, ["merge", str(tmp_path / "huyen.xlsx"), str(tmp_path)])
    assert res.exit_code == 1 and "[CDHT-W068]" in res.output and "Aborted" not in res.output, res.output
