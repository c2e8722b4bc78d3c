"""The command line's own errors (a mistyped option, a missing argument, a value of the wrong kind)
as coded Vietnamese findings (CDHT-W033…W039), instead of click's English "Usage: … Error: …".

click raises its usage errors while it parses; :class:`CodedUsage` carries the finding to click's
``main``, which prints it (``show``) and exits with status 2, as click does. ``--help`` and
``--version`` are untouched.
"""
from __future__ import annotations

import os
import re

import click

from cdht.cli.vietnamese import value_kind
from cdht.messages import CHOICE_LABELS, USAGE_PROBLEM, VALUE_KINDS, VALUE_PROBLEMS, Finding, finding, os_reason

_QUOTED = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)\"""")  # the value click quotes with repr()
_NO_SUCH_COMMAND = re.compile(r"No such command '(.+)'")
_EXTRA = re.compile(r"unexpected extra arguments? \((.*)\)")
_VIETNAMESE = re.compile(r"[À-ỹĐđ]")


class CodedUsage(click.ClickException):
    """A usage error as a coded finding; click's ``main`` shows it and exits with status 2."""

    exit_code = 2

    def __init__(self, f: Finding):
        super().__init__(f.message)
        self.finding = f

    def show(self, file=None) -> None:
        click.echo(self.finding.text(), err=True, file=file)


def group_args(ctx: click.Context) -> list[str]:
    """What a group's context still has to dispatch (the sub-command and its arguments)."""
    return list(getattr(ctx, "_protected_args", None) or getattr(ctx, "protected_args", None) or []) + list(ctx.args)


def coded(e: click.ClickException, ctx: click.Context | None = None, args: list[str] = ()) -> click.ClickException:
    """``e`` as a :class:`CodedUsage` when it is click's usage or file error (a usage error that shows
    help, and a command's own ClickException, pass unchanged).
    ``ctx`` and ``args``: the group's context and :func:`group_args`, to find the sub-command when
    click's parser raised without one ("Option '--year' requires an argument.")."""
    if isinstance(e, CodedUsage) or type(e).__name__ == "NoArgsIsHelpError" \
            or not isinstance(e, (click.UsageError, click.FileError)):
        return e  # a command's own ClickException carries its own coded text
    if getattr(e, "ctx", None) is None and ctx is not None and isinstance(e, click.UsageError):
        e.ctx = _named_command(ctx, list(args))
    return CodedUsage(translate(e))


def command_of(ctx: click.Context, args: list[str]) -> str:
    """``cdht merge``: the command a group's context was dispatching (:func:`group_args`), as typed."""
    return _command(_named_command(ctx, list(args)))


def _named_command(ctx: click.Context, args: list[str]) -> click.Context:
    """The context of the sub-command ``args`` name (by name only, nothing parsed)."""
    while isinstance(ctx.command, click.Group) and args:
        sub = ctx.command.get_command(ctx, args[0])
        if sub is None:
            break
        ctx = click.Context(sub, info_name=args.pop(0), parent=ctx)
    return ctx


def translate(e: click.ClickException) -> Finding:
    """The finding for one of click's errors."""
    ctx = getattr(e, "ctx", None)
    command = _command(ctx)
    if isinstance(e, click.exceptions.NoSuchOption):
        return finding("CDHT-W033", command=command, option=e.option_name, options=_options(ctx))
    if isinstance(e, click.exceptions.MissingParameter) and e.param is not None:
        return finding("CDHT-W034", command=command, param=_param_name(e.param, ctx),
                       expected=_expected(e.param), usage=_usage(ctx))
    if isinstance(e, click.exceptions.FileError):
        return finding("CDHT-W035", command=command, value=e.ui_filename, param=command,
                       reason=_path_reason(e.ui_filename), expected=VALUE_KINDS["file"])
    if isinstance(e, click.BadParameter) and e.param is not None:
        return _bad_value(e, command)
    if isinstance(e, click.exceptions.BadOptionUsage) and _takes_value(ctx, e.option_name):
        return finding("CDHT-W038", command=command, option=e.option_name,
                       expected=_expected(_option(ctx, e.option_name)), usage=_usage(ctx))
    return _usage_error(e, ctx, command)


