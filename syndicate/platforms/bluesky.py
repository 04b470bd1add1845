"""Bluesky (AT Protocol): 300 graphemes and 3000 UTF-8 bytes, links as facets."""

from __future__ import annotations

from typing import Any

from syndicate.platforms.base import Platform
from syndicate.text import count_graphemes, count_utf8_bytes, find_urls

MAX_BYTES = 3000


class Bluesky(Platform):
    name = "bluesky"
    label = "Bluesky"
    default_limit = 300
    option_defaults = {"url": "https://bsky.social", "handle": None}
    secret_keys = ("password",)

    def count(self, text: str) -> int:
        # Both limits must hold; report the bytes as over the limit when they break.
        graphemes = count_graphemes(text)
        if count_utf8_bytes(text) > MAX_BYTES:
            return max(graphemes, self.limit + 1)
        return graphemes

    def facets(self, text: str) -> list[dict[str, Any]]:
        facets = []
        for start, end in find_urls(text):
            facets.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {
                        "byteStart": len(text[:start].encode("utf-8")),
                        "byteEnd": len(text[:end].encode("utf-8")),
                    },
                    "features": [
                        {"$type": "app.bsky.richtext.facet#link", "uri": text[start:end]}
                    ],
                }
            )
        return facets
