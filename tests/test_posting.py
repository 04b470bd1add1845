"""Posting to the outbox through the ledger, the guards, init and status."""

from __future__ import annotations

import json
from collections.abc import Callable

from conftest import Site, article

from syndicate.ledger import Ledger

THREE = {
    "one.md": article("First walk", date="2026-01-01"),
    "two.md": article("Second walk", date="2026-01-02"),
    "three.md": article("Third walk", date="2026-01-03"),
}


def test_post_writes_one_outbox_file_per_post_and_records_it(
        make_site: Callable[..., Site]) -> None:
    site = make_site(THREE)
    assert site.build().exit_code == 0
    result = site.run("post")
    assert result.exit_code == 0, result.output
    posts = site.outbox_posts()
    assert sorted(p["article"] for p in posts) == ["one.md", "three.md", "two.md"]
    ledger = Ledger.load(site.ledger)
    for post in posts:
        entry = ledger.entry(post["article"], "outbox")
        assert entry and entry["state"] == "posted"
        assert entry["parts"][0]["id"] == post["id"]
        assert entry["parts"][0]["url"].startswith("file://")
        assert post["url"] == f"https://blog.example/posts/{post['article'][:-3]}-walk/" \
            or post["url"].startswith("https://blog.example/posts/")
        assert post["url"] in post["text"]


def test_a_second_post_run_posts_nothing(make_site: Callable[..., Site]) -> None:
    site = make_site(THREE)
    site.build()
    site.run("post")
    before = {p.name: p.read_bytes() for p in site.outbox.iterdir()}
    ledger_before = site.ledger.read_bytes()
    result = site.run("post")
    assert result.exit_code == 0
    assert "nothing new to post" in result.output
    assert {p.name: p.read_bytes() for p in site.outbox.iterdir()} == before
    assert site.ledger.read_bytes() == ledger_before


def test_a_new_article_is_the_only_one_posted_next_time(make_site: Callable[..., Site]) -> None:
    site = make_site(THREE)
    site.build()
    site.run("post")
    site.write("content/four.md", article("Fourth walk", date="2026-01-04"))
    site.build()
    result = site.run("post")
    assert result.output.count("Posted four.md") == 1
    assert "one.md" not in result.output
    assert len(site.outbox_posts()) == 4


def test_a_changed_title_does_not_post_again(make_site: Callable[..., Site]) -> None:
    site = make_site(THREE)
    site.build()
    site.run("post")
    site.write("content/one.md", article("First walk, renamed", date="2026-01-01"))
    site.build()
    assert "nothing new to post" in site.run("post").output


def test_dry_run_says_what_it_would_post_and_changes_nothing(
        make_site: Callable[..., Site]) -> None:
    site = make_site(THREE)
    site.build()
    result = site.run("post", "--dry-run")
    assert result.exit_code == 0
    assert result.output.count("Would post") == 4  # three lines and the summary
    assert not site.outbox.exists()
    assert not site.ledger.exists()


def test_init_records_the_back_catalogue_so_only_new_articles_post(
        make_site: Callable[..., Site]) -> None:
    site = make_site(THREE)
    site.build()
    result = site.run("init")
    assert result.exit_code == 0 and "Recorded 3 drafts of 3 articles" in result.output
    assert "nothing new to post" in site.run("post").output
    assert not site.outbox_posts()
    site.write("content/four.md", article("Fourth walk", date="2026-01-04"))
    site.build()
    site.run("post")
    assert [p["article"] for p in site.outbox_posts()] == ["four.md"]


def test_status_lists_new_posted_and_skipped(make_site: Callable[..., Site]) -> None:
    site = make_site(THREE)
    site.build()
    site.run("post")
    site.write("content/four.md", article("Fourth walk", date="2026-01-04"))
    site.build()
    rows = json.loads(site.run("status", "--format", "json").output)
    states = {row["article"]: row["state"] for row in rows}
    assert states == {"one.md": "posted", "two.md": "posted", "three.md": "posted",
                      "four.md": "new"}
    table = site.run("status").output
    assert "ARTICLE" in table and "four.md" in table and "3 posted" in table


MASTODON = {"platforms": {"outbox": {}, "mastodon": {"url": "https://social.example"}}}


def test_remote_posting_is_refused_without_an_absolute_siteurl(
        make_site: Callable[..., Site]) -> None:
    site = make_site(THREE, syndicate=MASTODON, siteurl="")
    site.build()
    result = site.run("post", "--platform", "mastodon", "--dry-run",
                      env={"SYNDICATE_MASTODON_TOKEN": "t"})
    assert result.exit_code == 2
    assert "SITEURL: is empty or relative" in result.output
    assert "publishconf.py" in result.output
    # The outbox has no links to break for followers: it still works.
    assert site.run("post", "--platform", "outbox").exit_code == 0


def test_remote_platforms_are_capped_per_run_and_the_outbox_is_not(
        make_site: Callable[..., Site]) -> None:
    articles = {f"a{n}.md": article(f"Walk {n}", date=f"2026-02-{n + 1:02d}")
                for n in range(7)}
    site = make_site(articles, syndicate=MASTODON)
    site.build()
    # A dry run skips what a real run would skip: mastodon needs its token to be planned.
    token = {"SYNDICATE_MASTODON_TOKEN": "t"}
    result = site.run("post", "--dry-run", env=token)
    mastodon = [line for line in result.output.splitlines()
                if line.startswith("Would post") and "to mastodon" in line]
    outbox = [line for line in result.output.splitlines() if "to outbox" in line]
    assert len(mastodon) == 5 and len(outbox) == 7
    # Oldest first: the newest two wait.
    assert not any("a5.md" in line or "a6.md" in line for line in mastodon)
    assert "2 more articles pending for remote platforms" in result.output
    assert "--max N" in result.output
    result = site.run("post", "--dry-run", "--max", "10", env=token)
    assert sum("to mastodon" in line for line in result.output.splitlines()) == 7
    assert "held back" not in result.output


def test_an_article_opted_out_or_limited_gets_only_its_platforms(
        make_site: Callable[..., Site]) -> None:
    site = make_site({
        "none.md": article("Nowhere", syndicate="no"),
        "only.md": article("Only outbox", syndicate="outbox"),
        "notmasto.md": article("Not mastodon", syndicate="-mastodon"),
        "custom.md": article("Custom", social="My own words for everyone."),
    }, syndicate=MASTODON)
    site.build()
    pairs = {(d["article"], d["platform"]) for d in site.preview_json()}
    assert pairs == {("only.md", "outbox"), ("notmasto.md", "outbox"),
                     ("custom.md", "outbox"), ("custom.md", "mastodon")}
    custom = [d for d in site.preview_json() if d["article"] == "custom.md"]
    for draft in custom:
        assert draft["parts"][0]["text"].startswith("My own words for everyone.")
        assert draft["url"] in draft["parts"][0]["text"]


def test_check_passes_when_everything_fits_and_fails_when_not(
        make_site: Callable[..., Site]) -> None:
    site = make_site(THREE)
    site.build()
    assert site.run("check").exit_code == 0
    tiny = {"platforms": {"outbox": {"limit": 20}}}
    site.conf.write_text(site.conf.read_text().replace(
        "SYNDICATE = {'platforms': {'outbox': {}}}", f"SYNDICATE = {tiny!r}"))
    site.build()
    result = site.run("check")
    assert result.exit_code == 1
    assert "one.md → outbox" in result.output and "over the limit of 20" in result.output
    posted = site.run("post")
    assert posted.exit_code == 1 and not site.outbox_posts()
