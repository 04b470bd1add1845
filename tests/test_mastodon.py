"""Posting to Mastodon through its client, against a faithful fake server on 127.0.0.1."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Site, article, kill_while_posting, write_png
from fakes.mastodon import FakeMastodon

from syndicate.ledger import Ledger

TOKEN = "good-token"
THREE = {f"walk-{n}.md": article(f"Walk number {n}", date=f"2026-01-0{n + 1}",
                                 summary=f"The summary of walk {n}, in plain words.")
         for n in range(3)}


@pytest.fixture
def site_for(live_site: Callable[..., Site]) -> Callable[..., Site]:
    """A live site posting to the given fake Mastodon, with these mastodon settings."""

    def make(fake: FakeMastodon, articles: dict[str, str] | None = None,
             **options: object) -> Site:
        return live_site(articles or THREE, {"mastodon": {"url": fake.url, **options}})

    return make
def post(site: Site, token: str = TOKEN, *args: str) -> object:
    return site.run("post", *args, env={"SYNDICATE_MASTODON_TOKEN": token})


def test_every_draft_becomes_one_status_and_the_ledger_links_to_it(
        site_for: Callable[..., Site], mastodon: FakeMastodon) -> None:
    site = site_for(mastodon)
    result = post(site)
    assert result.exit_code == 0, result.output
    drafts = {d["article"]: d for d in site.preview_json("--all")}
    assert len(mastodon.statuses) == 3
    ledger = Ledger.load(site.ledger)
    for status in mastodon.statuses.values():
        key = next(k for k, d in drafts.items() if d["parts"][0]["text"] == status["content"])
        assert status["language"] == "en" and status["visibility"] == "public"
        entry = ledger.entry(key, "mastodon")
        assert entry and entry["state"] == "posted"
        assert entry["parts"][0] == {**entry["parts"][0], "id": status["id"],
                                     "url": status["url"]}
    # Posted once: a second run sends nothing.
    requests = len(mastodon.requests)
    assert "nothing new to post" in post(site).output
    assert len(mastodon.requests) == requests


def test_a_thread_is_a_chain_of_replies(site_for: Callable[..., Site],
                                        mastodon: FakeMastodon) -> None:
    long = " ".join(f"Sentence {n} walks on a little further." for n in range(40))
    site = site_for(mastodon, {"long.md": article("Long", summary=long,
                                                             thread="yes")}, limit=300)
    assert post(site).exit_code == 0
    statuses = sorted(mastodon.statuses.values(), key=lambda s: int(s["id"]))
    assert len(statuses) > 2
    assert statuses[0]["in_reply_to_id"] is None
    for previous, status in itertools.pairwise(statuses):
        assert status["in_reply_to_id"] == previous["id"]


def test_errors_and_lost_answers_still_post_each_part_exactly_once(
        site_for: Callable[..., Site], mastodon: FakeMastodon) -> None:
    site = site_for(mastodon)
    # A fault on the first try of each post, then an answer: "ok" lets one through.
    mastodon.faults.extend(["500", "ok", "429", "ok", "lost", "ok", "reset", "lost", "ok"])
    result = post(site)
    assert result.exit_code == 0, result.output
    contents = [s["content"] for s in mastodon.statuses.values()]
    assert len(contents) == 3 == len(set(contents))


def test_a_refused_token_is_one_clear_line_without_the_token(
        site_for: Callable[..., Site], mastodon: FakeMastodon) -> None:
    site = site_for(mastodon)
    secret = "not-the-right-token-5f2a9c"
    result = post(site, secret)
    assert result.exit_code == 1
    assert "refused the token (401)" in result.output
    assert "SYNDICATE_MASTODON_TOKEN" in result.output
    assert secret not in result.output
    assert not mastodon.statuses
    for path in [site.ledger, *Path(site.root, ".syndicate").rglob("*"),
                 *site.output.rglob("*")]:
        if path.is_file():
            assert secret.encode() not in path.read_bytes()
    state = {d["article"]: d["state"] for d in site.preview_json()}
    assert set(state.values()) == {"failed"}


def test_the_server_limit_is_the_last_word(site_for: Callable[..., Site],
                                           mastodon: FakeMastodon) -> None:
    mastodon.max_characters = 100
    site = site_for(mastodon, {"long.md": article(
        "Long", summary="word " * 150)}, limit=400)
    result = post(site)
    assert result.exit_code == 1
    # Read from /api/v2/instance and checked before anything is sent.
    assert "over this server's limit of 100" in result.output
    assert 'set "limit": 100 for mastodon' in result.output
    assert not mastodon.statuses
    assert ("POST", "/api/v1/statuses") not in mastodon.requests


def test_a_post_the_server_still_refuses_is_one_clear_line(
        site_for: Callable[..., Site], mastodon: FakeMastodon) -> None:
    # A server that advertises more room than it accepts: its 422 is the answer.
    mastodon.max_characters, mastodon.advertised_max = 100, 1000
    site = site_for(mastodon, {"long.md": article(
        "Long", summary="word " * 150)}, limit=400)
    result = post(site)
    assert result.exit_code == 1
    assert "rejected the post: Validation failed: Text character limit of 100" in result.output
    assert not mastodon.statuses
    assert Ledger.load(site.ledger).state("long.md", "mastodon") == "failed"


def test_sigkill_at_random_moments_never_posts_twice(site_for: Callable[..., Site],
                                                     mastodon: FakeMastodon) -> None:
    """Kill `syndicate post` 30 times mid-run; re-run; every part is on the server once."""
    articles = {f"walk-{n:03d}.md": article(
        f"Walk {n}", date=f"2026-02-01 {10 + n // 60}:{n % 60:02d}",
        summary=f"Walk {n} went along the river.") for n in range(120)}
    site = site_for(mastodon, articles)
    mastodon.latency = 0.03

    def posts() -> int:
        return sum(request == ("POST", "/api/v1/statuses")
                   for request in list(mastodon.requests))

    kills, mid_run = kill_while_posting(site, {"SYNDICATE_MASTODON_TOKEN": TOKEN}, posts,
                                        lambda: len(mastodon.statuses), len(articles), seed=4)
    assert kills == 30
    assert mid_run >= 5, "too few kills landed while statuses were being posted"
    final = post(site, TOKEN, "--max", "1000")
    assert final.exit_code == 0, final.output
    contents = [s["content"] for s in mastodon.statuses.values()]
    assert len(contents) == len(articles) == len(set(contents))
    ledger = Ledger.load(site.ledger)
    assert all(ledger.state(key, "mastodon") == "posted" for key in articles)


def test_an_article_not_live_yet_waits_and_the_rest_go_out(
        site_for: Callable[..., Site], mastodon: FakeMastodon) -> None:
    site = site_for(mastodon)
    page = site.output / "posts/walk-number-1"
    hidden = site.root / "not-deployed-yet"
    page.rename(hidden)  # the deploy has not published it yet
    result = post(site)
    assert result.exit_code == 1
    assert "Not live yet:" in result.output and "walk-number-1" in result.output
    assert "HTTP 404" in result.output
    assert len(mastodon.statuses) == 2
    states = {d["article"]: d["state"] for d in site.preview_json()}
    assert states["walk-1.md"] == "new"
    # --wait polls until the page is there, then posts it.
    threading.Timer(0.8, hidden.rename, [page]).start()
    result = post(site, TOKEN, "--wait", "10")
    assert result.exit_code == 0, result.output
    assert len(mastodon.statuses) == 3


def test_with_check_live_feed_an_article_is_live_once_the_deployed_feed_lists_it(
        make_site: Callable[..., Site], deployed: str, mastodon: FakeMastodon) -> None:
    first_two = dict(list(THREE.items())[:2])
    site = make_site(first_two, siteurl=deployed, syndicate={
        "platforms": {"mastodon": {"url": mastodon.url}}, "check_live": "feed"})
    assert site.build().exit_code == 0
    feed = site.output / "feeds/all.atom.xml"
    old_feed = feed.read_bytes()
    site.write("content/walk-2.md", THREE["walk-2.md"])
    assert site.build().exit_code == 0
    new_feed = feed.read_bytes()
    feed.write_bytes(old_feed)  # the page is there, but the deployed feed is the old one
    result = post(site)
    assert result.exit_code == 1
    assert "walk-number-2" in result.output and "not in the deployed feed" in result.output
    assert len(mastodon.statuses) == 2
    feed.write_bytes(new_feed)
    result = post(site)
    assert result.exit_code == 0, result.output
    assert len(mastodon.statuses) == 3


def test_the_outbox_needs_no_live_site(make_site: Callable[..., Site]) -> None:
    site = make_site(THREE, siteurl="https://blog.invalid")
    site.build()
    assert site.run("post").exit_code == 0
    assert len(site.outbox_posts()) == 3


def test_no_secret_in_any_output_log_or_file_of_a_verbose_failing_run(
        site_for: Callable[..., Site], mastodon: FakeMastodon) -> None:
    secret = "tok-9f8e7d6c5b4a-secret"
    mastodon.tokens = {secret}
    mastodon.max_characters, mastodon.advertised_max = 100, 1000  # one post will fail
    site = site_for(mastodon, {**THREE, "long.md": article("Long", summary="word " * 150)},
                    limit=400)
    mastodon.faults.extend(["500", "ok", "lost"])
    run = site.verbose_post({"SYNDICATE_MASTODON_TOKEN": secret})
    assert run.returncode == 1
    assert len(mastodon.statuses) == 3
    assert "mastodon: POST http://127.0.0.1" in run.stderr, "verbose: requests are logged"
    assert secret not in run.stdout + run.stderr
    for path in site.root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_the_article_image_is_attached_with_its_alt_text_once_processed(
        site_for: Callable[..., Site], mastodon: FakeMastodon) -> None:
    mastodon.image_size_limit = 40_000  # a small server: the image must be made smaller
    articles = {"door.md": article("The red door", image="images/door.png",
                                   image_alt="A red door in a white wall")}
    site = site_for(mastodon, articles, image=True)
    original = write_png(site.root / "content/images/door.png", (500, 400), noisy=True)
    assert len(original) > mastodon.image_size_limit
    assert site.build().exit_code == 0
    result = post(site)
    assert result.exit_code == 0, result.output
    (status,) = mastodon.statuses.values()
    (media,) = status["media_attachments"]
    assert media["description"] == "A red door in a white wall"
    assert media["url"], "attached only once the server finished processing it"
    polls = [r for r in mastodon.requests if r[1].startswith("/api/v1/media/")]
    assert len(polls) == mastodon.processing_polls + 1
    sent = mastodon.media_files[media["id"]]
    assert len(sent) <= mastodon.image_size_limit and sent[:3] == b"\xff\xd8\xff"  # JPEG


def test_without_the_image_option_the_server_builds_the_card(
        site_for: Callable[..., Site], mastodon: FakeMastodon) -> None:
    articles = {"door.md": article("The red door", image="images/door.png",
                                   image_alt="A red door")}
    site = site_for(mastodon, articles)
    write_png(site.root / "content/images/door.png")
    assert site.build().exit_code == 0
    assert post(site).exit_code == 0
    (status,) = mastodon.statuses.values()
    assert status["media_attachments"] == [] and not mastodon.media
