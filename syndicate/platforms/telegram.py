"""Telegram channels: 4096 characters of message text, sent by a bot.

The bot token is part of the API's URL path: it is a secret (SYNDICATE_TELEGRAM_BOT_TOKEN)
and the request log masks it. Telegram has no idempotency: a lost answer is not resent.
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


class Telegram(Platform):
    name = "telegram"
    label = "Telegram"
    accent = "#2aabee"
    links_bare_addresses = True
    card_style = "embed"
    default_limit = 4096

    @dataclass(frozen=True)
    class Options(PlatformOptions):
        # The channel, as @username or a numeric id.
        chat_id: str | None = None
        # The Bot API server.
        api_url: str = "https://api.telegram.org"

    options: Options
    secret_keys = ("bot_token",)

    def count(self, text: str) -> int:
        return max(len(text), count_utf16_units(text))

    def missing_settings(self) -> list[tuple[str, str]]:
        if self.options.chat_id:
            return []
        return [("no chat_id", "set the channel's @username as chat_id for telegram in "
                               "SYNDICATE, or SYNDICATE_TELEGRAM_CHAT_ID")]

    def open_poster(self, project_root: str, http: Http) -> Poster:
        if not (chat := self.options.chat_id):
            raise PostingError("telegram", *self.missing_settings()[0])
        return TelegramPoster(self.options.api_url.rstrip("/"),
                              self.settings.secrets["bot_token"], chat, http)

    def doctor(self, project_root: str, http: Http) -> list[tuple[bool, str]]:
        """getMe (the token), then getChat (the bot sees the channel)."""
        base = f"{self.options.api_url.rstrip('/')}/bot{self.settings.secrets['bot_token']}"
        me = http.request("telegram", "POST", f"{base}/getMe", idempotent=True)
        if me.status_code != 200:
            return [(False, f"the bot token was refused (HTTP {me.status_code}): check "
                            "SYNDICATE_TELEGRAM_BOT_TOKEN")]
        from syndicate.http import json_object

        bot = json_object(me, "telegram", fix="check the api_url setting").get("result") or {}
        found = [(True, f"the bot @{bot.get('username', '?')}")]
        chat = self.options.chat_id
        if not chat:
            return [*found, (False, "no chat_id: set the channel's @username as chat_id")]
        answer = http.request("telegram", "POST", f"{base}/getChat", idempotent=True,
                              json={"chat_id": str(chat)})
        if answer.status_code == 200:
            found.append((True, f"sees the channel {chat}"))
        else:
            found.append((False, f"cannot see {chat}: add the bot to the channel as an "
                                 "administrator allowed to post"))
        return found


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.json()["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return None


class TelegramPoster(BasePoster):
    def __init__(self, api_url: str, token: str, chat_id: str, http: Http) -> None:
        self._endpoint = f"{api_url}/bot{token}/sendMessage"
        self.chat_id = chat_id
        self.http = http

    def post(self, part: OutgoingPart) -> PostedPart:
        body: dict[str, object] = {"chat_id": self.chat_id, "text": part.text,
                                   "link_preview_options": {"url": part.article_url}}
        if part.reply_to:
            body["reply_parameters"] = {"message_id": int(part.reply_to.id)}
        response = self.http.request("telegram", "POST", self._endpoint, idempotent=False,
                                     wait_for=_retry_after, json=body)
        from syndicate.http import AmbiguousFailure, json_object

        if response.status_code in (401, 404):
            raise PostingError("telegram", "the bot token was refused", "check "
                               "SYNDICATE_TELEGRAM_BOT_TOKEN (from @BotFather)")
        answer = json_object(response, "telegram", maybe_done=True,
                             fix="check the api_url setting")
        if not answer.get("ok"):
            if 200 <= response.status_code < 300:
                raise AmbiguousFailure("telegram", f"HTTP {response.status_code} without "
                                       "\"ok\": the message may have been sent",
                                       "check the channel before posting again")
            raise PostingError("telegram", f"{answer.get('description', response.status_code)}",
                               "make the bot an admin of the channel that can post")
        message = answer.get("result")
        if not isinstance(message, dict) or "message_id" not in message:
            raise AmbiguousFailure("telegram", "an answer without the message's id",
                                   "check the channel before posting again")
        username = (message.get("chat") or {}).get("username")
        url = f"https://t.me/{username}/{message['message_id']}" if username else ""
        return PostedPart(id=str(message["message_id"]), url=url)

    # find_posted is BasePoster's (None): the Bot API cannot list a channel's past
    # messages.
