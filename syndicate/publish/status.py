"""What `syndicate status` shows: per article and platform, new, pending, posted,
skipped, failed or retracted, from the last build's manifest and the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syndicate.compose.manifest import Manifest, follow_moves
from syndicate.draft import Draft
from syndicate.ledger import Ledger
from syndicate.ledger_format import EntryRecord
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.settings import Settings


def status_rows(settings: Settings, manifest: Manifest) -> list[dict[str, Any]]:
    """One row per (article, platform): the drafted and done articles, oldest first,
    then what only the ledger knows. A row: article, platform, state, and where known
    url, error, reason, updated_at, moved_from; a posted draft whose text changed since
    has edited_since and its platform's on_edit. The status JSON, as it is."""
    from syndicate.settings import on_edit_of
    from syndicate.states import draft_order, edited_since_posted

    ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
    follow_moves(ledger, settings, manifest)
    rows: list[dict[str, Any]] = []
    seen = set()
    # Drafted articles and those done everywhere (no drafts: the ledger says it all).
    found: list[tuple[tuple[str, str, str], Draft | None]] = [
        (draft_order(d), d) for d in manifest.drafts]
    found += [((article.date, article.key, platform), None)
              for article in manifest.done for platform in article.inputs]
    found.sort(key=lambda item: item[0])
    for (_, key, name), draft in found:
        seen.add((key, name))
        rows.append(status_row(key, name, ledger.record(key, name),
                               draft.fits if draft else True))
        if ledger.moved_from(key):
            rows[-1]["moved_from"] = ledger.moved_from(key)
        if draft and edited_since_posted(ledger, draft):
            rows[-1].update(edited_since=True, on_edit=on_edit_of(settings, draft.platform))
    for key, platform, record in sorted(ledger.records(), key=lambda r: (r[0], r[1])):
        if (key, platform) not in seen:
            rows.append(status_row(key, platform, record, True))
    return rows


def status_row(key: str, platform: str, entry: EntryRecord | None, fits: bool
               ) -> dict[str, Any]:
    """entry: the ledger's, None when it has none (the draft is new, or does not fit)."""
    if entry is None:
        return {"article": key, "platform": platform,
                "state": "new" if fits else "does not fit"}
    row = {"article": key, "platform": platform, "state": entry.state, "url": entry.url,
           "error": entry.error, "reason": entry.reason, "updated_at": entry.updated_at}
    return {k: v for k, v in row.items() if v is not None}


def state_counts(rows: list[dict[str, Any]]) -> tuple[dict[str, int], int]:
    """How many rows are in each state (sorted by state), and how many were edited
    since they were posted."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    return dict(sorted(counts.items())), sum(bool(row.get("edited_since")) for row in rows)


def where_why(row: dict[str, Any], on_edit_effects: Mapping[str, str]) -> str:
    """A row's link, error or reason, and whether its article moved; for a draft edited
    since it was posted, what its on_edit does (as on_edit_effects says it)."""
    text = str(row.get("url") or row.get("error") or row.get("reason") or "")
    if row.get("moved_from"):
        text = f"{text} (moved from {row['moved_from']})".lstrip()
    if row.get("edited_since"):
        effect = on_edit_effects.get(row["on_edit"], f"on_edit {row['on_edit']}")
        text = f"{text} ({effect})".lstrip()
    return text
