"""Every platform syndicate knows, by the name used in settings and on the command line."""

from __future__ import annotations

from syndicate.platforms.base import Platform
from syndicate.platforms.bluesky import Bluesky
from syndicate.platforms.discord import Discord
from syndicate.platforms.linkedin import LinkedIn
from syndicate.platforms.mastodon import Mastodon
from syndicate.platforms.outbox import Outbox
from syndicate.platforms.slack import Slack
from syndicate.platforms.telegram import Telegram
from syndicate.platforms.threads import Threads
from syndicate.platforms.x import X

PLATFORM_CLASSES: dict[str, type[Platform]] = {
    cls.name: cls
    for cls in (Mastodon, Bluesky, X, Threads, LinkedIn, Discord, Telegram, Slack, Outbox)
}

__all__ = ["PLATFORM_CLASSES", "Platform"]
