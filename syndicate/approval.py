"""Approval: a person saw this exact draft; with approval required, only that goes out.

`syndicate approve` records, per article and platform, a hash of everything the post
will carry (every part's text, the card, language and content warning, and the bytes of
the image file that goes with it, so swapping the file after approval is a change). Any change to
the draft after that (an edited summary, a new template, a changed image) changes the
hash, and the draft waits for a new approval. The file is meant to be committed, like
the ledger, so approving can happen in a pull request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicate.draft import Draft
from syndicate.files import read_json_file, write_atomically


def approval_hash(draft: Draft, root: Path) -> str:
    """The same for two drafts exactly when they would post the same thing (root: the
    project root, which the card's image file is relative to)."""
    shown = {"parts": [part.text for part in draft.parts], "card": draft.card,
             "extras": draft.extras, "url": draft.url,
             "image": _image_digest(root, draft.card)}
    encoded = json.dumps(shown, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _image_digest(root: Path, card: Mapping[str, str] | None) -> str | None:
    if not card or not card.get("image_file"):
        return None
    try:
        data = (root / card["image_file"]).read_bytes()
    except OSError:
        return "unreadable"
    return hashlib.sha256(data).hexdigest()


class Approvals:
    def __init__(self, path: Path, root: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.root = root
        self.data: dict[str, Any] = data or {"version": 1, "approved": {}}
        # Hashing reads the image file: once per draft and run. The draft is kept with its
        # hash, so a collected draft's id reused by another never finds a stale hash.
        self._hashes: dict[int, tuple[Draft, str]] = {}

    @classmethod
    def load(cls, path: Path, root: Path) -> Approvals:
        return cls(path, root, read_json_file(path, "approvals", "approved"))

    def hash(self, draft: Draft) -> str:
        cached = self._hashes.get(id(draft))
        if cached is None or cached[0] is not draft:
            cached = self._hashes[id(draft)] = (draft, approval_hash(draft, self.root))
        return cached[1]

    def is_approved(self, draft: Draft) -> bool:
        entry = self.data["approved"].get(draft.article, {}).get(draft.platform)
        return bool(entry) and entry.get("hash") == self.hash(draft)

    def approve(self, draft: Draft, by: str) -> None:
        self.data["approved"].setdefault(draft.article, {})[draft.platform] = {
            "hash": self.hash(draft), "by": by,
            "at": datetime.now(UTC).isoformat(timespec="seconds")}

    def save(self) -> None:
        text = json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_atomically(self.path, text.encode("utf-8"))
