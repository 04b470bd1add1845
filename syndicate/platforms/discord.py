"""Discord webhooks: `content` up to 2000, counted in UTF-16 units (the safe side)."""

from __future__ import annotations

from syndicate.platforms.base import Platform
from syndicate.text import count_utf16_units


class Discord(Platform):
    name = "discord"
    label = "Discord"
    default_limit = 2000
    secret_keys = ("webhook_url",)

    def count(self, text: str) -> int:
        return count_utf16_units(text)
