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
