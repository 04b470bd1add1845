"""Approval: a person saw this exact draft; with approval required, only that goes out.

`syndicate approve` records, per article and platform, a hash of everything the post
will carry (every part's text, the card, language and content warning). Any change to
the draft after that (an edited summary, a new template, a changed image) changes the
hash, and the draft waits for a new approval. The file is meant to be committed, like
the ledger, so approving can happen in a pull request.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicate.draft import Draft
from syndicate.files import read_json_file, write_atomically


def approval_hash(draft: Draft) -> str:
    """The same for two drafts exactly when they would post the same thing."""
    shown = {"parts": [part.text for part in draft.parts], "card": draft.card,
             "extras": draft.extras, "url": draft.url}
    encoded = json.dumps(shown, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


class Approvals:
    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.data: dict[str, Any] = data or {"version": 1, "approved": {}}

    @classmethod
    def load(cls, path: Path) -> Approvals:
        return cls(path, read_json_file(path, "approvals", "approved"))

    def is_approved(self, draft: Draft) -> bool:
        entry = self.data["approved"].get(draft.article, {}).get(draft.platform)
        return bool(entry) and entry.get("hash") == approval_hash(draft)

    def approve(self, draft: Draft, by: str) -> None:
        self.data["approved"].setdefault(draft.article, {})[draft.platform] = {
            "hash": approval_hash(draft), "by": by,
            "at": datetime.now(UTC).isoformat(timespec="seconds")}

    def save(self) -> None:
        text = json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_atomically(self.path, text.encode("utf-8"))
