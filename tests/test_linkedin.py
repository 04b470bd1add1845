"""Posting to LinkedIn (Posts API), against a faithful fake on 127.0.0.1."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import PROJECT, Site, article
from fakes.linkedin import FakeLinkedIn, running
from PIL import Image

from syndicate.ledger import Ledger

# Titles full of LinkedIn's reserved characters: unescaped, the post would be cut.
THREE = {f"walk-{n}.md": article(f"Walk #{n}: rain (again) & [mud] *everywhere*_~",
                                 date=f"2026-01-0{n + 1}", tags="walking, rain")
         for n in range(3)}
LONG = " ".join(f"Sentence number {n} says something about walking in the rain."
                for n in range(80))


@pytest.fixture
def linkedin() -> Iterator[FakeLinkedIn]:
    with running() as fake:
        yield fake


def settings(fake: FakeLinkedIn, **options: Any) -> dict[str, Any]:
    return {"linkedin": {"api_url": fake.url, "author": fake.member, **options}}


@pytest.fixture
def linkedin_site(live_site: Callable[..., Site], linkedin: FakeLinkedIn) -> Site:
    return live_site(THREE, settings(linkedin))


def post(site: Site, token: str) -> Any:
    return site.run("post", env={"SYNDICATE_LINKEDIN_TOKEN": token})


def drafts(site: Site) -> dict[str, dict[str, Any]]:
    return {d["article"]: d for d in site.preview_json("--platform", "linkedin")}


def test_posts_escaped_commentary_with_the_card_as_an_article(
        linkedin_site: Site, linkedin: FakeLinkedIn) -> None:
    # Rate limited: retried. (A 5xx is not: the post may exist; test_exactly_once.)
    linkedin.faults.extend(["429", "ok"])
    result = post(linkedin_site, linkedin.token)
    assert result.exit_code == 0, result.output
    assert len(linkedin.posts) == 3
    ledger = Ledger.load(linkedin_site.ledger)
    for key, draft in drafts(linkedin_site).items():
        urn = ledger.entry(key, "linkedin")["parts"][0]["id"]
        made = next(p for p in linkedin.posts if p["urn"] == urn)
        assert ledger.entry(key, "linkedin")["parts"][0]["url"] == (
            f"https://www.linkedin.com/feed/update/{urn}/")
        # Escaped on the wire, so LinkedIn shows the whole text, reserved characters too.
        assert made["shown"] == draft["parts"][0]["text"]
        assert "\\(again\\)" in made["commentary"] and "\\#walking" in made["commentary"]
        assert made["author"] == linkedin.member
        assert made["visibility"] == "PUBLIC" and made["lifecycleState"] == "PUBLISHED"
        assert made["content"]["article"] == {
            "source": draft["url"], "title": draft["card"]["title"],
            "description": draft["card"]["description"]}
    posts_calls = [r for r in linkedin.requests if r["path"] == "/rest/posts"]
    assert len(posts_calls) == 4  # the 429 was retried
    for call in posts_calls:
        assert call["headers"]["linkedin-version"] == "202610"
        assert call["headers"]["x-restli-protocol-version"] == "2.0.0"
    assert linkedin.token not in linkedin_site.ledger.read_text(encoding="utf-8")


def image_site(make_site: Callable[..., Site], deployed: str, fake: FakeLinkedIn) -> Site:
    site = make_site({"harbour.md": article("The harbour", image="images/harbour.png",
                                            image_alt="A small harbour at dusk")},
                     siteurl=deployed, syndicate={"platforms": settings(fake)})
    (site.root / "content" / "images").mkdir()
    shutil.copy(PROJECT / "content" / "images" / "harbour.png",
                site.root / "content" / "images" / "harbour.png")
    assert site.build().exit_code == 0
    return site


def test_the_card_image_is_uploaded_as_the_thumbnail(
        make_site: Callable[..., Site], deployed: str, linkedin: FakeLinkedIn) -> None:
    site = image_site(make_site, deployed, linkedin)
    result = post(site, linkedin.token)
    assert result.exit_code == 0, result.output
    [made] = linkedin.posts
    [(urn, image)] = linkedin.images.items()
    # Decoded and encoded again (nothing but pixels leaves), the same picture.
    with Image.open(site.root / "content" / "images" / "harbour.png") as original, \
            Image.open(io.BytesIO(image["data"])) as sent:
        assert sent.format == "PNG" and sent.size == original.size
        assert sent.convert("RGB").tobytes() == original.convert("RGB").tobytes()
    assert image["owner"] == linkedin.member
    article_content = made["content"]["article"]
    assert article_content["thumbnail"] == urn
    assert article_content["thumbnailAltText"] == "A small harbour at dusk"
    upload = next(r for r in linkedin.requests if r["method"] == "PUT")
    assert upload["headers"]["authorization"] == f"Bearer {linkedin.token}"
    assert upload["headers"]["content-type"] == "image/png"


def test_a_thumbnail_that_cannot_be_uploaded_is_left_out_not_the_post(
        make_site: Callable[..., Site], deployed: str, linkedin: FakeLinkedIn) -> None:
    site = image_site(make_site, deployed, linkedin)
    linkedin.image_faults.append("403")
    result = post(site, linkedin.token)
    assert result.exit_code == 0, result.output
    assert ("Warning: harbour.md: posted to LinkedIn without its thumbnail: the Images API "
            "answered HTTP 403") in result.output
    [made] = linkedin.posts
    assert "thumbnail" not in made["content"]["article"]


def test_a_duplicate_is_the_post_already_made(linkedin_site: Site,
                                              linkedin: FakeLinkedIn) -> None:
    assert post(linkedin_site, linkedin.token).exit_code == 0
    first = {key: Ledger.load(linkedin_site.ledger).entry(key, "linkedin")["parts"][0]["id"]
             for key in THREE}
    linkedin_site.ledger.unlink()  # the ledger lost: every post goes again
    result = post(linkedin_site, linkedin.token)
    assert result.exit_code == 0, result.output
    assert len(linkedin.posts) == 3, "LinkedIn refused the duplicates"
    ledger = Ledger.load(linkedin_site.ledger)
    assert {key: ledger.entry(key, "linkedin")["parts"][0]["id"] for key in THREE} == first


def test_a_lost_answer_is_not_sent_again_but_marked_for_attention(
        linkedin_site: Site, linkedin: FakeLinkedIn) -> None:
    linkedin.faults.append("lost")
    result = post(linkedin_site, linkedin.token)
    assert result.exit_code == 1
    assert "check the platform before posting again" in result.output
    assert len(linkedin.posts) == 3  # the lost one did arrive
    again = post(linkedin_site, linkedin.token)
    assert again.exit_code == 1
    assert len(linkedin.posts) == 3, "no blind resend"
    states = {row["article"]: row["state"] for row in json.loads(
        linkedin_site.run("status", "--format", "json").output) if row["platform"]
        == "linkedin"}
    assert sorted(states.values()) == ["attention", "posted", "posted"]


def test_a_refused_token_is_one_line_and_never_printed(linkedin_site: Site,
                                                       linkedin: FakeLinkedIn) -> None:
    wrong = "AQVwrong-token-0123456789abcdefghijklmnop"
    result = linkedin_site.verbose_post({"SYNDICATE_LINKEDIN_TOKEN": wrong})
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "linkedin: the token was refused (401); check SYNDICATE_LINKEDIN_TOKEN" in output
    assert "linkedin: POST http://127.0.0.1" in output, "verbose: requests are logged"
    assert "wrong-token" not in output
    assert not linkedin.posts
    good = linkedin_site.verbose_post({"SYNDICATE_LINKEDIN_TOKEN": linkedin.token})
    assert good.returncode == 0, good.stderr
    assert linkedin.token not in good.stdout + good.stderr
    assert linkedin.token not in linkedin_site.ledger.read_text(encoding="utf-8")


def test_an_author_is_needed_and_a_retired_version_is_named(
        live_site: Callable[..., Site], linkedin: FakeLinkedIn) -> None:
    site = live_site(THREE, {"linkedin": {"api_url": linkedin.url, "version": "202401"}})
    result = post(site, linkedin.token)
    # Not ready (no author): skipped, before any call; no other platform, so exit 1.
    assert result.exit_code == 1
    assert "Skipped linkedin: no author (set author for linkedin" in result.output
    assert "SYNDICATE_LINKEDIN_AUTHOR" in result.output
    assert "no enabled platform is ready to post" in result.output
    result = site.run("post", env={"SYNDICATE_LINKEDIN_TOKEN": linkedin.token,
                                   "SYNDICATE_LINKEDIN_AUTHOR": linkedin.member})
    assert result.exit_code == 1
    assert "LinkedIn-Version 202401 is no longer served (426" in result.output
    assert not linkedin.posts


def test_linkedin_makes_no_reply_chains(make_site: Callable[..., Site], deployed: str,
                                        linkedin: FakeLinkedIn) -> None:
    refused = make_site({}, syndicate={"platforms": {"linkedin": {"thread": True}}})
    result = refused.build()
    assert result.exit_code != 0
    assert "unknown linkedin setting 'thread'" in result.output
    shutil.rmtree(refused.root)
    site = make_site({"long.md": article("A long walk", summary=LONG, thread="yes")},
                     siteurl=deployed, syndicate={"platforms": settings(linkedin)})
    assert site.build().exit_code == 0
    # `Thread: yes` makes one post on LinkedIn, fitted into its 3000 characters.
    (part,) = drafts(site)["long.md"]["parts"]
    assert part["length"] <= 3000
    result = post(site, linkedin.token)
    assert result.exit_code == 0, result.output
    assert len(linkedin.posts) == 1
