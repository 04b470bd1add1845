"""The retract run: an article's copies deleted from the platforms, and recorded as
retracted in the ledger."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from syndicate.errors import SettingsError, SyndicateError
from syndicate.ledger import Ledger, ledger_lock
from syndicate.notes import Note, Report
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.platforms.base import Deleter, supports_delete
from syndicate.publish.common import chosen_platforms, open_posters
from syndicate.settings import Settings


@dataclass
class RetractReport:
    """What a retract run did: cancelled (nothing deleted), or failed somewhere."""

    cancelled: bool = False
    failed: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.cancelled or self.failed else 0


def retract(settings: Settings, article_key: str, platform_names: Sequence[str],
            confirm: Callable[[], bool], report: Report) -> RetractReport:
    """Delete article_key's copies on these platforms (all when none are named), after
    saying where they are and asking confirm; each deleted copy is recorded retracted.
    An article without posted copies there is a SettingsError."""
    platforms = chosen_platforms(settings, platform_names)
    with ledger_lock(settings.ledger_path):
        ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
        copies = [(name, parts) for key, name, parts in ledger.posted_parts()
                  if key == article_key and name in platforms]
        if not copies:
            raise SettingsError(article_key, "has no posted copies on those platforms",
                                "see `syndicate status` for the article keys")
        for name, parts in copies:
            report(Note(f"{platforms[name].label}: "
                        f"{', '.join(p.url or p.id for p in parts)}"))
        if not confirm():
            return RetractReport(cancelled=True)
        failed = False
        with open_posters({name: platforms[name] for name, _ in copies},
                          settings.root) as (posters, _):
            for name, parts in copies:
                poster = posters[name]
                if not supports_delete(poster):
                    report(Note(f"{platforms[name].label} posts cannot be deleted through "
                                "its API: delete them by hand.", err=True))
                    failed = True
                    continue
                try:
                    for part in reversed(parts):
                        cast(Deleter, poster).delete(part)
                except SyndicateError as error:
                    report(Note(error.line(), err=True, level="error"))
                    failed = True
                    continue
                ledger.record_retracted(article_key, name, "retracted by syndicate retract")
                report(Note(f"Deleted {article_key} from {platforms[name].label}."))
    return RetractReport(failed=failed)
