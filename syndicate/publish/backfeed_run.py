"""The backfeed run: the replies, reposts and likes of the syndicated copies brought
home into the responses file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from syndicate.errors import SyndicateError
from syndicate.ledger import Ledger
from syndicate.notes import Note, Report
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.publish.common import chosen_platforms
from syndicate.settings import Settings


@dataclass(frozen=True)
class BackfeedOptions:
    """What `syndicate backfeed` is asked to do."""

    platforms: tuple[str, ...] = ()  # () every one that can
    max_posts: int = 200  # posted copies read at most, newest articles first


@dataclass
class BackfeedReport:
    """What a backfeed run read and kept."""

    checked: int
    added: int
    responses_file: str
    failures: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def summary(self) -> str:
        return (f"Read {self.checked} posted cop{'ies' if self.checked != 1 else 'y'}: "
                f"{self.added} new response{'s' * (self.added != 1)}, kept in "
                f"{self.responses_file}. Rebuild to show them.")


def backfeed(settings: Settings, options: BackfeedOptions, report: Report) -> BackfeedReport:
    """Read the responses to the posted copies, newest articles first, and keep the new
    ones in the responses file. A copy that cannot be read is a failure in the report."""
    from syndicate.http import Http
    from syndicate.responses import Responses

    platforms = chosen_platforms(settings, options.platforms)
    ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
    responses = Responses.load(settings.responses_path)
    posted = [(key, name, parts) for key, name, parts in ledger.posted_parts()
              if name in platforms]
    # Newest first: that is where conversations still happen.
    updated = {(key, name): record.updated_at or "" for key, name, record in ledger.records()}
    posted.sort(key=lambda item: updated[item[0], item[1]], reverse=True)
    http = Http()
    readers: dict[str, Any] = {}
    added = checked = 0
    failures: list[str] = []
    try:
        for key, name, parts in posted:
            if name not in readers:
                try:
                    readers[name] = platforms[name].open_reader(http)
                except NotImplementedError:
                    readers[name] = None
                    if options.platforms:
                        report(Note(f"{platforms[name].label} has no responses to read.",
                                    err=True))
            reader = readers[name]
            if reader is None:
                continue
            own = {part.id for part in parts}
            for part in parts:
                if checked >= options.max_posts:
                    break
                checked += 1
                try:
                    added += responses.merge(key, reader.responses(part, own))
                except SyndicateError as error:
                    failures.append(error.line())
    finally:
        http.close()
    responses.save()
    return BackfeedReport(checked, added, settings.responses_path.name, failures)
