"""What every `syndicate` command shares: the error handling that turns a SyndicateError
into one line and its exit code, the progress line printer, the common options, and
JSON for people or programs."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from syndicate.compose.manifest import Manifest, load_manifest
from syndicate.errors import Halt, SyndicateError
from syndicate.notes import Note
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.preview.display import state_badge
from syndicate.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])
PLATFORM_CHOICE = click.Choice(sorted(PLATFORM_CLASSES), case_sensitive=False)


class SyndicateGroup(click.Group):
    """Turns every SyndicateError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Halt as halt:
            for line in halt.errors:
                click.echo(ERROR + line, err=True)
            click.echo(halt.message, err=True)
            sys.exit(halt.exit_code)
        except SyndicateError as error:
            click.echo(ERROR + error.line(), err=True)
            sys.exit(error.exit_code)


ERROR = click.style("Error: ", fg="red", bold=True)
WARNING = click.style("Warning: ", fg="yellow")


def show(note: Note) -> None:
    """One progress line of a run, marked and coloured as a person reads it."""
    if note.level:
        click.echo((ERROR if note.level == "error" else WARNING) + note.text, err=note.err)
    elif note.state:
        word = (click.style("Posted", fg="green") if note.state == "posted"
                else state_badge(note.state).capitalize())
        click.echo(f"{note.counter} {word} {note.text}", err=note.err)
    else:
        click.echo(note.text, err=note.err)


def settings_option(command: F) -> F:
    return click.option(
        "-s", "--settings", "settings_path", type=click.Path(path_type=Path),
        default="pelicanconf.py", show_default=True, envvar="SYNDICATE_SETTINGS",
        help="The Pelican settings file holding the SYNDICATE dict.")(command)


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option("--format", "output_format", type=click.Choice(choices),
                        default=choices[0], show_default=True,
                        help="Output for people (table) or for programs (json).")


def platform_option(help_text: str) -> Callable[[F], F]:
    return click.option("--platform", "-p", "platform_names", multiple=True,
                        type=PLATFORM_CHOICE, help=help_text)


def load(settings_path: Path) -> tuple[Settings, Manifest]:
    settings = load_settings(settings_path)
    return settings, load_manifest(settings.manifest_path)


def dump_json(value: Any) -> str:
    # Indented for a person at a terminal; compact (and several times faster) for programs.
    indent = 2 if sys.stdout.isatty() else None
    return json.dumps(value, ensure_ascii=False, indent=indent)
