"""Posting to Bluesky against the reference PDS (@atproto/pds) running on 127.0.0.1.

Records are read back from the server itself (com.atproto.repo.getRecord/listRecords):
what the tests check is what Bluesky stored, not what the client meant to send.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from conftest import Site, article, kill_while_posting, write_png
from fakes import proxy
from pds_server import Account, PdsServer
from PIL import Image

from syndicate.ledger import Ledger

POST = "app.bsky.feed.post"
THREE = {f"walk-{n}.md": article(f"Walk number {n}", date=f"2026-01-0{n + 1}",
                                 tags="walking, city",
                                 summary=f"The summary of walk {n}, in plain words.")
         for n in range(3)}


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


@pytest.fixture
def bluesky_site(live_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account
                 ) -> Callable[..., Site]:
    def make(articles: dict[str, str] | None = None, url: str | None = None,
             **options: object) -> Site:
        return live_site(articles or THREE, {"bluesky": {
            "url": url or pds.url, "handle": bluesky_account.handle, **options}})
    return make


def post(site: Site, bluesky_account: Account, *args: str) -> Any:
    return site.run("post", *args, env={"SYNDICATE_BLUESKY_PASSWORD": bluesky_account.password})


def records(pds: PdsServer, bluesky_account: Account) -> dict[str, dict[str, Any]]:
    """The account's posts as stored on the PDS, by record key."""
    return {item["uri"].rsplit("/", 1)[1]: item
            for item in pds.list_records(bluesky_account.did, POST)}


