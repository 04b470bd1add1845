"""The state of an article's draft on a platform, as the ledger records it (typed), and
the questions every command asks about it."""

from __future__ import annotations

from typing import Literal

from syndicate.draft import Draft
from syndicate.ledger import Ledger

# What the ledger records for a draft and for each of its parts, in the file's words: the
# file's format defines them (syndicate.ledger_format); here for every command.
from syndicate.ledger_format import (
    DONE_STATES,
    PART_STATES,
    STATES,
    EntryRecord,
    PartRecord,
    PartState,
    State,
)

__all__ = ["DONE_STATES", "PART_STATES", "STATES", "DraftState", "EntryRecord", "PartRecord",
           "PartState", "State", "draft_order", "draft_state", "draft_state_of",
           "edited_since_posted"]

# A draft the ledger has no entry for yet is "new".
DraftState = Literal["new", State]


def draft_order(draft: Draft) -> tuple[str, str, str]:
    """The manifest's order: oldest article first, then key and platform."""
    return draft.date, draft.article, draft.platform


def edited_since_posted(ledger: Ledger, draft: Draft) -> bool:
    """Whether draft was posted and its text has changed since."""
    posted = ledger.posted_hash(draft.article, draft.platform)
    return posted is not None and posted != draft.text_hash  # the hash only when posted


def draft_state(ledger: Ledger, draft: Draft) -> DraftState:
    return ledger.state(draft.article, draft.platform) or "new"


def draft_state_of(ledger: Ledger, article: str, platform: str) -> DraftState:
    return ledger.state(article, platform) or "new"
