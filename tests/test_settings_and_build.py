"""Environment overrides, and build behaviour that the sample blog does not cover."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Site, article

from syndicate.settings import settings_from_pelican

TWO = {"one.md": article("One walk", date="2026-01-01"),
       "two.md": article("Two walks", date="2026-01-02")}


def test_outbox_and_ledger_paths_come_from_the_environment(
        make_site: Callable[..., Site], tmp_path: Path) -> None:
    site = make_site(TWO)
    site.build()
    env = {"SYNDICATE_OUTBOX_PATH": str(tmp_path / "elsewhere"),
           "SYNDICATE_LEDGER": str(tmp_path / "ledger.json")}
    assert site.run("post", env=env).exit_code == 0
    assert len(list((tmp_path / "elsewhere").glob("*.json"))) == 2
    assert (tmp_path / "ledger.json").is_file()
    assert not site.outbox.exists() and not site.ledger.exists()
    assert "nothing new to post" in site.run("post", env=env).output


def test_environment_overrides_platform_settings_and_keeps_secrets_apart() -> None:
    settings = settings_from_pelican(
        {"PATH": "content", "SYNDICATE": {"platforms": {"mastodon": {"limit": 500}}}},
        "conf", environ={"SYNDICATE_MASTODON_LIMIT": "1000",
                         "SYNDICATE_MASTODON_URL": "https://social.example",
                         "SYNDICATE_MASTODON_TOKEN": "tok",
                         "SYNDICATE_BLUESKY_PASSWORD": "not configured, ignored"})
    mastodon = settings.platforms["mastodon"]
    assert mastodon.limit == 1000
    assert mastodon.option("url") == "https://social.example"
    assert mastodon.settings.secrets == {"token": "tok"}
    assert "token" not in mastodon.settings.options
    assert "tok" not in repr(mastodon.settings)
    assert set(settings.platforms) == {"mastodon"}


def test_future_dated_articles_are_not_syndicated_even_when_pelican_publishes_them(
        make_site: Callable[..., Site]) -> None:
    site = make_site({**TWO, "later.md": article("Later", date="2099-01-01")},
                     extra="WITH_FUTURE_DATES = True")
    assert site.build().exit_code == 0
    assert (site.output / "posts/later/index.html").is_file()
    assert {d["article"] for d in site.preview_json()} == {"one.md", "two.md"}


def test_hidden_and_draft_articles_are_not_syndicated(make_site: Callable[..., Site]) -> None:
    site = make_site({**TWO, "d.md": article("Draft", status="draft"),
                      "h.md": article("Hidden", status="hidden")})
    assert site.build().exit_code == 0
    assert {d["article"] for d in site.preview_json()} == {"one.md", "two.md"}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[object, ...]]]:
    attempts: list[tuple[object, ...]] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append((address,))
        raise OSError("the build must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts


def test_the_build_never_touches_the_network(make_site: Callable[..., Site],
                                             no_network: list[tuple[object, ...]]) -> None:
    site = make_site(TWO, syndicate={"platforms": {"outbox": {}, "mastodon": {},
                                                   "bluesky": {}, "x": {}}})
    assert site.build().exit_code == 0
    assert len(site.preview_json()) == 8
    assert no_network == []


def test_intrasite_links_are_resolved_before_drafts_are_made(
        make_site: Callable[..., Site]) -> None:
    site = make_site({
        "one.md": article("One walk", date="2026-01-01", summary="See [two]({filename}two.md)."),
        "two.md": article("Two walks", date="2026-01-02",
                          body="Read [the first]({filename}one.md) before this one, please."),
    })
    assert site.build().exit_code == 0
    html = (site.output / "posts/two-walks/index.html").read_text(encoding="utf-8")
    assert "{filename}" not in html and "/posts/one-walk/" in html
    for draft in site.preview_json():
        assert "{filename}" not in draft["parts"][0]["text"]


def test_plain_pelican_logs_content_errors_and_post_refuses(
        make_site: Callable[..., Site]) -> None:
    site = make_site({**TWO, "bad.md": "Title: Bad\nDate: someday soon\n\nText.\n"})
    pelican = Path(sys.executable).with_name("pelican")
    result = subprocess.run([str(pelican), "content", "-s", str(site.conf)], cwd=site.root,
                            capture_output=True, text=True, timeout=120)
    logged = result.stdout + result.stderr
    assert "content/bad.md:2: unparseable date" in " ".join(logged.split())
    posted = site.run("post")
    assert posted.exit_code == 1
    assert "content/bad.md:2: unparseable date 'someday soon'" in posted.stderr
    assert not site.outbox_posts()


def test_a_rebuild_remakes_every_draft_whose_inputs_changed(
        make_site: Callable[..., Site]) -> None:
    site = make_site(TWO)
    assert site.build().exit_code == 0
    first = {d["article"]: d for d in site.preview_json()}
    site.write("syndicate_templates/outbox.txt.j2", "New: {{ title }} {{ url }}")
    site.write("content/two.md", article("Two walks, retitled", date="2026-01-02"))
    assert site.build().exit_code == 0
    second = {d["article"]: d for d in site.preview_json()}
    assert second["one.md"]["parts"][0]["text"].startswith("New: One walk")
    assert second["two.md"]["parts"][0]["text"].startswith("New: Two walks, retitled")
    assert first["one.md"]["fingerprint"] != second["one.md"]["fingerprint"]
    site.conf.write_text(site.conf.read_text().replace(
        "{'outbox': {}}", "{'outbox': {'limit': 30}}"))
    assert site.build().exit_code == 0
    third = {d["article"]: d for d in site.preview_json()}
    assert third["one.md"]["limit"] == 30 and not third["one.md"]["fits"]
