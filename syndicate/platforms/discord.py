"""Discord webhooks: `content` up to 2000, counted in UTF-16 units (the safe side).

A webhook has no idempotency: "pending" is recorded before each call, and a call whose
answer is lost is not repeated (the draft needs attention instead). `?wait=true` makes
Discord answer with the message, so a failure is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.platforms.base import BasePoster, OutgoingPart, Platform, PlatformOptions, Poster
from syndicate.text.graphemes import count_utf16_units

if TYPE_CHECKING:
    import httpx

    from syndicate.http import Http


class Discord(Platform):
    name = "discord"
    label = "Discord"
    accent = "#5865f2"
    square_avatar = True
    card_style = "embed"
    default_limit = 2000

    @dataclass(frozen=True)
    class Options(PlatformOptions):
        # The server the webhook's channel is in, to link to the messages.
        guild_id: str | None = None

    options: Options
    secret_keys = ("webhook_url",)

    def count(self, text: str) -> int:
        return count_utf16_units(text)

    def doctor(self, project_root: str, http: Http) -> list[tuple[bool, str]]:
        """GET on the webhook answers its name and channel without posting anything."""
        response = http.request("discord", "GET", self.settings.secrets["webhook_url"],
                                idempotent=True)
        if response.status_code == 200:
            from syndicate.http import json_object

            hook = json_object(response, "discord", fix="check SYNDICATE_DISCORD_WEBHOOK_URL")
            return [(True, f"the webhook {hook.get('name', '?')!r} posts to channel "
                           f"{hook.get('channel_id', '?')}")]
        return [(False, f"the webhook was refused (HTTP {response.status_code}): check "
                        "SYNDICATE_DISCORD_WEBHOOK_URL")]

    def open_poster(self, project_root: str, http: Http) -> Poster:
        return DiscordPoster(self.settings.secrets["webhook_url"], self.options.guild_id, http)


def _retry_after(response: httpx.Response) -> float | None:
    # Discord says how long to wait in the body, in (float) seconds.
    try:
        return float(response.json()["retry_after"])
    except (ValueError, KeyError, TypeError):
        return None


class DiscordPoster(BasePoster):
    def __init__(self, webhook_url: str, guild_id: str | None, http: Http) -> None:
        self._webhook_url = webhook_url
        self.guild_id = guild_id
        self.http = http

    def post(self, part: OutgoingPart) -> PostedPart:
        response = self.http.request(
            "discord", "POST", self._webhook_url, idempotent=False, wait_for=_retry_after,
            params={"wait": "true"},
            json={"content": part.text, "allowed_mentions": {"parse": []}})
        if response.status_code in (401, 403, 404):
            raise PostingError("discord", f"the webhook was refused (HTTP "
                               f"{response.status_code})", "check SYNDICATE_DISCORD_WEBHOOK_URL:"
                               " the channel's webhook URL, still active")
        from syndicate.http import error_text, json_object

        if response.status_code >= 300:
            raise PostingError("discord", f"HTTP {response.status_code}: "
                               f"{error_text(response, 'message')}", "see Discord's answer "
                               "above")
        message = json_object(response, "discord", maybe_done=True,
                              fix="check SYNDICATE_DISCORD_WEBHOOK_URL")
        if "id" not in message:
            from syndicate.http import AmbiguousFailure

            raise AmbiguousFailure("discord", f"HTTP {response.status_code} without the "
                                   "message's id", "check the platform before posting again")
        channel = message.get("channel_id", "")
        url = (f"https://discord.com/channels/{self.guild_id}/{channel}/{message['id']}"
               if self.guild_id else "")
        return PostedPart(id=str(message["id"]), url=url)

    # find_posted is BasePoster's (None): a webhook cannot list what it sent.
