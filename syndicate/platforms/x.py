"""X (formerly Twitter): 280, weighted as twitter-text v3 weighs characters."""

from __future__ import annotations

import unicodedata

from syndicate.platforms.base import Platform
from syndicate.text import find_urls, graphemes

URL_WEIGHT = 23
# Code point ranges that weigh 1 (twitter-text v3 config); everything else weighs 2.
_LIGHT_RANGES = ((0, 4351), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _weight(cluster: str) -> int:
    if len(cluster) > 1 and any(unicodedata.category(ch) == "So" for ch in cluster):
        return 2  # an emoji sequence counts once, whatever it is made of
    total = 0
    for ch in cluster:
        code = ord(ch)
        total += 1 if any(low <= code <= high for low, high in _LIGHT_RANGES) else 2
    return total


class X(Platform):
    name = "x"
    label = "X"
    default_limit = 280
    secret_keys = ("token",)

    def count(self, text: str) -> int:
        text = unicodedata.normalize("NFC", text)
        total = 0
        position = 0
        for start, end in find_urls(text):
            total += sum(_weight(c) for c in graphemes(text[position:start])) + URL_WEIGHT
            position = end
        return total + sum(_weight(c) for c in graphemes(text[position:]))
