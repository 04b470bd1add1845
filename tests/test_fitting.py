"""Fitting drafts into platform limits: properties over adversarial text."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import regex
from conftest import Site, article
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syndicate.collector import collection_paused
from syndicate.compose.articles import ArticleSource, hashtag
from syndicate.compose.drafting import draft_for, drafts_for
from syndicate.compose.fast_templates import compile_simple
from syndicate.compose.templates import DraftTemplates
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.platforms.base import PlatformSettings
from syndicate.settings import settings_from_pelican
from syndicate.text.fitting import ELLIPSIS, LINK_ONLY, shorten
from syndicate.text.graphemes import count_graphemes, graphemes

PIECES = ["walk", "city", " ", " ", "  ", "\n", ".", ",", "!", "日本語", "散歩", "مدينة",
          "नमस्ते", "👩‍💻", "👋🏽", "🇵🇹", "1️⃣", "e\u0301", "\u200b", "ไทย", "#tag",
          "@mira@social.example", "https://example.org/" + "a" * 80, "x" * 60, "&", "…"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)
URL = "https://blog.example/posts/" + "long-slug-" * 3 + "/"
TEMPLATES = DraftTemplates(None)
SETTINGS = settings_from_pelican({"PATH": "content", "SYNDICATE": {}}, "test", environ={})


def make_article(title: str, summary: str, tags: list[str]) -> ArticleSource:
    return ArticleSource(key="a.md", source="content/a.md", url=URL, title=title or "T",
                         summary=summary, date=datetime(2026, 1, 1, tzinfo=UTC), lang="en",
                         tags=tuple(tags))


@pytest.mark.parametrize("name", ["mastodon", "bluesky", "x", "threads", "linkedin",
                                  "discord", "telegram", "slack", "outbox"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, summary=TEXT, tags=st.lists(TEXT, max_size=6),
       limit=st.integers(min_value=60, max_value=600))
# A title of words too long to keep one next to the link: the link alone.
@example(title="x" * 600, summary="", tags=[], limit=90)
@example(title="A walk", summary="", tags=[], limit=60)
def test_every_fitted_draft_fits_keeps_the_link_and_whole_graphemes(
        name: str, title: str, summary: str, tags: list[str], limit: int) -> None:
    platform = PLATFORM_CLASSES[name](PlatformSettings(name, {"limit": limit}))
    draft = draft_for(make_article(title, summary, tags), platform, SETTINGS, TEMPLATES)
    text = draft.parts[0].text
    shown = [f["features"][0].get("uri") for f in draft.parts[0].facets]
    assert URL in text or URL in shown, "the article link is never cut or dropped"
    assert draft.parts[0].length == platform.count(text)
    # Fitting always succeeds when the link alone fits: the title shortened, else the
    # link alone; check warns about either, naming what was lost.
    assert platform.count(URL) > limit or draft.fits, draft.problems
    assert draft.parts[0].length <= limit or not draft.fits
    if LINK_ONLY in draft.shortened:
        assert text == URL or URL in shown
        assert any("only the link" in warning for warning in draft.warnings)
    for note in draft.shortened:
        if note in ("title cut at a word", "title cut after a sentence", "title left out"):
            assert any(note in warning for warning in draft.warnings)
    assert "".join(graphemes(text)) == text


@settings(max_examples=300, deadline=None)
@given(text=TEXT, keep=st.integers(min_value=0, max_value=200))
@example(text="walk日本語नमस्ते. walk", keep=5)
def test_shortening_cuts_at_a_word_or_grapheme_boundary(text: str, keep: int) -> None:
    short = shorten(text, keep)
    if short == text:
        return
    # Cut text ends with an ellipsis, or after a whole sentence: a word (its last letter
    # may carry a mark, as a Devanagari vowel sign) and its full stop.
    assert short == "" or short.endswith(ELLIPSIS) or \
        (regex.search(r"[\w\p{M}][.!?…]+$", short) and text[len(short)].isspace())
    kept = short.removesuffix(ELLIPSIS)
    assert text.startswith(kept)
    # The cut falls between whole graphemes, and no space dangles before the ellipsis.
    assert graphemes(text)[: len(graphemes(kept))] == graphemes(kept)
    assert not kept.endswith((" ", "\n", ","))
    if " " in text.strip() and kept:
        assert text[len(kept)] in " \n.,;:-–—(/" or text[len(kept):].startswith(" ") or \
            text[len(kept) - 1] not in " "


def test_a_long_summary_is_shortened_to_use_the_room() -> None:
    summary = " ".join(f"word{n}" for n in range(200))
    platform = PLATFORM_CLASSES["mastodon"](PlatformSettings("mastodon", {}))
    draft = draft_for(make_article("A title", summary, ["walking"]), platform, SETTINGS,
                      TEMPLATES)
    text = draft.parts[0].text
    assert draft.fits and ELLIPSIS in text
    assert draft.parts[0].length >= 0.9 * platform.limit
    assert "word0 word1" in text


@pytest.mark.parametrize(("tag", "expected"), [
    ("日本", "#日本"), ("Open Source", "#OpenSource"), ("small web", "#SmallWeb"),
    ("दिल्ली", "#दिल्ली"), ("2026", None), ("---", None),
    ("café culture", "#CaféCulture"), ("الإسكندرية", "#الإسكندرية"),
])
def test_hashtags_come_from_tag_names(tag: str, expected: str | None) -> None:
    assert hashtag(tag) == expected


def test_mastodon_counts_urls_as_23_and_mentions_without_domain() -> None:
    mastodon = PLATFORM_CLASSES["mastodon"](PlatformSettings("mastodon", {}))
    assert mastodon.count("https://example.org/" + "a" * 100) == 23
    assert mastodon.count("hi @mira@social.example") == len("hi @mira")
    assert mastodon.count("👩‍💻🇵🇹") == 2


def test_bluesky_counts_graphemes_and_bytes() -> None:
    bluesky = PLATFORM_CLASSES["bluesky"](PlatformSettings("bluesky", {}))
    assert bluesky.count("नमस्ते") == 3
    assert bluesky.count("👨‍👩‍👧‍👦") == 1
    assert bluesky.count("€" * 299) == 299
    assert bluesky.count("e" + "\u0301" * 1600) > 300  # one grapheme, 3201 bytes


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(TEXT, st.text(max_size=80), st.lists(st.sampled_from(
    ["\u200d", "©", "®", "‼", "\ufe0f", "\u0600", "\u0605", "1", "a", " ", "👦", "\u0301"]),
    max_size=12).map("".join)))
@example(text="👨\u200d👩\u200d👧\u200d👦\u200d©️")
def test_grapheme_count_fast_paths_agree_with_the_full_rules(text: str) -> None:
    assert count_graphemes(text) == len(graphemes(text))


SIMPLE_TEMPLATES = [
    *[p.read_text(encoding="utf-8") for p in
      (Path(__file__).parent.parent / "syndicate/templates").glob("*.j2")],
    "{% if not summary %}{{ title }}{% elif tags %}{{ summary }} {{ hashtags }}"
    "{% else %}{{ summary }}{% endif %}\n{{ url }}",
    "  {% if image %}\n  {{ image_alt }}\n{% endif %}\n{{ url }}{{ date }}{{ tags }}",
]


@pytest.mark.parametrize("source", SIMPLE_TEMPLATES)
@settings(max_examples=40, deadline=None)
@given(title=TEXT, summary=st.one_of(st.just(""), TEXT), tags=st.lists(TEXT, max_size=3),
       image=st.sampled_from(["", "https://blog.example/a.png"]))
def test_the_fast_renderer_gives_exactly_what_jinja_gives(
        source: str, title: str, summary: str, tags: list[str], image: str) -> None:
    environment = TEMPLATES.environment
    fast = compile_simple(environment, source)
    assert fast is not None, "the default templates take the fast path"
    context = {"title": title, "summary": summary, "tags": tags, "hashtags": " ".join(tags),
               "url": URL, "image": image, "image_alt": "alt", "lang": "en",
               "date": datetime(2026, 1, 1, tzinfo=UTC)}
    assert fast(context) == environment.from_string(source).render(context)


@pytest.mark.parametrize("source", ["{{ title|upper }}", "{% for t in tags %}{{ t }}{% endfor %}",
                                    "{% if lang == 'ja' %}x{% endif %}", "{{ title ~ url }}"])
def test_templates_beyond_the_simple_subset_are_left_to_jinja(source: str) -> None:
    assert compile_simple(TEMPLATES.environment, source) is None


WORDS = st.sampled_from(["walk", "city", "river", "évènement", "naïve", "straße", "日本語",
                         "の", "散歩", "ไทย", "नमस्ते", "👩‍💻", "🇵🇹", "مدينة", "e\u0301t\u0301é",
                         "ok.", "yes!", "why?", "(aside)", "«quote»", "a,", "b;"])
LONG_TEXT = st.lists(WORDS, min_size=150, max_size=400).map(" ".join)


@pytest.mark.parametrize("name", ["mastodon", "bluesky", "x", "threads"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=LONG_TEXT, title=st.lists(WORDS, min_size=2, max_size=12).map(" ".join))
def test_a_shortened_draft_uses_at_least_nine_tenths_of_the_room(
        name: str, summary: str, title: str) -> None:
    """Nine tenths, unless the cut falls after a whole sentence that fills 85 %."""
    platform = PLATFORM_CLASSES[name](PlatformSettings(name, {}))
    if name == "x":
        title = summary  # X's template is the title and the link: make the title long
    draft = draft_for(make_article(title, summary, ["walking"]), platform, SETTINGS, TEMPLATES)
    assert draft.fits
    after_sentence = any(note.endswith("cut after a sentence") for note in draft.shortened)
    assert draft.parts[0].length >= (0.85 if after_sentence else 0.9) * platform.limit


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.one_of(WORDS, st.sampled_from(
    ["https://example.org/a-long/path?q=1", "@mira@social.example", "#SmallWeb", "#日本"])),
    max_size=60).map(" ".join), keep=st.integers(min_value=0, max_value=80))
def test_shortening_never_cuts_a_url_mention_or_hashtag(text: str, keep: int) -> None:
    short = shorten(text, keep).removesuffix(ELLIPSIS)
    assert text.startswith(short)
    rest = text[len(short):]
    for token in ("https://example.org/a-long/path?q=1", "@mira@social.example",
                  "#SmallWeb", "#日本"):
        # Either the token is wholly kept, or it starts after the cut.
        for start in range(len(text)):
            if text.startswith(token, start) and start < len(short):
                assert start + len(token) <= len(short), (token, short)
    assert not short.endswith((" ", ",", ";", "(", "«")) or not rest


def test_a_draft_that_only_fits_as_its_link_passes_check_with_a_warning(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"long.md": article("Unbelievably" * 20, summary="A walk.", slug="long")},
                     syndicate={"platforms": {"mastodon": {"limit": 60}}})
    assert site.build().exit_code == 0
    draft = site.preview_json()[0]
    assert draft["fits"], (draft["parts"], draft["problems"], draft["shortened"])
    assert draft["parts"][0]["text"] == draft["url"]
    result = site.run("check")
    assert result.exit_code == 0, result.output
    assert "Warning: " in result.output
    assert "long.md: the Mastodon post did not fit: title left out" in result.output


def test_drafting_leaves_no_reference_cycles_for_the_paused_collector() -> None:
    # The build pauses Python's cycle collector while it drafts (collection_paused): that
    # is only free if drafting makes no garbage that reference counting cannot free.
    settings_ = settings_from_pelican(
        {"PATH": "content", "SYNDICATE": {"platforms": {
            name: {"thread": True} if name in ("mastodon", "bluesky", "x") else {}
            for name in ("mastodon", "bluesky", "x", "threads", "linkedin", "discord")}}},
        "test", environ={})
    long_summary = " ".join(f"Sentence {n} walks https://example.org/{n} past @a@b.example, "
                            "散歩 and 👩‍💻." for n in range(40))
    sources = [
        make_article("A walk", long_summary, ["walk", "日本", "city"]),
        make_article("Short", "One line.", []),
        replace(make_article("Own words", long_summary, ["x"]),
                metadata={"mastodon": "{{ title }}: {{ summary }} {{ url }}"}),
    ]
    templates = DraftTemplates(None)
    drafts_for(sources[0], settings_, templates)  # templates compiled, caches filled
    gc.collect()
    with collection_paused():
        assert not gc.isenabled()
        made = [draft for source in sources * 5
                for draft in drafts_for(source, settings_, templates)]
        assert gc.collect() == 0
    assert gc.isenabled()
    assert len(made) == 90 and any(len(draft.parts) > 1 for draft in made)


def test_the_collector_stays_off_after_drafting_when_it_was_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7f)))
def test_ascii_words_are_the_unicode_pattern_s_words(text: str) -> None:
    """Comparing a title with its summary reads ASCII text with a faster pattern: it must
    find the words the Unicode one finds (letters, digits, marks)."""
    from syndicate.text import fitting

    assert fitting._plain(text) == " ".join(fitting._WORDS.findall(text.casefold()))
