"""Slack incoming webhooks: a section block holds 3000 characters."""

from __future__ import annotations

from syndicate.platforms.base import Platform
from syndicate.text import count_utf16_units


class Slack(Platform):
    name = "slack"
    label = "Slack"
    default_limit = 3000
    secret_keys = ("webhook_url",)

    def count(self, text: str) -> int:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return count_utf16_units(escaped)
