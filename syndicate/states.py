"""The state of an article's draft on a platform, as the ledger records it (typed), and
the questions every command asks about it."""

from __future__ import annotations

from typing import Literal, get_args

from syndicate.draft import Draft
from syndicate.ledger import Ledger

# What the ledger records for a draft on a platform (ledger.STATES, in the file's words).
State = Literal["pending", "posted", "failed", "skipped", "attention", "retracted"]
# A draft the ledger has no entry for yet is "new".
DraftState = Literal["new", "pending", "posted", "failed", "skipped", "attention",
                     "retracted"]
STATES: tuple[State, ...] = get_args(State)


def draft_order(draft: Draft) -> tuple[str, str, str]:
    """The manifest's order: oldest article first, then key and platform."""
    return draft.date, draft.article, draft.platform


def edited_since_posted(ledger: Ledger, draft: Draft) -> bool:
    """Whether draft was posted and its text has changed since."""
    return ledger.posted_hash(draft.article, draft.platform) not in (None, draft.text_hash)


def draft_state(ledger: Ledger, draft: Draft) -> str:
    return ledger.state(draft.article, draft.platform) or "new"


def draft_state_of(ledger: Ledger, article: str, platform: str) -> str:
    return ledger.state(article, platform) or "new"
