"""Commands whose module is imported only when they run: a group lists them (name and help line)
without importing any, so that `--help` stays quick and a command never loads what another one needs."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer.core import TyperGroup


@dataclass(frozen=True, slots=True)
class Command:
    """A command (or group of commands) in the module that defines it: ``module:attribute``, a
    typer.Typer (a group) or a function (one command); ``help`` is its line in the list."""

    target: str
    help: str


def load_command(name: str, command: Command) -> Any:  # a click command (typer bundles its own click)
    """Import the command's module and make the click command typer would have made."""
    module, _, attribute = command.target.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name, group.help = name, group.help or command.help
        return group
    single = typer.Typer()
    single.command(name, short_help=command.help)(target)
    return typer.main.get_command(single)


class LazyGroup(TyperGroup):
    """A command group with ``lazy`` commands besides its own: they load when used, and its help's list
    shows their names and lines without loading them. A subclass sets ``lazy``; with ``lazy_first``
    they come before the group's own commands in the list."""

    lazy: ClassVar[dict[str, Command]] = {}
    lazy_first: ClassVar[bool] = False
    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        own = super().list_commands(ctx)
        return [*self.lazy, *own] if self.lazy_first else [*own, *self.lazy]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.lazy.get(cmd_name)
        if command is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the help's list shows a command's name and line only
            return typer.core.TyperCommand(cmd_name, help=command.help)
        return load_command(cmd_name, command)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
