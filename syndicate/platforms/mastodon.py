"""Mastodon and Mastodon-API servers."""

from __future__ import annotations

import regex

from syndicate.platforms.base import Platform
from syndicate.text import count_graphemes_with_fixed_urls

# `@user@domain` counts as `@user`: Mastodon does not count the domain of a mention.
_MENTION_DOMAIN = regex.compile(r"(?<![\w@/])(@\w+)@[\w.-]+\w")


class Mastodon(Platform):
    name = "mastodon"
    label = "Mastodon"
    default_limit = 500
    option_defaults = {"url": None, "visibility": "public", "url_length": 23}
    secret_keys = ("token",)

    def count(self, text: str) -> int:
        text = _MENTION_DOMAIN.sub(r"\1", text)
        return count_graphemes_with_fixed_urls(text, int(self.option("url_length")))