def _usage_error(e: click.ClickException, ctx, command: str) -> Finding:
    """An unknown command (W036), extra arguments (W039), else the command called wrongly (W037)."""
    name = getattr(e, "cmd_name", None)
    match = _NO_SUCH_COMMAND.search(e.message) if name is None else None
    if name is not None or match:
        commands = sorted(ctx.command.list_commands(ctx)) if isinstance(getattr(ctx, "command", None), click.Group) else []
        return finding("CDHT-W036", command=command, name=name or match.group(1), commands=", ".join(commands))
    extra = _EXTRA.search(e.message)
    if extra:
        return finding("CDHT-W039", command=command, extra=extra.group(1), usage=_usage(ctx))
    problem = e.message.rstrip(".") if _VIETNAMESE.search(e.message) else USAGE_PROBLEM  # ours are Vietnamese
    return finding("CDHT-W037", command=command, problem=problem, usage=_usage(ctx))


def _bad_value(e: click.BadParameter, command: str) -> Finding:
    """W035: a value of the wrong kind — the value as typed, why it is refused, what is expected."""
    m = _QUOTED.search(e.message)
    value = (m.group(1) if m.group(1) is not None else m.group(2)) if m else ""
    kind = value_kind(e.param.type)
    if kind in ("file", "folder", "path"):
        reason = _path_reason(value, e.param.type)
    else:
        reason = VALUE_PROBLEMS.get(kind, VALUE_PROBLEMS["other"])
    return finding("CDHT-W035", command=command, value=value, param=_param_name(e.param, e.ctx), reason=reason,
                   expected=_expected(e.param))


def _path_reason(value: str, kind: click.Path | None = None) -> str:
    """Why a path was refused, in the OS reasons' vocabulary (never the system's English)."""
    if not os.path.exists(value):
        return os_reason(FileNotFoundError(2, "", value))
    if os.path.isdir(value) and (kind is None or not kind.dir_okay):
        return os_reason(IsADirectoryError(21, "", value))
    if os.path.isfile(value) and kind is not None and not kind.file_okay:
        return VALUE_PROBLEMS["is_file"]
    return VALUE_PROBLEMS["unreadable"]


def _expected(param) -> str:
    """What the parameter takes, in words ("một trong: 'xa', 'huyen', 'tinh'")."""
    if param is None:
        return VALUE_KINDS["text"]
    kind = value_kind(param.type)
    choices = ", ".join(f"'{c}'" + (f" ({CHOICE_LABELS[c]})" if c in CHOICE_LABELS else "")
                        for c in getattr(param.type, "choices", ()))
    return VALUE_KINDS[kind].format(choices=choices)


def _param_name(param, ctx) -> str:
    """``--tier`` for an option, ``<sổ tính>`` for an argument (as ``--help`` shows them)."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    try:
        return param.make_metavar(ctx)  # click 8.2+
    except TypeError:
        return param.make_metavar()  # click 8.1


def _option(ctx, name: str):
    if ctx is None:
        return None
    return next((p for p in ctx.command.params if isinstance(p, click.Option) and name in p.opts + p.secondary_opts),
                None)


def _takes_value(ctx, name: str) -> bool:
    opt = _option(ctx, name)
    return opt is not None and not opt.is_flag and opt.nargs != 0


def _command(ctx) -> str:
    """``cdht check``: the command as people type it (the root is always called cdht)."""
    names = []
    while ctx is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["cdht"] + [n for n in reversed(names[:-1]) if n])


def _options(ctx) -> str:
    if ctx is None:
        return "--help"
    opts = [max(p.opts, key=len) for p in ctx.command.params if isinstance(p, click.Option)]
    return ", ".join(opts + ["--help"])


def _usage(ctx) -> str:
    """``cdht check [tùy chọn] <sổ tính>``: how the command is called (its usage line, in our words:
    :mod:`cdht.cli.vietnamese`)."""
    if ctx is None:
        return "cdht --help"
    return " ".join([_command(ctx)] + ctx.command.collect_usage_pieces(ctx))


__all__ = ["CodedUsage", "coded", "command_of", "translate"]