def test_each_draft_is_stored_as_the_preview_showed_it(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    site = bluesky_site()
    result = post(site, bluesky_account)
    assert result.exit_code == 0, result.output
    drafts = {d["article"]: d for d in site.preview_json()}
    stored = records(pds, bluesky_account)
    assert len(stored) == 3
    ledger = Ledger.load(site.ledger)
    for key, draft in drafts.items():
        part = ledger.entry(key, "bluesky")["parts"][0]
        rkey = part["id"].rsplit("/", 1)[1]
        assert part["url"] == f"https://bsky.app/profile/{bluesky_account.did}/post/{rkey}"
        value = stored[rkey]["value"]
        assert value["text"] == draft["parts"][0]["text"]
        assert value["facets"] == draft["parts"][0]["facets"]
        assert value["langs"] == ["en"]
        # The link facet points at the article, at the UTF-8 bytes that show it.
        link = next(f for f in value["facets"]
                    if f["features"][0]["$type"] == "app.bsky.richtext.facet#link")
        assert link["features"][0]["uri"] == draft["url"]
        shown = value["text"].encode()[link["index"]["byteStart"]:link["index"]["byteEnd"]]
        assert draft["url"].split("://", 1)[1].startswith(shown.decode().removesuffix("..."))
        card = value["embed"]
        assert card["$type"] == "app.bsky.embed.external"
        assert card["external"]["uri"] == draft["url"]
        assert card["external"]["title"] == draft["title"]
    # Posted once: the next run sends nothing.
    again = post(site, bluesky_account)
    assert again.exit_code == 0 and "nothing new to post" in again.output
    assert len(records(pds, bluesky_account)) == 3


def test_the_card_carries_the_image_as_its_thumb_made_small_enough(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    site = bluesky_site({"door.md": article("The red door", image="images/door.png",
                                            image_alt="A red door in a white wall")})
    original = write_png(site.root / "content/images/door.png", (800, 600), noisy=True)
    assert len(original) > 1_000_000
    assert site.build().exit_code == 0
    result = post(site, bluesky_account)
    assert result.exit_code == 0, result.output
    (stored,) = records(pds, bluesky_account).values()
    thumb = stored["value"]["embed"]["external"]["thumb"]
    assert thumb["mimeType"] == "image/jpeg" and 0 < thumb["size"] <= 1_000_000
    blob = pds.get_blob(bluesky_account.did, thumb["ref"]["$link"])
    assert blob[:3] == b"\xff\xd8\xff" and len(blob) == thumb["size"]


def test_with_the_image_option_the_image_is_attached_with_its_alt_text(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    site = bluesky_site({"door.md": article("The red door", image="images/door.png",
                                            image_alt="A red door in a white wall")},
                        image=True)
    png = write_png(site.root / "content/images/door.png")
    assert site.build().exit_code == 0
    assert post(site, bluesky_account).exit_code == 0
    (stored,) = records(pds, bluesky_account).values()
    embed = stored["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (image,) = embed["images"]
    assert image["alt"] == "A red door in a white wall"
    assert image["image"]["mimeType"] == "image/png"
    # Decoded and encoded again (nothing but pixels leaves): the same picture.
    blob = pds.get_blob(bluesky_account.did, image["image"]["ref"]["$link"])
    assert len(blob) == image["image"]["size"]
    with Image.open(io.BytesIO(blob)) as sent, Image.open(io.BytesIO(png)) as original:
        assert sent.convert("RGB").tobytes() == original.convert("RGB").tobytes()


def test_a_thread_is_a_reply_chain_with_its_root(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    long_summary = " ".join(f"Sentence number {n} of a long walk by the river." for n in
                            range(20))
    site = bluesky_site({"long.md": article("A long walk", summary=long_summary)},
                        thread=True)
    (draft,) = site.preview_json()
    assert len(draft["parts"]) >= 3
    assert post(site, bluesky_account).exit_code == 0
    parts = Ledger.load(site.ledger).entry("long.md", "bluesky")["parts"]
    stored = records(pds, bluesky_account)
    chain = [stored[part["id"].rsplit("/", 1)[1]] for part in parts]
    assert [c["value"]["text"] for c in chain] == [p["text"] for p in draft["parts"]]
    root = {"uri": chain[0]["uri"], "cid": chain[0]["cid"]}
    assert "reply" not in chain[0]["value"]
    for parent, child in itertools.pairwise(chain):
        assert child["value"]["reply"] == {
            "root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
    assert "embed" in chain[0]["value"] and "embed" not in chain[1]["value"]


def test_the_server_refuses_an_overlong_post_and_says_why(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    # A limit set above Bluesky's own: the draft passes our check, the server refuses it.
    site = bluesky_site({"long.md": article("Long", summary="word " * 120)}, limit=400)
    (draft,) = site.preview_json()
    assert 300 < draft["parts"][0]["length"] <= 400
    result = post(site, bluesky_account)
    assert result.exit_code == 1
    assert "grapheme too big (maximum 300" in result.output
    assert records(pds, bluesky_account) == {}
    assert Ledger.load(site.ledger).state("long.md", "bluesky") == "failed"


def test_a_wrong_password_is_one_line_and_never_printed(
        bluesky_site: Callable[..., Site], bluesky_account: Account) -> None:
    site = bluesky_site()
    wrong = "wrong-app-password-1234"
    result = site.verbose_post({"SYNDICATE_BLUESKY_PASSWORD": wrong})
    assert result.returncode == 1
    assert "could not sign in" in result.stderr and "SYNDICATE_BLUESKY_PASSWORD" in \
        result.stderr
    everything = result.stdout + result.stderr + site.ledger.read_text()
    assert wrong not in everything
    good = site.verbose_post({"SYNDICATE_BLUESKY_PASSWORD": bluesky_account.password})
    assert good.returncode == 0, good.stderr
    assert bluesky_account.password not in good.stdout + good.stderr + site.ledger.read_text()
    for path in [*site.output.rglob("*"), *(site.root / ".syndicate").rglob("*")]:
        if path.is_file():
            assert bluesky_account.password.encode() not in path.read_bytes()


def test_one_session_per_run_and_faults_on_the_way_make_no_second_copy(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    with proxy.running(pds.url) as faulty:
        site = bluesky_site(url=faulty.url)
        # Rate limited (reset in epoch seconds), a server error, then an answer lost after
        # the record was written: every one retried, and the retry finds it already there.
        faulty.faults.extend(["429", "500", "lost"])
        result = post(site, bluesky_account)
        assert result.exit_code == 0, result.output
        assert faulty.calls("createSession") == 1
        assert faulty.calls("putRecord") == 3 + 3
    stored = records(pds, bluesky_account)
    assert len(stored) == 3
    assert len({r["value"]["text"] for r in stored.values()}) == 3


def test_an_expired_session_is_refreshed_not_signed_in_again(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    with proxy.running(pds.url) as faulty:
        site = bluesky_site(url=faulty.url)
        faulty.faults.extend(["ok", "expired"])  # the second write finds the token expired
        result = post(site, bluesky_account)
        assert result.exit_code == 0, result.output
        assert faulty.calls("createSession") == 1
        assert faulty.calls("refreshSession") == 1
    assert len(records(pds, bluesky_account)) == 3


def test_a_run_killed_after_the_write_finds_its_post_instead_of_repeating_it(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account) -> None:
    site = bluesky_site()
    assert post(site, bluesky_account).exit_code == 0
    # As if the last run had died between the write and the ledger update.
    ledger_text = site.ledger.read_text()
    entry = Ledger.load(site.ledger).entry("walk-2.md", "bluesky")
    posted_id = entry["parts"][0]["id"]
    site.ledger.unlink()
    assert post(site, bluesky_account).exit_code == 0
    assert len(records(pds, bluesky_account)) == 3
    assert Ledger.load(site.ledger).entry("walk-2.md", "bluesky")["parts"][0]["id"] == \
        posted_id
    assert ledger_text  # the first run's ledger was written


def test_sigkill_at_random_moments_never_posts_twice(
        bluesky_site: Callable[..., Site], pds: PdsServer, bluesky_account: Account,
        stack: ExitStack) -> None:
    """Kill `syndicate post` 30 times mid-run; re-run; every part is on the PDS once."""
    articles = {f"walk-{n:03d}.md": article(
        f"Walk {n}", date=f"2026-02-01 {10 + n // 60}:{n % 60:02d}",
        summary=f"Walk {n} went along the river.") for n in range(120)}
    faulty = stack.enter_context(proxy.running(pds.url))
    faulty.latency = 0.03  # a network's delay, so that kills land mid-run
    site = bluesky_site(articles, url=faulty.url)
    kills, mid_run = kill_while_posting(
        site, {"SYNDICATE_BLUESKY_PASSWORD": bluesky_account.password},
        lambda: faulty.calls("putRecord"), lambda: len(records(pds, bluesky_account)),
        len(articles), seed=7)
    assert kills == 30, "the posts all went out before 30 kills"
    assert mid_run >= 5, "too few kills landed while posts were being written"
    final = post(site, bluesky_account, "--max", "1000")
    assert final.exit_code == 0, final.output
    texts = [r["value"]["text"] for r in records(pds, bluesky_account).values()]
    assert len(texts) == len(articles) == len(set(texts))
    ledger = Ledger.load(site.ledger)
    assert all(ledger.state(key, "bluesky") == "posted" for key in articles)
