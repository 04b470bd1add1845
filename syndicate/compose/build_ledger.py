"""The ledger as a build holds it: read in a second process while Pelican reads the
sources, let go by Pelican's process once the drafting child has its copy, read again
only if it is needed after that (the HTML preview, or a drafting child that failed).

A large blog's ledger takes a tenth of a second to read and validate, and MiBs to hold
while Pelican writes the site; neither is on the build's way any more. The ledger read
is the slim one (Ledger.load_for_build), validated as always: a bad ledger is one error
line, wherever it was read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from syndicate.collector import collection_paused
from syndicate.compose.background import ForkedWork
from syndicate.errors import SyndicateError
from syndicate.ledger import Ledger


class BuildLedger:
    def __init__(self, path: Path, platforms: Collection[str], in_background: bool,
                 report: Callable[[str], None]) -> None:
        """Start reading the ledger at path (in_background: in a second process, where
        this machine can); report(line) is told of a ledger that cannot be read."""
        self.path = path
        self.platforms = platforms
        self.report = report
        self.ledger: Ledger | None = None
        self.moves: list[tuple[str, str]] = []  # the articles that moved (old, new key)
        self.let_go_of = False
        self.reading = ForkedWork.start(self._read_data) if in_background else None
        if self.reading is None:
            self.ledger = self._read()

    def _load(self) -> Ledger:
        with collection_paused():  # parsing makes no cycles
            return Ledger.load_for_build(self.path, self.platforms)

    def _read(self) -> Ledger | None:
        try:
            return self._load()
        except SyndicateError as error:
            self.report(error.line())
            return None

    def _read_data(self) -> tuple[str, Any]:
        """In the second process: the ledger's data, or the line saying what is wrong."""
        try:
            return "ledger", self._load().data
        except SyndicateError as error:
            return "error", error.line()

    def current(self) -> Ledger | None:
        """The ledger (waiting for it if it is still being read); None when it could not
        be read, or once let go."""
        reading, self.reading = self.reading, None
        if reading is not None:
            with collection_paused():
                made = reading.result()
            if made is None:  # the second process failed: read it here
                self.ledger = self._read()
            elif made[0] == "error":
                self.report(made[1])
            else:
                self.ledger = Ledger.for_build(self.path, made[1])
        return self.ledger

    def follow_moves(self, keys: Collection[str], url_of: Callable[[str], str]) -> None:
        """Ledger.follow_moves, its moves remembered for a ledger read again."""
        if self.current() is not None:
            assert self.ledger is not None
            self.moves = self.ledger.follow_moves(keys, url_of)

    def let_go(self) -> None:
        """Drop the ledger (another process has its copy): again() reads it back."""
        if self.current() is not None:
            self.ledger, self.let_go_of = None, True

    def again(self) -> Ledger | None:
        """The ledger, read again if it was let go (its moves followed again)."""
        if self.let_go_of:
            self.let_go_of = False
            self.ledger = self._read()
            if self.ledger is not None:
                for old, key in self.moves:
                    self.ledger.move(old, key)
        return self.current()
