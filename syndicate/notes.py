"""What a run says while it works: one Note per line, handed to a Report callback that
the command line prints (the library itself never prints)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """One line of progress for a person, said as it happens.

    err: it belongs on stderr. level "error" or "warning": the line is said after an
    "Error: " or "Warning: " mark. state: the outcome of a draft (posted, failed,
    attention), said as a coloured word after the counter ("[1/3]").
    """

    text: str
    err: bool = False
    level: str = ""
    state: str = ""
    counter: str = ""


Report = Callable[[Note], None]


def quiet(note: Note) -> None:
    """A Report that says nothing."""
