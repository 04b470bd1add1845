"""Mastodon and Mastodon-API servers (GoToSocial, Akkoma, Pleroma).

Mastodon counts the grapheme clusters of the content warning plus the text, where every
URL it would autolink counts as `characters_reserved_per_url` (23) and a remote mention
`@user@domain` counts as `@user`. Other server software counts differently; when the
software is not known to be Mastodon, the larger of the two counts is the safe one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import regex

from syndicate.platforms.base import Platform
from syndicate.platforms.x import find_urls
from syndicate.text import count_graphemes

# twitter-text's longest extractable URL; a longer one is not linked, so counts in full.
MAX_URL_LENGTH = 4096
# A remote mention's domain longer than this is not a mention (counted as typed).
MAX_DOMAIN_LENGTH = 253
_REMOTE_MENTION = regex.compile(
    r"(?<![/\w])@(?P<user>\w+(?:[\w.-]*\w)?)@(?P<domain>[\w.-]*\w)", regex.IGNORECASE)
SOFTWARE = ("mastodon", "gotosocial", "akkoma", "pleroma", "unknown")


def countable_text(text: str, url_length: int = 23) -> str:
    """The text Mastodon measures: linked URLs as url_length characters, mentions local."""
    if "://" in text:
        pieces = []
        position = 0
        for start, end in find_urls(text):
            url = text[start:end]
            if url.lower().startswith(("http://", "https://")) and len(url) <= MAX_URL_LENGTH:
                pieces.append(text[position:start])
                pieces.append("x" * url_length)
                position = end
        text = "".join(pieces) + text[position:]
    if "@" in text:
        text = _REMOTE_MENTION.sub(
            lambda m: f"@{m['user']}" if len(m["domain"]) <= MAX_DOMAIN_LENGTH else m[0], text)
    return text


def mastodon_length(text: str, spoiler_text: str = "", url_length: int = 23) -> int:
    """The length Mastodon's status validator counts against max_characters."""
    return count_graphemes(spoiler_text + countable_text(text, url_length))


class Mastodon(Platform):
    name = "mastodon"
    label = "Mastodon"
    default_limit = 500
    # software: what the server runs; anything but "mastodon" is counted the safe way.
    option_defaults = {"url": None, "visibility": "public", "url_length": 23,
                       "software": "mastodon", "content_warning": None}
    secret_keys = ("token",)

    def count(self, text: str) -> int:
        return self.measure(text, {"spoiler_text": self.option("content_warning") or ""})

    def extras_for(self, lang: str, metadata: Mapping[str, str]) -> dict[str, Any]:
        warning = metadata.get("content_warning") or self.option("content_warning") or ""
        extras: dict[str, Any] = {"language": lang.split("_")[0].split("-")[0],
                                  "visibility": self.option("visibility")}
        if warning:
            extras["spoiler_text"] = str(warning)
        return extras

    def measure(self, text: str, extras: Mapping[str, Any]) -> int:
        warning = str(extras.get("spoiler_text") or "")
        length = mastodon_length(text, warning, int(self.option("url_length")))
        if str(self.option("software")).lower() != "mastodon":
            # GoToSocial counts code points, Akkoma graphemes, both with URLs in full.
            length = max(length, len(warning) + len(text))
        return length
