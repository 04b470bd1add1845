"""Errors a user can act on: each one names where, what went wrong, and the fix."""

from __future__ import annotations

from collections.abc import Sequence


class SyndicateError(Exception):
    """A problem in the user's content, settings or state, reported as one line."""

    exit_code = 1

    def __init__(self, where: str, problem: str, fix: str) -> None:
        self.where = where
        self.problem = problem
        self.fix = fix
        super().__init__(self.line())

    def line(self) -> str:
        return f"{self.where}: {self.problem}; {self.fix}"


class SettingsError(SyndicateError):
    """A setting, environment variable or command-line choice is wrong (exit 2)."""

    exit_code = 2


class ContentError(SyndicateError):
    """An article, its metadata or a template cannot be turned into drafts."""


class LedgerError(SyndicateError):
    """The ledger cannot be read, or is held by another run; it is never overwritten."""


class PostingError(SyndicateError):
    """A platform refused a post or could not be reached."""


class Halt(SyndicateError):
    """A run stops and changes nothing more, with its own lines on stderr: each of
    errors after an "Error: " mark, then message (exit 1)."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        self.message = message
        self.errors = list(errors)
        super().__init__("", message, "")

    def line(self) -> str:
        return self.message
