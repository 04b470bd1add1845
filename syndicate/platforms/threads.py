"""Threads (Meta): 500, emoji counted by their UTF-8 bytes (the documented rule)."""

from __future__ import annotations

import unicodedata

from syndicate.platforms.base import Platform


class Threads(Platform):
    name = "threads"
    label = "Threads"
    default_limit = 500
    option_defaults = {"user_id": None}
    secret_keys = ("token",)

    def count(self, text: str) -> int:
        return sum(
            len(ch.encode("utf-8")) if unicodedata.category(ch) == "So" else 1 for ch in text
        )
