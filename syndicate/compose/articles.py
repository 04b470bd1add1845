"""What syndicate knows about an article, independent of Pelican, and its metadata."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import regex

from syndicate.errors import ContentError

_FALSE = {"no", "false", "off", "none", "0"}
_TRUE = {"yes", "true", "on", "all", "1"}
# Letters with their combining marks (Devanagari vowel signs), digits and underscore.
_NOT_IN_HASHTAG = regex.compile(r"[^\p{L}\p{M}\p{N}_]+")


@dataclass(frozen=True)
class ArticleSource:
    """A published article, reduced to what drafts are made of."""

    key: str
    source: str
    url: str
    title: str
    summary: str
    date: datetime
    lang: str
    author: str = ""
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    image_alt: str | None = None
    # The image's file, relative to the project root, when the site has it (for uploads).
    image_file: str | None = None
    # Lower-cased metadata keys, as Pelican's readers give them.
    metadata: Mapping[str, str] = field(default_factory=dict)
    # A digest of what the summary is made from, so a build can tell whether an article
    # changed before doing the work of excerpting it.
    summary_digest: str = ""


# Tags whose symbols carry the meaning: splitting at the symbols would make C++, C and
# C# one hashtag (#C). Matched whole, ignoring case; SYNDICATE["hashtag_map"] adds to it.
SYMBOL_HASHTAGS: Mapping[str, str] = {
    "c++": "#cpp",
    "c#": "#csharp",
    "f#": "#fsharp",
    ".net": "#dotnet",
    "asp.net": "#aspnet",
    "node.js": "#nodejs",
}


def hashtag(tag: str, mapping: Mapping[str, str | None] | None = None) -> str | None:
    """`#OpenSource` from "Open Source", `#日本` from "日本", `#cpp` from "C++"; None when
    nothing is left or mapping (tag, lower-cased, to hashtag) drops the tag."""
    if mapping:
        key = " ".join(tag.split()).lower()
        if key in mapping:
            return mapping[key] or None
    return _hashtag_of(tag)


@functools.lru_cache(maxsize=1024)
def _hashtag_of(tag: str) -> str | None:
    """hashtag(tag) without a mapping: remembered, as a blog has few tags and every
    article's drafts ask for them."""
    key = " ".join(tag.split()).lower()
    if key in SYMBOL_HASHTAGS:
        return SYMBOL_HASHTAGS[key]
    words = [word for word in _NOT_IN_HASHTAG.split(tag) if word]
    if not words:
        return None
    # CamelCase joins several words so screen readers can say them (#SmallWeb).
    joined = words[0] if len(words) == 1 else "".join(w[:1].upper() + w[1:] for w in words)
    if joined.replace("_", "").isdigit():
        return None  # all-digit tags are not hashtags on any platform
    return f"#{joined}"


def hashtags(tags: Iterable[str], limit: int,
             mapping: Mapping[str, str | None] | None = None) -> list[str]:
    """At most limit hashtags from tags, each once (ignoring case)."""
    seen: list[str] = []
    for tag in tags:
        tagged = hashtag(tag, mapping)
        if tagged and tagged.lower() not in (s.lower() for s in seen):
            seen.append(tagged)
    return seen[:limit]


def content_relative(image: str) -> str:
    """An `Image:` value as a path relative to the content folder."""
    return image.lstrip("/").removeprefix("{static}").removeprefix("{attach}").lstrip("/")


def syndicated_platforms(article: ArticleSource, enabled: Iterable[str]) -> list[str]:
    """The platforms this article goes to, from its `Syndicate:` metadata.

    `Syndicate: no` opts out; `Syndicate: mastodon, bluesky` names the only platforms;
    `Syndicate: -x` means every enabled platform but x.
    """
    enabled = list(enabled)
    value = article.metadata.get("syndicate", "").strip()
    if not value or value.lower() in _TRUE:
        return enabled
    if value.lower() in _FALSE:
        return []
    from syndicate.platforms import PLATFORM_CLASSES

    items = [item.strip() for item in re.split(r"[,\s]+", value) if item.strip()]
    excluded = {item[1:].lower() for item in items if item.startswith(("-", "!"))}
    included = {item.lower() for item in items if not item.startswith(("-", "!"))}
    for name in sorted(excluded | included):
        if name not in PLATFORM_CLASSES:
            raise ContentError(
                article.source,
                f"unknown value {name!r} in 'Syndicate: {value}'",
                "use yes, no, platform names (mastodon, bluesky) or -name to leave one out",
            )
    if included and excluded:
        raise ContentError(article.source, f"'Syndicate: {value}' both names and excludes "
                           "platforms", "either list the platforms, or exclude with -name")
    if included:
        return [name for name in enabled if name in included]
    return [name for name in enabled if name not in excluded]
