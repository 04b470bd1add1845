"""Posting to Threads (Meta's Threads API), against a faithful fake on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import PROJECT, Site, article
from fakes.threads import FakeThreads, running, threads_count

from syndicate.ledger import Ledger

THREE = {f"walk-{n}.md": article(f"Walk number {n} in the rain 🌧️👨‍👩‍👧",
                                 date=f"2026-01-0{n + 1}") for n in range(3)}
LONG = " ".join(f"Sentence number {n} says something about walking in the rain."
                for n in range(30))


@pytest.fixture
def threads() -> Iterator[FakeThreads]:
    with running() as fake:
        yield fake


def settings(fake: FakeThreads, **options: Any) -> dict[str, Any]:
    return {"threads": {"api_url": fake.url, **options}}


@pytest.fixture
def threads_site(live_site: Callable[..., Site], threads: FakeThreads) -> Site:
    return live_site(THREE, settings(threads))


def post(site: Site, token: str) -> Any:
    return site.run("post", env={"SYNDICATE_THREADS_TOKEN": token})


def drafts(site: Site) -> dict[str, dict[str, Any]]:
    return {d["article"]: d for d in site.preview_json("--all", "--platform", "threads")}


def states(site: Site) -> list[str]:
    return sorted(row["state"] for row in json.loads(
        site.run("status", "--format", "json").output) if row["platform"] == "threads")


def test_each_draft_is_a_container_then_a_published_post(
        threads_site: Site, threads: FakeThreads) -> None:
    threads.faults.extend(["429", "ok", "500"])  # rate limited, then a server error
    result = post(threads_site, threads.token)
    assert result.exit_code == 0, result.output
    assert len(threads.posts) == 3
    ledger = Ledger.load(threads_site.ledger)
    for key, draft in drafts(threads_site).items():
        part = ledger.entry(key, "threads")["parts"][0]
        made = next(p for p in threads.posts if p["id"] == part["id"])
        assert part["url"] == made["permalink"]
        assert made["text"] == draft["parts"][0]["text"]
        assert threads_count(made["text"]) <= 500
        assert made["media_type"] == "TEXT" and made["link_attachment"] == draft["url"]
        assert made["reply_to"] is None
    # The token goes in the Authorization header, never in a URL or the form.
    for call in threads.requests:
        assert call["headers"]["authorization"] == f"Bearer {threads.token}"
        assert "access_token" not in call["params"] and threads.token not in call["path"]
    assert threads.token not in threads_site.ledger.read_text(encoding="utf-8")


def test_a_thread_is_a_chain_of_replies(make_site: Callable[..., Site], deployed: str,
                                        threads: FakeThreads) -> None:
    site = make_site({"long.md": article("A long walk", summary=LONG, thread="yes")},
                     siteurl=deployed, syndicate={"platforms": settings(threads)})
    assert site.build().exit_code == 0
    parts = drafts(site)["long.md"]["parts"]
    assert len(parts) > 2
    result = post(site, threads.token)
    assert result.exit_code == 0, result.output
    assert [p["text"] for p in threads.posts] == [p["text"] for p in parts]
    assert threads.posts[0]["reply_to"] is None and threads.posts[0]["link_attachment"]
    for previous, reply in itertools.pairwise(threads.posts):
        assert reply["reply_to"] == previous["id"]
        assert reply["link_attachment"] is None
    recorded = Ledger.load(site.ledger).entry("long.md", "threads")["parts"]
    assert [p["id"] for p in recorded] == [p["id"] for p in threads.posts]


def test_the_card_image_is_posted_by_its_public_url_once_processed(
        make_site: Callable[..., Site], deployed: str) -> None:
    with running(FakeThreads(processing_seconds=0.3)) as threads:
        site = make_site({"harbour.md": article("The harbour", image="images/harbour.png",
                                                image_alt="A small harbour at dusk")},
                         siteurl=deployed,
                         syndicate={"platforms": settings(threads, image=True)})
        (site.root / "content" / "images").mkdir()
        shutil.copy(PROJECT / "content" / "images" / "harbour.png",
                    site.root / "content" / "images" / "harbour.png")
        assert site.build().exit_code == 0
        result = post(site, threads.token)
        assert result.exit_code == 0, result.output
        [made] = threads.posts
        assert made["media_type"] == "IMAGE"
        assert made["image_url"] == f"{deployed}/images/harbour.png"
        assert made["alt_text"] == "A small harbour at dusk"
        # Published too early, it was not ready: its status was waited for.
        assert any("fields=status" in r["path"] for r in threads.requests)


def test_an_image_meta_cannot_fetch_is_left_out_not_the_post(
        live_site: Callable[..., Site], threads: FakeThreads) -> None:
    site = live_site({"gone.md": article("Gone", image="images/gone.png", image_alt="Gone")},
                     settings(threads, image=True))
    result = post(site, threads.token)
    assert result.exit_code == 0, result.output
    assert "Warning: gone.md: posted to Threads without its image: its container is " \
        "ERROR" in result.output
    [made] = threads.posts
    assert made["media_type"] == "TEXT" and made["link_attachment"] == drafts(site)[
        "gone.md"]["url"]


def test_a_lost_publish_answer_is_found_not_posted_twice(threads_site: Site,
                                                         threads: FakeThreads) -> None:
    threads.faults.extend(["ok", "lost"])  # the first publish goes out, its answer is lost
    result = post(threads_site, threads.token)
    assert result.exit_code == 0, result.output
    assert len(threads.posts) == 3, "published once"
    looked = [r["path"].split("?")[0] for r in threads.requests if r["method"] == "GET"]
    assert looked[:2] == [f"/{threads.posts[0]['container']}", "/me/threads"], \
        "the container's status, then the latest threads"
    ledger = Ledger.load(threads_site.ledger)
    assert {ledger.entry(k, "threads")["parts"][0]["id"] for k in THREE} == {
        p["id"] for p in threads.posts}


def test_a_publish_dropped_before_it_was_done_is_published(threads_site: Site,
                                                           threads: FakeThreads) -> None:
    threads.faults.extend(["ok", "unanswered"])
    result = post(threads_site, threads.token)
    assert result.exit_code == 0, result.output
    assert len(threads.posts) == 3
    publishes = [r for r in threads.requests if r["path"].endswith("/threads_publish")]
    assert len(publishes) == 4 and publishes[0]["params"] == publishes[1]["params"], \
        "the same container published again"


def test_a_post_that_went_out_unseen_needs_attention_not_a_resend(
        threads_site: Site, threads: FakeThreads) -> None:
    threads.faults.extend(["ok", "lost"])
    threads.listing_allowed = False  # the token cannot read the account's threads
    result = post(threads_site, threads.token)
    assert result.exit_code == 1
    assert "find the post on Threads" in result.output
    assert len(threads.posts) == 3
    again = post(threads_site, threads.token)
    assert again.exit_code == 1
    assert len(threads.posts) == 3, "no blind resend"
    assert states(threads_site) == ["attention", "posted", "posted"]


def test_a_refused_token_is_one_line_and_never_printed(threads_site: Site,
                                                       threads: FakeThreads) -> None:
    wrong = "THAAwrongToken0123456789abcdefghijklmnop"
    result = threads_site.verbose_post({"SYNDICATE_THREADS_TOKEN": wrong})
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "threads: the token was refused" in output
    assert "check SYNDICATE_THREADS_TOKEN" in output
    assert "threads: POST http://127.0.0.1" in output, "verbose: requests are logged"
    assert "wrongToken" not in output
    assert not threads.posts
    good = threads_site.verbose_post({"SYNDICATE_THREADS_TOKEN": threads.token})
    assert good.returncode == 0, good.stderr
    assert threads.token not in good.stdout + good.stderr


def test_metas_rate_limit_is_a_clear_failure_not_a_retry_loop(
        threads_site: Site, threads: FakeThreads) -> None:
    threads.faults.append("rate")
    result = post(threads_site, threads.token)
    assert result.exit_code == 1
    assert "threads: rate limited by Meta (code 17" in result.output
    assert "run `syndicate post` again later" in result.output
    assert len(threads.posts) == 2
    assert states(threads_site) == ["failed", "posted", "posted"]
