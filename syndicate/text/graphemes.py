"""Text measuring shared by the platform counters: graphemes, URLs, UTF-8 bytes.

Counting runs for every draft of every build, so the common cases (ASCII, and text
made only of characters that always stand alone) take a fast path; anything that can
form a multi-code-point cluster goes through the full UAX #29 rules.
"""

from __future__ import annotations

import re

import regex

# The Unicode version every counter follows: that of the regex module (pinned in
# pyproject.toml) and of the oracles the tests check the counters against (Node 22's ICU).
# A newer version assigns letters and changes cluster rules, so the counts would drift
# from the platforms' on newly assigned characters.
UNICODE_VERSION = "17.0"

GRAPHEME = regex.compile(r"\X")
# Characters that always form a grapheme cluster on their own: printable ASCII, Latin-1,
# Latin Extended, Greek, Cyrillic, general punctuation (the ellipsis), currency signs, CJK
# punctuation, kana and ideographs. A text made only of these (and newlines) has as many
# graphemes as code points, less its CRLF pairs.
_SIMPLE_SET = (
    r"\t\n\r\x20-\x7e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e"
    r"\u20a0-\u20bf\u3000-\u3029\u3030-\u3098\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uff01-\uff9d")
# The standard library's re scans a character class several times faster than regex.
_SIMPLE = re.compile(f"[{_SIMPLE_SET}]*")
# A run of other characters, with the one before it (a combining mark's base) and any
# that one of them holds on to after it: after a joiner (a ZWJ sequence may end in © or ®)
# or a prepended concatenation mark (U+0600 1 is one cluster).
_COMPLEX_RUN = regex.compile(
    f"(?s).?(?:[^{_SIMPLE_SET}]|(?<=[\u200d\\p{{Grapheme_Cluster_Break=Prepend}}]).)+")
def is_simple(text: str) -> bool:
    """True when every code point of text is a grapheme cluster of its own."""
    return _SIMPLE.fullmatch(text) is not None


def count_graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters, UAX #29)."""
    total = len(text) - text.count("\r\n")
    if text.isascii() or is_simple(text):  # an ASCII character is a cluster (CR LF one)
        return total
    # Only the runs that can form clusters need the full rules.
    for match in _COMPLEX_RUN.finditer(text):
        run = match.group()
        total += len(GRAPHEME.findall(run)) - len(run)
    return total


def graphemes(text: str) -> list[str]:
    return GRAPHEME.findall(text)  # type: ignore[no-any-return]


def count_utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def count_utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# An emoji sequence (ZWJ family, skin tone, flag, keycap, tag sequence) is one symbol.
_EMOJI_PART = r"\p{Extended_Pictographic}(?:\ufe0f|\p{Emoji_Modifier}|[\U000e0020-\U000e007f]+)?"
EMOJI_SEQUENCE = regex.compile(
    rf"\p{{Regional_Indicator}}{{2}}|[#*0-9]\ufe0f?\u20e3|{_EMOJI_PART}(?:\u200d{_EMOJI_PART})*")
# Characters an emoji sequence can start with: text with none needs no emoji search.
MAYBE_EMOJI = re.compile("[\u00a9\u00ae\u203c\u2049\u20e3\u2122-\u2bff\u3030\u303d\u3297"
                         "\u3299\U0001f000-\U0001ffff]")
