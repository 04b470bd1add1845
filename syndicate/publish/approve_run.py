"""What `syndicate approve` shows and records: the drafts `post` would send that are not
approved as they are, and their approval."""

from __future__ import annotations

from collections.abc import Sequence

from syndicate.compose.manifest import Manifest, follow_moves
from syndicate.draft import Draft
from syndicate.ledger import Ledger
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.publish.common import refuse_build_errors
from syndicate.settings import Settings


class ApprovalRound:
    """One approval: the last build's drafts against the ledger and the approvals."""

    def __init__(self, settings: Settings, manifest: Manifest) -> None:
        from syndicate.approval import Approvals

        refuse_build_errors(manifest)
        self.manifest = manifest
        self.ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
        follow_moves(self.ledger, settings, manifest)
        self.approvals = Approvals.load(settings.approvals_path, settings.root)

    def known_articles(self) -> set[str]:
        return ({d.article for d in self.manifest.drafts}
                | {article.key for article in self.manifest.done})

    def to_approve(self, article_keys: Sequence[str], platform_names: Sequence[str]
                   ) -> list[Draft]:
        """The drafts `post` would send (not done, fitting) not approved as they are, of
        these articles and platforms (all when none are named)."""
        return [d for d in self.manifest.drafts
                if (not article_keys or d.article in article_keys)
                and (not platform_names or d.platform in platform_names)
                and not self.ledger.is_done(d.article, d.platform) and d.fits
                and not self.approvals.is_approved(d)]

    def state_of(self, draft: Draft) -> str:
        return self.ledger.state(draft.article, draft.platform) or "new"

    def approve(self, drafts: Sequence[Draft], by: str) -> None:
        """Approve exactly these drafts, as they are, and save the approvals."""
        for draft in drafts:
            self.approvals.approve(draft, by)
        self.approvals.save()
