"""Differential tests: our counters against the platforms' own code, on adversarial text.

The oracles (tests/oracles/: npm twitter-text 3.1.0, @atproto/api, Mastodon's rule) run in
one Node process for the session. Hypothesis builds text from the hard cases of Unicode
and of URL, mention and hashtag detection; every count must agree exactly. `make test`
runs a fixed sequence of examples; `make fuzz` sets ORACLE_EXAMPLES for many more.
Each disagreement ever found is kept below as an @example.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syndicate.text import bluesky_richtext
from syndicate.text.graphemes import UNICODE_VERSION, count_graphemes, count_utf8_bytes
from syndicate.text.mastodon_text import mastodon_length
from syndicate.text.twitter_text import is_valid_post, weighted_length

sys.path.insert(0, str(Path(__file__).parent / "oracles"))
from oracle import Oracles

EXAMPLES = int(os.environ.get("ORACLE_EXAMPLES", "5000"))


@pytest.fixture(scope="session")
def oracles() -> Iterator[Oracles]:
    process = Oracles()  # fails, naming `make oracles`, when they are not installed
    yield process
    process.close()


def test_the_counters_and_the_oracles_follow_the_same_unicode_version(
        oracles: Oracles) -> None:
    """A letter assigned in a later version is a word character to one side only (U+3D000
    is a letter in Unicode 18, unassigned in 17: a mention's domain would end before it
    for one and not the other)."""
    assert oracles.versions()["unicode"] == UNICODE_VERSION
    import regex
    assert regex.match(r"\p{L}", "\U000323b0")   # CJK Extension J, new in 17.0
    assert regex.match(r"\p{Cn}", "\U0003d000")  # assigned only in 18.0


# --- the alphabet of hard cases -------------------------------------------------------

PICTOGRAPHS = "☀☎☕☝☺♀♂♥⚕⚖⚧⛹✈✋✌❤⬛🌈🍋🏃🏳🏴🐦👁👨👩👪👶🔥🗨🙂🚶🟩🤝🦯🧑🧒🫱🫲🪿🫨🩷🛝🪼🐦‍⬛"
SKIN_TONES = "🏻🏼🏽🏾🏿"
ZWJ, VS15, VS16, KEYCAP = "\u200d", "\ufe0e", "\ufe0f", "\u20e3"
REGIONAL = [chr(c) for c in range(0x1F1E6, 0x1F200)]
SEQUENCES = [
    "👨‍👩‍👧‍👦", "👩‍❤️‍💋‍👨", "🏳️‍⚧️", "🏳️‍🌈", "🏴‍☠️", "🧑‍🧑‍🧒", "🧑‍🧑‍🧒‍🧒", "🐦‍🔥", "🍋‍🟩",
    "🙂‍↔️", "🙂‍↕️", "🚶‍➡️", "🚶🏽‍♀️‍➡️", "🧑🏽‍🦯‍➡️", "🏃🏻‍♀️‍➡️", "🫱🏼‍🫲🏿", "👩🏾‍💻", "🧑‍💻",
    "👁️‍🗨️", "❤️‍🔥", "❤️‍🩹", "😶‍🌫️", "🧔‍♂️", "👯‍♀️", "🤼‍♂️", "⛹🏽‍♀️", "🏋️‍♀️", "🐕‍🦺",
    "🐈‍⬛", "🐻‍❄️", "👨‍👨‍👦", "👩‍👦‍👦", "🇵🇹", "🇯🇵", "🇺🇳", "🇪🇺", "🇦🇶", "🇵🇹🇯🇵",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🏴󠁧󠁢󠁷󠁬󠁳󠁿", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "🏴󠁵󠁳󠁴󠁸󠁿",
    "#️⃣", "*️⃣", "1️⃣", "0⃣", "#⃣", "©️", "®️", "™️", "‼️", "⁉️", "ℹ️", "↔️", "♟️", "☺️", "☺︎",
    "✈️", "✈︎", "❤", "❤️", "❤︎", "🈂️", "🅰️", "Ⓜ️", "〰️", "〽️", "㊗️",
]
MARKS = "\u0301\u0300\u0308\u0327\u0338\u0489\u20dd\u036f\u0345\u1ab0\u1dc0\ufe20"
SCRIPTS = [
    "नमस्ते", "क्षत्रिय", "हिन्दी", "ক্ষ", "স্ত্রী", "বাংলা", "ภาษาไทย", "น้ำ", "กำ", "ไทย",
    unicodedata.normalize("NFD", "한국어"), unicodedata.normalize("NFD", "뷁"),
    "\u1100\u1161\u11a8",
    "مَرْحَبًا", "مدينة", "اللّٰه", "שָׁלוֹם", "עִבְרִית", "日本語", "漢字", "散歩", "の", "ｶﾀｶﾅ",
    "ＡＢＣ", "𠀋", "𝐀𝐁", "𝔘", "𐐷", "𓀀", "Ελλάδα", "Москва", "straße", "e\u0301", "ﬁ",
    "Å", "Å", "ǅ", "İ", "\u0f40\u0f7c", "ᄀᄀᄀ각", "\u0915\u094d\u200d\u0937",
]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f",
             "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
             "\u2069", "\u061c", "\ufffe", "\uffff", "\ufffd", "\u034f", "\u180e"]
URLS = [
    "https://example.com", "https://example.com/", "http://example.org/a/b?c=d&e=f#g",
    "https://example.com/päth/ü", "https://example.org/日本/x", "https://ex.com/путь",
    "https://example.com/a?q=ü", "https://example.com/a#frag", "https://example.com/a?q=1#f",
    "http://en.wikipedia.org/wiki/Foo_(bar)", "https://ex.com/a_(b_(c))", "(https://ex.com/x)",
    "https://ex.com/a).", "https://example.com/x.", "https://example.com/x,", "https://ex.com/x!",
    "example.com", "example.co.jp/path", "www.example.org", "bücher.de", "xn--bcher-kva.de",
    "http://例え.jp/", "例え.テスト", "https://127.0.0.1/x", "ftp://x.com", "t.co/abc",
    "HTTPS://EXAMPLE.COM/X", "https://example.com:8080/p", "https://a.b", "foo.bar",
    "https://sub.example.museum/x", "mailto:me@example.com", "me@example.com",
    "https://example.com/" + "a" * 40, "https://bsky.app/profile/x.bsky.social/post/3k",
    "https://example.com/a%20b", "https://example.com/~user/", "https://x.com/a|b", "index.html",
    "https://example.com/@user", "https://пример.рф/путь", "https://example.com/.", "a.museum",
]
MENTIONS = ["@alice", "@alice@example.social", "@Alice@Example.Social", "@a_b@x.y.z",
            "@ユーザー@example.com", "@alice@例え.jp", "@bob.bsky.social", "@alice.test",
            "@mira@social.example", "＠alice", "@alice@", "@@alice", "=@alice@ex.com",
            "/@alice@ex.com", "@alice@ex.com@x", "@alice@ex.com:", "@a.b-c@d.e"]
TAGS = ["#tag", "#日本", "#مدينة", "#हिंदी", "#1", "#123", "＃全角", "#tag_x", "#a.b", "#tag!",
        "#️⃣", "#\ufe0ftag", "$TICK", "$tick", "$A1", "#" + "x" * 70, "#ñandú", "#café",
        "#ภาษา", "#\u200btag", "#한국어"]
PUNCTUATION = [" ", " ", " ", "\n", "\n\n", "\t", ".", ",", ";", ":", "!", "?", "(", ")",
               "[", "]", "…", "...", "&", "'", '"', "“", "”", "«", "»", "\u00a0", "\u3000",
               "\r\n", "-", "—", "/", "=", "@", "#", "$", "%", "*", "_", "~", "|", "。", "、"]
WORDS = ["walk", "city", "Hello", "a", "x", "the", "don't", "AT", "über", "naïve", "1", "2026"]


@st.composite
def emoji_sequences(draw: st.DrawFn) -> str:
    """ZWJ chains of pictographs with optional skin tones and variation selectors."""
    def element() -> str:
        base = draw(st.sampled_from(PICTOGRAPHS))
        return base + draw(st.sampled_from(["", "", VS16, VS15, *SKIN_TONES]))
    return ZWJ.join(element() for _ in range(draw(st.integers(1, 4))))


@st.composite
def zalgo(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from(["a", "e", "Z", "日", "ก", "क", " ", "1"]))
    return base + "".join(draw(st.lists(st.sampled_from(MARKS), max_size=12)))


PIECE = st.one_of(
    st.sampled_from(SEQUENCES), emoji_sequences(), zalgo(),
    st.lists(st.sampled_from(REGIONAL), min_size=1, max_size=5).map("".join),
    st.sampled_from(SCRIPTS), st.sampled_from(INVISIBLE), st.sampled_from(URLS),
    st.sampled_from(MENTIONS), st.sampled_from(TAGS), st.sampled_from(PUNCTUATION),
    st.sampled_from(WORDS), st.sampled_from(["0", "#", "*"]).map(lambda c: c + KEYCAP),
    st.characters(codec="utf-8"), st.sampled_from(list(PICTOGRAPHS + SKIN_TONES + KEYCAP)),
)
TEXT = st.lists(PIECE, max_size=30).map("".join)


def facet_key(segment: bluesky_richtext.Segment) -> tuple[int, int, str, str]:
    kind = {"cashtag": "tag"}.get(segment.kind, segment.kind)
    return segment.byte_start, segment.byte_end, kind, segment.value


PRIORITY = {"link": 0, "mention": 1, "tag": 2}


def oracle_facets(facets: list[dict[str, Any]]) -> list[tuple[int, int, str, str]]:
    """The client's facets as the app renders them: in text order, a facet that starts
    inside an earlier one skipped (bluesky_richtext does not send those)."""
    keys = []
    for facet in facets:
        feature = facet["features"][0]
        kind = feature["$type"].rpartition("#")[2]
        value = feature.get("uri") or feature.get("did") or feature.get("tag")
        keys.append((facet["start"], facet["end"], kind, value))
    keys.sort(key=lambda key: (key[0], PRIORITY[key[2]]))
    kept: list[tuple[int, int, str, str]] = []
    for key in keys:
        if not kept or key[0] >= kept[-1][1]:
            kept.append(key)
    return kept


COUNTING = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@COUNTING
@given(text=TEXT)
# Disagreements found, one per class: a ZWJ sequence twemoji does not know (7, not 2); a
# URL's path ends where twitter-text's path characters end, not at the last letter; a
# domain right after an astral character (a lone surrogate to JavaScript); a Latin letter
# that Python's case folding (not JavaScript's) would take as "i".
@example(text="🏳️\u200d⚧️")
@example(text="https://example.com/👩\u200d❤️\u200d💋\u200d👨")
@example(text="👨\u200d👩\u200d👧\u200d👦foo.bar")
@example(text="https://example.com/İ")
@example(text="\ufeffTitle https://example.com")
@example(text=" \u0301example.com")  # the space, not the mark, comes before the URL
# A URL without a scheme holding two domains: parseTweet skips only its url's length.
@example(text="example.comwalk👨\u200d👩\u200d👧\u200d👦example.com/")
# A link whose path goes on into another link's scheme (a remembered answer for a link
# must not be shared with one whose path reads differently).
@example(text="https://example.com#tag!@alice@example.social/https://example.com/a%20b #x")
@example(text="#日本https://a.b#⃣স্ত্রী&[뷁🐦/http://例え.jp/ก̸")
def test_x_weighted_length_and_validity_agree_with_twitter_text(
        oracles: Oracles, text: str) -> None:
    reference = oracles.measure([text])[0]["x"]
    assert (weighted_length(text), is_valid_post(text)) == \
        (reference["weightedLength"], reference["valid"])


@COUNTING
@given(text=TEXT)
# A tag is too long past 64 graphemes, not 64 UTF-16 units.
@example(text="#tag🇵🇹🇵🇹🇵🇹नमस्तेनमस्तेनमस्तेनमस्तेhttps://sub.example.museum/x")
@example(text="👨\u200d👩\u200d👧\u200d👦 🧑\u200d🧑\u200d🧒 🐦\u200d🔥 🇵🇹🇯🇵 नमस्ते")
# A ZWJ sequence ending in a Latin-1 pictograph (one cluster), a prepended mark's number.
@example(text="👨\u200d👩\u200d👧\u200d👦\u200d©️")
@example(text="\u06001 \u0600\u0600x")
def test_bluesky_graphemes_bytes_and_facets_agree_with_atproto_api(
        oracles: Oracles, text: str) -> None:
    reference = oracles.measure([text])[0]["bluesky"]
    assert count_graphemes(text) == reference["graphemes"]
    assert count_utf8_bytes(text) == reference["bytes"]
    ours = [facet_key(s) for s in bluesky_richtext.detect(text)]
    assert ours == oracle_facets(reference["facets"])


@COUNTING
@given(text=TEXT)
# Mastodon's usernames are ASCII; a path ends at twitter-text's path characters.
@example(text="@ユーザー@example.com")
@example(text="see https://example.org/日本/x and https://ex.com/päth")
# A letter of a later Unicode version than the oracles' ends a mention's domain for one only.
@example(text="@alice@example.social\U0003d000")
# A username's letters fold as JavaScript's /iu does: İ is not i, the Kelvin sign is k.
@example(text="@İ@ि")
@example(text="@\u212a@ि and @\u017fam@ex.com")
@example(text="https://example.com#tag!@alice@example.social/https://example.com/a%20b #x")
@example(text="#日本https://a.b#⃣স্ত্রী&[뷁🐦/http://例え.jp/ก̸")
def test_mastodon_length_agrees_with_mastodons_rule(oracles: Oracles, text: str) -> None:
    assert mastodon_length(text) == oracles.measure([text])[0]["mastodon"]


# --- the fitter, through the oracles --------------------------------------------------

FIT_URL = "https://blog.example/posts/" + "long-slug-" * 3 + "/"


LONG_TEXT = st.lists(TEXT, max_size=12).map(" ".join)


def fitted_draft(name: str, title: str, summary: str, tags: list[str],
                 options: dict[str, Any]) -> Any:
    from datetime import UTC, datetime

    from syndicate.compose.articles import ArticleSource
    from syndicate.compose.drafting import draft_for
    from syndicate.compose.templates import DraftTemplates
    from syndicate.platforms import PLATFORM_CLASSES
    from syndicate.platforms.base import PlatformSettings
    from syndicate.settings import settings_from_pelican

    platform = PLATFORM_CLASSES[name](PlatformSettings(name, options))
    article = ArticleSource(key="a.md", source="content/a.md", url=FIT_URL,
                            title=title.strip() or "T", summary=summary,
                            date=datetime(2026, 1, 1, tzinfo=UTC), lang="en",
                            tags=tuple(tags))
    site = settings_from_pelican({"PATH": "content", "SYNDICATE": {}}, "test", environ={})
    return draft_for(article, platform, site, DraftTemplates(None))


def assert_valid_and_counted(oracles: Oracles, name: str, draft: Any) -> None:
    """Every part fits, is valid, and is counted to the unit as the platform counts it."""
    assert draft.fits, draft.problems
    texts = [part.text for part in draft.parts]
    for part, reference in zip(draft.parts, oracles.measure(texts), strict=True):
        if name == "x":
            assert part.length == reference["x"]["weightedLength"]
            assert reference["x"]["valid"], part.text
        elif name == "mastodon":
            assert part.length == reference["mastodon"]
        else:
            assert part.length == max(reference["bluesky"]["graphemes"],
                                      301 if reference["bluesky"]["bytes"] > 3000 else 0)
            assert reference["bluesky"]["graphemes"] <= 300
            assert reference["bluesky"]["bytes"] <= 3000
        assert part.length <= draft.limit


FITTING = settings(max_examples=max(EXAMPLES // 10, 50), deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky"])
@FITTING
@given(title=TEXT, summary=TEXT, tags=st.lists(st.sampled_from(TAGS[:12]), max_size=4))
@example(title="\ufeffTitle\ufffe", summary="", tags=[])
def test_every_fitted_part_is_valid_and_counted_as_the_platform_counts_it(
        oracles: Oracles, name: str, title: str, summary: str, tags: list[str]) -> None:
    draft = fitted_draft(name, title, summary, tags, {})
    assert_valid_and_counted(oracles, name, draft)
    refused = [c for c in title + summary + "".join(tags) if c in "\ufffe\ufeff\uffff"]
    if name == "x" and refused:
        assert any(note.startswith("removed ") and "X refuses" in note
                   for note in draft.shortened), draft.shortened


def test_x_drafts_leave_out_the_characters_x_refuses(oracles: Oracles) -> None:
    draft = fitted_draft("x", "A\ufeff walk\ufffe", "", [], {})
    assert draft.parts[0].text == f"A walk\n\n{FIT_URL}"
    assert "removed 2 characters X refuses (U+FEFF, U+FFFE)" in draft.shortened
    assert oracles.measure([draft.parts[0].text])[0]["x"]["valid"]


WORDY = st.lists(st.one_of(TEXT, st.sampled_from(["x" * 400, "a" * 330, "é" * 320,
                                                   "e" + "\u0301" * 20])),
                 max_size=16).map(" ".join)


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky"])
@FITTING
@given(title=TEXT, summary=WORDY, tags=st.lists(st.sampled_from(TAGS[:12]), max_size=4),
       numbering=st.sampled_from(["", "{n}/{total}"]))
# A word longer than a part; Zalgo words over the 3,000-byte cap in fewer than 300
# graphemes.
@example(title="T", summary="a" * 700, tags=[], numbering="")
@example(title="T", summary=" ".join(["e" + "\u0301" * 20] * 200), tags=[],
         numbering="{n}/{total}")
def test_every_thread_part_is_valid_and_counted_as_the_platform_counts_it(
        oracles: Oracles, name: str, title: str, summary: str, tags: list[str],
        numbering: str) -> None:
    draft = fitted_draft(name, title, summary, tags,
                         {"thread": True, "numbering": numbering or None})
    assert_valid_and_counted(oracles, name, draft)
