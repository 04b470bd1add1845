"""Long drafts as reply chains, opt-in per platform and per article."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from conftest import Site, article

SENTENCES = [f"Sentence number {n} says something about walking in the rain." for n in range(30)]
LONG = " ".join(SENTENCES)


def thread_site(make_site: Callable[..., Site], **options: object) -> Site:
    return make_site({"long.md": article("A long walk", summary=LONG, thread="yes"),
                      "short.md": article("A short walk", summary=LONG)},
                     syndicate={"platforms": {"outbox": {}, "mastodon": {"limit": 300,
                                                                         **options}}})


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_a_long_summary_becomes_a_chain_of_fitting_parts(make_site: Callable[..., Site]) -> None:
    site = thread_site(make_site)
    assert site.build().exit_code == 0
    drafts = {(d["article"], d["platform"]): d for d in site.preview_json()}
    thread = drafts[("long.md", "mastodon")]
    parts = [part["text"] for part in thread["parts"]]
    assert len(parts) > 2
    assert all(part["length"] <= 300 for part in thread["parts"])
    assert thread["url"] in parts[0] and all(thread["url"] not in p for p in parts[1:])
    # Nothing of the summary is lost or repeated: its words come back in order.
    title, summary_start, *_ = parts[0].split("\n\n")
    assert title == "A long walk"
    said = words(summary_start) + [w for p in parts[1:] for w in words(p)]
    # The hashtags, left out of the first part, close the last one.
    assert parts[-1].endswith("\n\n#walking")
    assert said == [*words(LONG), "walking"]
    # Parts after the first end at a sentence.
    assert all(p.removesuffix("\n\n#walking").rstrip().endswith(".") for p in parts[1:])
    # Not asked for numbers: none.
    assert not any(re.search(r"\d+/\d+$", p) for p in parts)
    # The same article without `Thread: yes` is one shortened post.
    assert len(drafts[("short.md", "mastodon")]["parts"]) == 1


def test_parts_are_numbered_only_when_asked(make_site: Callable[..., Site]) -> None:
    site = thread_site(make_site, numbering="({n}/{total})")
    site.build()
    thread = next(d for d in site.preview_json("--platform", "mastodon")
                  if d["article"] == "long.md")
    total = len(thread["parts"])
    for number, part in enumerate(thread["parts"], start=1):
        assert part["text"].endswith(f"({number}/{total})")
        assert part["length"] <= 300


def test_a_platform_can_thread_every_article_and_an_article_can_refuse(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"long.md": article("A long walk", summary=LONG),
                      "single.md": article("A single post", summary=LONG, thread="no")},
                     syndicate={"platforms": {"mastodon": {"limit": 300, "thread": True}}})
    site.build()
    parts = {d["article"]: len(d["parts"]) for d in site.preview_json()}
    assert parts["long.md"] > 2 and parts["single.md"] == 1


def test_a_thread_is_posted_as_a_reply_chain(make_site: Callable[..., Site]) -> None:
    site = make_site({"long.md": article("A long walk", summary=LONG, thread="yes")},
                     syndicate={"platforms": {"outbox": {"limit": 300}}})
    site.build()
    assert site.run("post").exit_code == 0
    posts = sorted(site.outbox_posts(), key=lambda p: p["part"])
    assert len(posts) > 2
    assert posts[0]["in_reply_to"] is None
    for previous, post in itertools.pairwise(posts):
        assert post["in_reply_to"] == previous["id"]


# --- how a thread reads: properties of split_thread, and drafts -----------------------

import unicodedata  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from syndicate.platforms import PLATFORM_CLASSES  # noqa: E402
from syndicate.platforms.base import PlatformSettings  # noqa: E402
from syndicate.text.fitting import ELLIPSIS, split_thread, stub_floor  # noqa: E402

TOKENS = ["https://example.org/a-long/path?q=1", "@mira@social.example", "#SmallWeb"]
THREAD_WORDS = st.one_of(
    st.sampled_from(["walk", "city", "river", "évènement", "naïve", "日本語", "の", "散歩。",
                     "ไทย", "नमस्ते", "👩‍💻", "🇵🇹", "مدينة", "e\u0301t\u0301é", "ok.", "yes!",
                     "why?", "(aside),", "«quote»", "a,", "b;", "Enjoy!", "Plotly.", "—",
                     "\n\nNew", "e" + "\u0301" * 30, *TOKENS]),
    st.text(alphabet="abcdéxyz", min_size=1, max_size=700))
THREAD_TEXT = st.lists(THREAD_WORDS, min_size=1, max_size=200).map(" ".join)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", ["mastodon", "bluesky", "x", "threads"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=THREAD_TEXT, limit=st.sampled_from([120, 280, 300, 500]))
@example(text=" ".join(SENTENCES[:9]) + " Enjoy!", limit=300)
@example(text="Hi. " + "a" * 700 + " bye.", limit=300)
@example(text=" ".join(["e" + "\u0301" * 30] * 150), limit=300)
def test_thread_parts_fit_say_everything_once_and_are_no_stubs(
        name: str, text: str, limit: int) -> None:
    platform = PLATFORM_CLASSES[name](PlatformSettings(name, {"limit": limit}))
    parts = split_thread(text, platform.count, limit)
    assert all(platform.count(part) <= limit for part in parts)
    # Everything is said once, in order: only an ellipsis where a word was cut is added.
    whole, position = squeezed(text), 0
    for part in map(squeezed, parts):
        if not whole.startswith(part, position):
            assert part.endswith(ELLIPSIS) and whole.startswith(part[:-1], position), part
            part = part[:-1]
        position += len(part)
    assert position == len(whole)
    # A link, mention or hashtag is never cut, nor a grapheme.
    for token in TOKENS:
        assert sum(part.count(token) for part in parts) == text.count(token)
    for part in parts:
        assert not unicodedata.category(part[0]).startswith("M") and part[0] not in "\u200d\ufe0f"
    # No stubs, unless the whole text is that short.
    if len(parts) > 1 and all(len(word) < limit // 2 for word in text.split()):
        assert min(platform.count(part) for part in parts) >= stub_floor(limit), parts


def test_a_thread_splits_at_sentences_and_ends_in_no_stub(
        make_site: Callable[..., Site]) -> None:
    summary = " ".join(SENTENCES[:9]) + " Enjoy!"
    site = make_site({"long.md": article("A long walk", summary=summary, thread="yes")},
                     syndicate={"platforms": {"bluesky": {"numbering": "{n}/{total}"}}})
    assert site.build().exit_code == 0
    thread = next(d for d in site.preview_json() if d["platform"] == "bluesky")
    parts = [re.sub(r" \d+/\d+$", "", part["text"]) for part in thread["parts"]]
    assert len(parts) > 1
    for part in parts[1:]:
        body = part.removesuffix("\n\n#walking")
        assert body.endswith((".", "!")), part
        assert len(body) >= 40, part


def test_a_summary_that_restates_the_title_is_not_posted_twice(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"same.md": article("A walk in the rain", summary="A walk in the rain."),
                      "more.md": article("Rain", summary="Rain: a walk along the river, "
                                         "soaked to the bone.")},
                     syndicate={"platforms": {"mastodon": {}}})
    assert site.build().exit_code == 0
    drafts = {d["article"]: d for d in site.preview_json()}
    same = drafts["same.md"]["parts"][0]["text"]
    assert same.lower().count("a walk in the rain") == 1, same
    assert any("summary left out" in note for note in drafts["same.md"]["shortened"])
    more = drafts["more.md"]["parts"][0]["text"]
    assert more.startswith("Rain: a walk along the river"), more
