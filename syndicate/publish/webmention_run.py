"""After a post run: webmentions for the articles just posted, and for earlier ones whose
sending failed."""

from __future__ import annotations

import time
from contextlib import ExitStack

from syndicate.errors import LedgerError
from syndicate.ledger import Ledger, ledger_lock
from syndicate.notes import Note, Report
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.settings import Settings


def send_webmentions(posted: dict[str, str], settings: Settings, report: Report) -> None:
    """Webmentions for the articles posted now (key -> URL), and for earlier ones whose
    sending failed.

    Pages are fetched and mentions sent without the ledger lock (a slow or hostile page
    must not hold it); the outcomes are recorded under it afterwards, in the ledger as it
    is then. Two runs at once may send a mention twice, which receivers take as one.
    """
    from syndicate.publish import webmention
    from syndicate.safe_fetch import FetchError, fetch

    allow = settings.allow_private_addresses
    # Written atomically: readable unlocked.
    ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
    articles = dict(posted)
    for key in ledger.webmentions_to_retry():
        url = ledger.article_url(key)
        if url is not None:  # the ledger has every article it names
            articles.setdefault(key, url)
    outcomes: list[tuple[str, str, str, str, str]] = []
    for key, url in articles.items():
        done = ledger.webmentions(key)
        try:
            page = fetch(url, allow=allow)
        except FetchError as error:
            report(Note(f"Webmentions not sent for {key}: its page {url}: {error}", err=True))
            continue
        for target in webmention.outbound_links(page.text(), url):
            if done.get(target, {}).get("outcome") in ("sent", "none"):
                continue
            outcome, detail = webmention.send(url, target, allow)
            outcomes.append((key, url, target, outcome, detail))
            if outcome != "none":
                report(Note(f"Webmention {outcome}: {key} → {target} ({detail})"))
    if not outcomes:
        return
    until = time.monotonic() + 30  # another run may hold the ledger for a moment
    with ExitStack() as held:
        while True:
            try:
                held.enter_context(ledger_lock(settings.ledger_path))
                break
            except LedgerError:
                if time.monotonic() > until:
                    raise
                time.sleep(0.5)
        ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
        for key, url, target, outcome, detail in outcomes:
            ledger.record_webmention(key, url, target, outcome, detail)
