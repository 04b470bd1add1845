"""A draft: the status update one article makes for one platform, before it is posted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Part:
    text: str
    length: int
    facets: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Draft:
    """A generated status update for one platform, not posted yet."""

    article: str
    url: str
    title: str
    date: str
    lang: str
    platform: str
    limit: int
    parts: list[Part]
    problems: list[str] = field(default_factory=list)
    # Worth a look, but not a reason to hold the post back (a card image without alt).
    warnings: list[str] = field(default_factory=list)
    # What fitting shortened to make it fit, in words ("summary cut at a word").
    shortened: list[str] = field(default_factory=list)
    # What is wrong with the card image: {"code": "no-alt" | "missing-image" |
    # "image-outside" | "image-too-large" | "not-an-image", "message": ...}; `syndicate
    # check` applies the site's policy.
    checks: list[dict[str, str]] = field(default_factory=list)
    # The link card, from the article's own metadata: platforms that build it client-side
    # (Bluesky, LinkedIn) send it; the others build the same card from the page's
    # OpenGraph tags. Its image can also be attached to the post (the `image` option).
    card: dict[str, str] | None = None
    # What the post carries besides its text: language, content warning, visibility.
    extras: dict[str, Any] = field(default_factory=dict)
    # What the draft was made from (compose.fingerprints.fingerprint): equal means reusable.
    fingerprint: str = ""
    # What its text is made from, without the code's version (compose.fingerprints.
    # inputs_fingerprint): recorded in the ledger when posted. Kept beside the drafts in
    # the manifest, not in the draft's JSON.
    inputs: str = ""

    @property
    def fits(self) -> bool:
        return not self.problems and all(part.length <= self.limit for part in self.parts)

    @property
    def text_hash(self) -> str:
        return text_hash("\x1e".join(part.text for part in self.parts))

    def to_json(self) -> dict[str, Any]:
        # Written out rather than dataclasses.asdict, which deep-copies: ten times slower
        # for the thousands of drafts of a large blog.
        return {
            "article": self.article, "url": self.url, "title": self.title,
            "date": self.date, "lang": self.lang, "platform": self.platform,
            "limit": self.limit,
            "parts": [{"text": p.text, "length": p.length, "facets": p.facets}
                      for p in self.parts],
            "problems": self.problems, "warnings": self.warnings,
            "shortened": self.shortened, "checks": self.checks, "card": self.card,
            "extras": self.extras,
            "fits": self.fits, "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        # Field by field rather than through **kwargs: a large blog has thousands.
        get = data.get
        return cls(article=data["article"], url=data["url"], title=data["title"],
                   date=data["date"], lang=data["lang"], platform=data["platform"],
                   limit=data["limit"],
                   parts=[Part(p["text"], p["length"], p.get("facets") or [])
                          for p in data["parts"]],
                   problems=get("problems") or [], warnings=get("warnings") or [],
                   shortened=get("shortened") or [], checks=get("checks") or [],
                   card=get("card"), extras=get("extras") or {},
                   fingerprint=get("fingerprint", ""))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PostedPart:
    """Where a part went: the platform's id for it and its public address."""

    id: str
    url: str
    # What the author should know about how it went out (e.g. a card without its image).
    warnings: tuple[str, ...] = ()


def article_count(drafts: Iterable[Draft]) -> int:
    """How many articles these drafts are of."""
    return len({draft.article for draft in drafts})
