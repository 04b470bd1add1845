"""Approval: with it required, nothing goes out that a person did not see exactly."""

from __future__ import annotations

import json
from collections.abc import Callable

from conftest import Site, article, write_png

TWO = {"a.md": article("First walk", summary="Along the canal at dawn."),
       "b.md": article("Second walk", date="2026-01-11", summary="Up the hill at dusk.")}


def approving_site(make_site: Callable[..., Site]) -> Site:
    site = make_site(TWO, syndicate={"platforms": {"outbox": {}}, "require_approval": True})
    assert site.build().exit_code == 0
    return site


def test_nothing_is_posted_before_approval(make_site: Callable[..., Site]) -> None:
    site = approving_site(make_site)
    result = site.run("post")
    assert result.exit_code == 0
    assert "Waiting for approval: a.md to outbox" in result.output
    # Something is pending, so not "nothing new to post": what waits, and for what.
    assert result.output.splitlines()[-1] == "Posted 0 drafts: 2 wait for approval."
    assert not site.outbox_posts()
    states = {d["article"]: d["state"] for d in site.preview_json()}
    assert states == {"a.md": "new", "b.md": "new"}
    assert "new, not approved" in site.run("preview").output


def test_approve_shows_the_drafts_and_asks(make_site: Callable[..., Site]) -> None:
    site = approving_site(make_site)
    declined = site.run("approve", input="n\n")
    assert declined.exit_code == 1 and "Nothing approved." in declined.output
    assert "Along the canal at dawn." in declined.output, "the person sees what they approve"
    assert not (site.root / "approvals.json").exists()
    accepted = site.run("approve", "--by", "mira", input="y\n")
    assert accepted.exit_code == 0 and "Approved 2 drafts" in accepted.output
    approved = json.loads((site.root / "approvals.json").read_text())["approved"]
    assert approved["a.md"]["outbox"]["by"] == "mira"
    result = site.run("post")
    assert result.exit_code == 0, result.output
    assert len(site.outbox_posts()) == 2
    assert "Nothing to approve" in site.run("approve").output


def test_an_article_edited_after_approval_waits_for_a_new_one(
        make_site: Callable[..., Site]) -> None:
    site = approving_site(make_site)
    assert site.run("approve", "--yes").exit_code == 0
    site.write("content/a.md", article("First walk", summary="Along the canal at noon."))
    assert site.build().exit_code == 0
    result = site.run("post")
    assert "Waiting for approval: a.md to outbox" in result.output
    posted = site.outbox_posts()
    assert len(posted) == 1 and "Up the hill at dusk." in posted[0]["text"]
    # Approving the new text lets it go.
    again = site.run("approve", "--yes")
    assert "Along the canal at noon." in again.output and "Approved 1 draft" in again.output
    assert site.run("post").exit_code == 0
    assert any("noon" in p["text"] for p in site.outbox_posts())


def test_without_approval_required_post_does_not_ask(make_site: Callable[..., Site]) -> None:
    site = make_site(TWO)
    site.build()
    assert site.run("post").exit_code == 0
    assert len(site.outbox_posts()) == 2


def test_an_image_swapped_after_approval_waits_for_a_new_one(
        make_site: Callable[..., Site]) -> None:
    """Approval covers every byte that goes out: the image file too, rebuilt or not."""
    site = make_site({"a.md": article("First walk", image="images/a.png", image_alt="A lock")},
                     syndicate={"platforms": {"outbox": {}}, "require_approval": True})
    write_png(site.root / "content/images/a.png", (40, 30))
    assert site.build().exit_code == 0
    assert site.run("approve", "--yes").exit_code == 0
    write_png(site.root / "content/images/a.png", (41, 30))  # swapped, no rebuild
    result = site.run("post")
    assert "Waiting for approval: a.md to outbox" in result.output
    assert not site.outbox_posts()
    assert site.build().exit_code == 0  # rebuilt: still waiting
    assert "Waiting for approval: a.md to outbox" in site.run("post").output
    assert site.run("approve", "--yes").exit_code == 0
    assert site.run("post").exit_code == 0 and len(site.outbox_posts()) == 1


def test_changed_alt_text_waits_for_a_new_approval(make_site: Callable[..., Site]) -> None:
    site = make_site({"a.md": article("First walk", image="images/a.png", image_alt="A lock")},
                     syndicate={"platforms": {"outbox": {}}, "require_approval": True})
    write_png(site.root / "content/images/a.png")
    assert site.build().exit_code == 0
    assert site.run("approve", "--yes").exit_code == 0
    site.write("content/a.md", article("First walk", image="images/a.png",
                                       image_alt="A lock on a canal gate"))
    assert site.build().exit_code == 0
    assert "Waiting for approval: a.md to outbox" in site.run("post").output
