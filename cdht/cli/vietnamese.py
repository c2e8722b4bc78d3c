"""The words click itself prints, in Vietnamese: the help screens (``Cách gọi:``, ``[tùy chọn]``,
the headings, the help and version options, ``<số>`` / ``<tệp>`` after an option, the
``[mặc định: …]`` and ``[bắt buộc]`` notes) and Ctrl-C (CDHT-W068 instead of "Aborted!").

Through click's extension points only: :class:`Command` and :class:`Group` (a group makes its
sub-commands and sub-groups of these classes, ``command_class`` / ``group_class``), and
:func:`adopt` for the commands other installed parts plug in with click's own classes. The words
are in :mod:`cdht.messages`; usage errors are :mod:`cdht.cli.usage`.
"""
from __future__ import annotations

import click

from cdht.messages import COMMAND_WORD, HELP_WORDS, OPTIONS_WORD, VALUE_METAVARS, Finding, finding

# click's own placeholders in a usage line, and ours
_METAVARS = {"[OPTIONS]": OPTIONS_WORD, "COMMAND [ARGS]...": COMMAND_WORD, "[COMMAND] [ARGS]...": f"[{COMMAND_WORD}]"}


def value_kind(t: click.ParamType) -> str:
    """The kind of value a parameter takes (the keys of VALUE_KINDS and VALUE_METAVARS)."""
    if isinstance(t, click.Choice):
        return "choice"
    if isinstance(t, click.types.IntParamType):
        return "integer"
    if isinstance(t, click.types.FloatParamType):
        return "number"
    if isinstance(t, click.Path):
        return "folder" if not t.file_okay else "file" if not t.dir_okay else "path"
    return "text"


def _localise(cmd: click.Command) -> None:
    """Our placeholders in ``cmd``'s usage line, and after each of its options that takes a value
    and has no metavar of its own (click would print its type's English name: INTEGER, PATH, TEXT)."""
    cmd.options_metavar = _METAVARS.get(cmd.options_metavar, cmd.options_metavar)
    if isinstance(cmd, click.Group):
        cmd.subcommand_metavar = _METAVARS.get(cmd.subcommand_metavar, cmd.subcommand_metavar)
    for p in cmd.params:
        if (isinstance(p, click.Option) and p.metavar is None and not (p.is_flag or p.count)
                and type(p.type).get_metavar is click.ParamType.get_metavar):  # (a choice lists its values)
            p.metavar = VALUE_METAVARS.get(value_kind(p.type), VALUE_METAVARS["text"]) + (" …" if p.nargs != 1 else "")


def _option_row(param: click.Parameter, ctx: click.Context):
    """An option's line on the help screen, its notes in our words ("[mặc định: newest; bắt buộc]")."""
    row = param.get_help_record(ctx)
    if row is None or not hasattr(param, "get_help_extra"):  # (click 8.1: its own notes)
        return row
    extra = param.get_help_extra(ctx)
    notes = [f"{HELP_WORDS['envvar']}: {', '.join(extra['envvars'])}"] if "envvars" in extra else []
    notes += [f"{HELP_WORDS['default']}: {extra['default']}"] if "default" in extra else []
    notes += [extra["range"]] if "range" in extra else []
    notes += [HELP_WORDS["required"]] if "required" in extra else []
    text = param.help or ""
    if notes:
        text = f"{text}  [{'; '.join(notes)}]" if text else f"[{'; '.join(notes)}]"
    return row[0], text


class Command(click.Command):
    """A command whose help screen is in Vietnamese."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _localise(self)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), f"{HELP_WORDS['usage']} ")

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_WORDS["help"]
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [_option_row(p, ctx) for p in self.get_params(ctx) if not isinstance(p, click.Argument)]
        rows = [r for r in rows if r is not None]
        if rows:
            with formatter.section(HELP_WORDS["options"]):
                formatter.write_dl(rows)


class Group(Command, click.Group):
    """A group whose help screen is in Vietnamese; its sub-commands and sub-groups are too."""

    command_class = Command
    group_class = type  # (a sub-group is of the group's own class)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section(HELP_WORDS["commands"]):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])


_OURS = {click.Command: Command, click.Group: Group}


def adopt(cmd: click.Command) -> click.Command:
    """A command another installed part plugs in (declared with click's own classes, since it does
    not import the CLI), made one of ours, with its sub-commands: its help reads like the rest of
    ``cdht``. A plugin's own subclass of click's classes is left as it is."""
    ours = _OURS.get(type(cmd))
    if ours is not None:
        cmd.__class__ = ours
        _localise(cmd)
    for sub in getattr(cmd, "commands", {}).values():
        adopt(sub)
    return cmd


class Interrupted(click.ClickException):
    """Ctrl-C, or the end of input at a prompt, as CDHT-W068; click's ``main`` shows it (instead of
    "Aborted!") and exits with status 1, as click does."""

    exit_code = 1

    def __init__(self, f: Finding, blank_line: bool):
        super().__init__(f.message)
        self.finding = f
        self.blank_line = blank_line

    def show(self, file=None) -> None:
        if self.blank_line:  # (closes the terminal's ^C echo, as click does)
            click.echo(err=True, file=file)
        click.echo(self.finding.text(), err=True, file=file)


def interrupted(command: str, error: BaseException) -> Interrupted:
    """``error`` (KeyboardInterrupt, EOFError, or click's Abort after a prompt) as :class:`Interrupted`."""
    return Interrupted(finding("CDHT-W068", command=command), blank_line=not isinstance(error, click.exceptions.Abort))


__all__ = ["Command", "Group", "Interrupted", "adopt", "interrupted", "value_kind"]
