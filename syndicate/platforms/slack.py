"""Slack incoming webhooks: a message's text, counted after Slack's escaping.

The webhook URL is the secret. Slack answers a plain "ok" and no id: a message cannot be
linked to or looked up, and a lost answer is never resent blindly.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from syndicate.draft import PostedPart
from syndicate.errors import PostingError
from syndicate.platforms.base import BasePoster, OutgoingPart, Platform, Poster
from syndicate.text.graphemes import count_utf16_units

if TYPE_CHECKING:
    from syndicate.http import Http


def escape(text: str) -> str:
    """Slack's three control characters, escaped as its message format requires."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Slack(Platform):
    name = "slack"
    label = "Slack"
    accent = "#611f69"
    link_colour = "#1264a3"
    links_bare_addresses = True
    card_style = "embed"
    default_limit = 3000
    secret_keys = ("webhook_url",)

    def count(self, text: str) -> int:
        return count_utf16_units(escape(text))

    def open_poster(self, project_root: str, http: Http) -> Poster:
        return SlackPoster(self.settings.secrets["webhook_url"], http)


class SlackPoster(BasePoster):
    def __init__(self, webhook_url: str, http: Http) -> None:
        self._webhook_url = webhook_url
        self.http = http

    def post(self, part: OutgoingPart) -> PostedPart:
        from syndicate.http import AmbiguousFailure, describe_answer, error_text

        response = self.http.request("slack", "POST", self._webhook_url, idempotent=False,
                                     json={"text": escape(part.text), "unfurl_links": True})
        if response.status_code in (403, 404, 410):
            raise PostingError("slack", f"the webhook was refused ({error_text(response)})",
                               "check SYNDICATE_SLACK_WEBHOOK_URL: an active incoming "
                               "webhook of the channel")
        if response.status_code != 200:
            raise PostingError("slack", f"HTTP {response.status_code}: "
                               f"{error_text(response)}", "see Slack's answer above")
        if response.text.strip() != "ok":
            # Slack says "ok" and nothing else; a 200 page from something in between may
            # or may not have passed the message on.
            raise AmbiguousFailure("slack", f"the server answered {describe_answer(response)},"
                                   " not Slack's \"ok\": the message may have been sent",
                                   "check the channel before posting again, and check "
                                   "SYNDICATE_SLACK_WEBHOOK_URL")
        # No id comes back: name the message after what was sent.
        digest = hashlib.sha256(part.idempotency_key.encode()).hexdigest()[:16]
        return PostedPart(id=f"slack-{digest}", url="")

    # find_posted is BasePoster's (None): a webhook cannot list what it sent.
