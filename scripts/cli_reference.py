"""Print the CLI reference (Markdown) generated from the click commands — pasted into README.

`python scripts/cli_reference.py > /tmp/ref.md`; tests/test_readme.py fails when README drifts.
"""
from __future__ import annotations

import click

from cdht.cli.main import main


def _walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name=" ".join(path))
        for name in sorted(cmd.list_commands(ctx)):  # (lists the commands of installed parts too)
            yield from _walk(cmd.get_command(ctx, name), path + [name])


def reference() -> str:
    out = []
    for path, cmd in _walk(main, ["cdht"]):
        if isinstance(cmd, click.Group) and len(path) > 1:
            continue
        ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100,
                            help_option_names=["-h", "--help"])  # as main's context_settings
        out.append(f"#### `{' '.join(path)}`\n\n```text\n{cmd.get_help(ctx).rstrip()}\n```\n")
    return "\n".join(out)


if __name__ == "__main__":
    print(reference(), end="")
