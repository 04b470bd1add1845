"""The outbox: the embedded default platform, one JSON file per post in a folder.

It needs no account and behaves like a remote platform: each post gets an id and a URL,
goes through the ledger, and a post that is already there is recognised, not repeated.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from syndicate.draft import PostedPart
from syndicate.files import write_atomically
from syndicate.platforms.base import BasePoster, OutgoingPart, Platform, PlatformOptions, Poster


class Outbox(Platform):
    name = "outbox"
    label = "Outbox"
    accent = "#555555"
    shows_card = False
    remote = False
    retry_is_safe = True  # find_posted reads the file: it always knows
    default_limit = 5000

    @dataclass(frozen=True)
    class Options(PlatformOptions):
        path: str = "outbox"
        # Where the outbox folder is served, if anywhere; else file:// URLs.
        public_url: str | None = None

    options: Options

    def open_poster(self, project_root: str, http: object = None) -> Poster:
        return OutboxPoster(Path(project_root, self.options.path), self.options.public_url)


def _readable(article_key: str) -> str:
    stem = re.sub(r"\.(md|markdown|mkd|rst|html?)$", "", article_key)
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.")[:80] or "article"


class OutboxPoster(BasePoster):
    def __init__(self, folder: Path, public_url: str | None) -> None:
        self.folder = folder.resolve()
        self.public_url = public_url.rstrip("/") if public_url else None

    def _file_for(self, part: OutgoingPart) -> Path:
        # Deterministic, so a retry after a crash finds the post instead of repeating it;
        # readable, and unique per article key: "a b.md" and "a-b.md" share a readable
        # stem, so a digest of the key itself tells them apart.
        digest = hashlib.sha256(part.article_key.encode("utf-8")).hexdigest()[:8]
        return self.folder / f"{_readable(part.article_key)}-{digest}-{part.index + 1}.json"

    def _legacy_file_for(self, part: OutgoingPart) -> Path:
        # Before 0.2 the name had no digest: a post made then is still recognised.
        return self.folder / f"{_readable(part.article_key)}-{part.index + 1}.json"

    def _posted(self, path: Path) -> PostedPart:
        url = f"{self.public_url}/{path.name}" if self.public_url else path.as_uri()
        return PostedPart(id=path.stem, url=url)

    def post(self, part: OutgoingPart) -> PostedPart:
        path = self._file_for(part)
        record = {
            "id": path.stem,
            "article": part.article_key,
            "url": part.article_url,
            "part": part.index + 1,
            "text": part.text,
            "text_hash": part.text_hash,
            "lang": part.lang,
            "in_reply_to": part.reply_to.id if part.reply_to else None,
            "posted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        body = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        write_atomically(path, body.encode("utf-8"))
        return self._posted(path)

    def find_posted(self, part: OutgoingPart) -> PostedPart | None:
        for path in (self._file_for(part), self._legacy_file_for(part)):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(record, dict) and record.get("article") == part.article_key \
                    and record.get("text_hash") == part.text_hash:
                return self._posted(path)
        return None
