"""Telegram channels: 4096 characters of message text."""

from __future__ import annotations

from syndicate.platforms.base import Platform
from syndicate.text import count_utf16_units


class Telegram(Platform):
    name = "telegram"
    label = "Telegram"
    default_limit = 4096
    option_defaults = {"chat_id": None}
    secret_keys = ("bot_token",)

    def count(self, text: str) -> int:
        return max(len(text), count_utf16_units(text))
