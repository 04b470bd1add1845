"""LinkedIn (Posts API): 3000, counted on the escaped text that is sent."""

from __future__ import annotations

import regex

from syndicate.platforms.base import Platform

# Unescaped, these make LinkedIn silently cut the post (little text format).
_RESERVED = regex.compile(r"([|{}@\[\]()<>#\\*_~])")


def escape_commentary(text: str) -> str:
    return str(_RESERVED.sub(r"\\\1", text))


class LinkedIn(Platform):
    name = "linkedin"
    label = "LinkedIn"
    builds_card = True
    default_limit = 3000
    option_defaults = {"author": None}
    secret_keys = ("token",)

    def count(self, text: str) -> int:
        return len(escape_commentary(text))
