"""X (formerly Twitter): 280, weighted as twitter-text v3 weighs characters."""

from __future__ import annotations

import re
import unicodedata

import regex

from syndicate.platforms.base import Platform
from syndicate.text import find_urls

URL_WEIGHT = 23
# Code points inside these ranges weigh 1 (twitter-text v3 config); outside, 2.
_LIGHT = re.compile(r"[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]+")
# An emoji sequence (ZWJ family, skin tone, flag, keycap) weighs 2 in all.
_EMOJI_PART = r"\p{Extended_Pictographic}(?:\ufe0f|\p{Emoji_Modifier}|[\U000e0020-\U000e007f]+)?"
_EMOJI_SEQUENCE = regex.compile(
    rf"\p{{Regional_Indicator}}{{2}}|[#*0-9]\ufe0f?\u20e3|{_EMOJI_PART}(?:\u200d{_EMOJI_PART})*")


def _plain_weight(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + len(_LIGHT.sub("", text))


# Characters an emoji sequence can start with; text without any skips the emoji search.
_MAYBE_EMOJI = re.compile("[\u00a9\u00ae\u203c\u2049\u20e3\u2122-\u2bff\u3030\u303d\u3297"
                          "\u3299\U0001f000-\U0001ffff]")


def _weight(text: str) -> int:
    if text.isascii() or not _MAYBE_EMOJI.search(text):
        return _plain_weight(text)
    total = 0
    position = 0
    for match in _EMOJI_SEQUENCE.finditer(text):
        total += _plain_weight(text[position:match.start()]) + 2
        position = match.end()
    return total + _plain_weight(text[position:])


class X(Platform):
    name = "x"
    label = "X"
    default_limit = 280
    secret_keys = ("token",)

    def count(self, text: str) -> int:
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        total = 0
        position = 0
        for start, end in find_urls(text):
            total += _weight(text[position:start]) + URL_WEIGHT
            position = end
        return total + _weight(text[position:])
