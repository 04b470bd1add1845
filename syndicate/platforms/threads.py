"""Threads (Meta): 500 characters, where an emoji counts as its UTF-8 bytes.

Meta documents the emoji rule only; other characters are counted as code points, and a
whole emoji sequence (ZWJ family, skin tone, flag) by all of its bytes: the safe side.
"""

from __future__ import annotations

from syndicate.platforms.base import Platform
from syndicate.platforms.x import find_urls
from syndicate.text import EMOJI_SEQUENCE, MAYBE_EMOJI

MAX_LINKS = 5


def threads_length(text: str) -> int:
    if text.isascii() or not MAYBE_EMOJI.search(text):
        return len(text)
    emoji = EMOJI_SEQUENCE.findall(text)
    return len(text) - sum(len(e) for e in emoji) + sum(len(e.encode("utf-8")) for e in emoji)


class Threads(Platform):
    name = "threads"
    label = "Threads"
    default_limit = 500
    option_defaults = {"user_id": None}
    secret_keys = ("token",)

    def count(self, text: str) -> int:
        return threads_length(text)

    def problems(self, text: str) -> list[str]:
        links = {text[start:end] for start, end in find_urls(text)}
        if len(links) > MAX_LINKS:
            return [f"{len(links)} links; Threads accepts at most {MAX_LINKS}: remove some"]
        return []
