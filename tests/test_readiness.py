"""Readiness: each enabled platform is ready to post or says why not; `post` posts to the
ready ones and skips the rest, `check` and `doctor` show the same answer, and the run's
last line says exactly what happened to every pending draft."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from conftest import PROJECT, Site, article
from fakes.mastodon import FakeMastodon

from syndicate.ledger import Ledger
from syndicate.platforms import PLATFORM_CLASSES

TWO = {"a.md": article("First walk", date="2026-01-01"),
       "b.md": article("Second walk", date="2026-01-02")}
THREE = {**TWO, "c.md": article("Third walk", date="2026-01-03")}
MASTODON_TOKEN = {"SYNDICATE_MASTODON_TOKEN": "good-token"}
LINKEDIN_SKIPPED = ("Skipped linkedin: SYNDICATE_LINKEDIN_TOKEN is not set (export it, e.g. "
                    "from a CI secret, or remove linkedin from SYNDICATE['platforms'])")


def last_line(output: str) -> str:
    return output.rstrip("\n").splitlines()[-1]


def test_post_posts_to_every_ready_platform_and_names_each_skipped_one(
        live_site: Callable[..., Site], mastodon: FakeMastodon) -> None:
    site = live_site(TWO, {"outbox": {}, "mastodon": {"url": mastodon.url},
                           "linkedin": {"author": "urn:li:person:abc"}, "telegram": {}})
    env = {**MASTODON_TOKEN, "SYNDICATE_TELEGRAM_BOT_TOKEN": "123:telegram-bot-token"}
    dry = site.run("post", "--dry-run", env=env)
    assert dry.exit_code == 0, dry.output
    assert "Would skip linkedin: SYNDICATE_LINKEDIN_TOKEN is not set" in dry.output
    assert dry.output.count("Would post a.md") == 2, "mastodon and the outbox"
    result = site.run("post", env=env)
    assert result.exit_code == 0, result.output
    assert len(mastodon.statuses) == 2 and len(site.outbox_posts()) == 2
    skipped = [line for line in result.output.splitlines() if line.startswith("Skipped ")]
    assert skipped == [LINKEDIN_SKIPPED, "Skipped telegram: no chat_id (set the channel's "
                       "@username as chat_id for telegram in SYNDICATE, or "
                       "SYNDICATE_TELEGRAM_CHAT_ID)"]
    assert "telegram-bot-token" not in result.output
    assert last_line(result.output) == ("Posted 4 drafts: 4 are for platforms that are not "
                                        "ready (skipped above).")
    ledger = Ledger.load(site.ledger)
    for key in TWO:
        assert ledger.state(key, "mastodon") == ledger.state(key, "outbox") == "posted"
        assert ledger.state(key, "linkedin") is None and ledger.state(key, "telegram") is None


def test_no_platform_ready_posts_nothing_and_exits_1(make_site: Callable[..., Site]) -> None:
    site = make_site(TWO, syndicate={"platforms": {
        "mastodon": {"url": "https://social.example"}, "linkedin": {}}})
    assert site.build().exit_code == 0
    result = site.run("post")
    assert result.exit_code == 1
    assert "Skipped mastodon: SYNDICATE_MASTODON_TOKEN is not set" in result.output
    # Both things LinkedIn lacks, on its one line.
    assert re.search(r"Skipped linkedin: SYNDICATE_LINKEDIN_TOKEN is not set .*; no author ",
                     result.output)
    assert "Nothing posted: no enabled platform is ready to post" in result.output
    assert not site.ledger.exists()


@pytest.mark.parametrize(("env", "words"), [
    ({"SYNDICATE_LINKEDIN_AUTHOR": "urn:li:person:abc"},
     ["environment: SYNDICATE_LINKEDIN_TOKEN is not set, so linkedin cannot be posted",
          "export SYNDICATE_LINKEDIN_TOKEN"]),
    ({"SYNDICATE_LINKEDIN_TOKEN": "linkedin-token-abc"},
     ["pelicanconf.py: no author, so linkedin cannot be posted", "urn:li:person:<id>"]),
])
def test_a_platform_named_with_platform_that_is_not_ready_is_refused(
        live_site: Callable[..., Site], mastodon: FakeMastodon, env: dict[str, str],
        words: list[str]) -> None:
    site = live_site(TWO, {"outbox": {}, "mastodon": {"url": mastodon.url}, "linkedin": {}})
    assert site.run("post", "--platform", "outbox").exit_code == 0
    ledger = site.ledger.read_bytes()
    result = site.run("post", "--platform", "mastodon", "--platform", "linkedin",
                      env={**MASTODON_TOKEN, **env})
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1
    for word in words:
        assert word in errors[0], errors[0]
    assert "linkedin-token-abc" not in result.output
    assert not mastodon.statuses, "nothing is posted, not even to the ready platform"
    assert site.ledger.read_bytes() == ledger


def test_check_lists_each_platforms_readiness_without_failing_on_it(
        make_site: Callable[..., Site]) -> None:
    site = make_site(TWO, syndicate={"platforms": {
        "outbox": {}, "mastodon": {"url": "https://social.example"}, "linkedin": {}}})
    assert site.build().exit_code == 0
    result = site.run("check")  # a pull request: no secrets
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in result.stdout.splitlines()
            if line.split() and line.split()[0] in ("outbox", "mastodon", "linkedin")}
    assert rows["outbox"] == ["yes"]
    assert rows["mastodon"][0] == "no"
    assert rows["mastodon"][1].startswith("SYNDICATE_MASTODON_TOKEN is not set")
    assert "; no author (set author for linkedin" in rows["linkedin"][1]
    assert "All 6 drafts fit their platforms." in result.output
    ready = site.run("check", env={**MASTODON_TOKEN, "SYNDICATE_LINKEDIN_TOKEN": "t",
                                   "SYNDICATE_LINKEDIN_AUTHOR": "urn:li:person:abc"})
    assert [line.split()[:2] for line in ready.stdout.splitlines()[1:4]] == [
        ["outbox", "yes"], ["mastodon", "yes"], ["linkedin", "yes"]]


@pytest.mark.parametrize("siteurl", ["", "/blog"])
def test_check_fails_when_a_remote_platform_would_get_a_relative_siteurl(
        make_site: Callable[..., Site], siteurl: str) -> None:
    site = make_site(TWO, siteurl=siteurl, syndicate={"platforms": {
        "outbox": {}, "mastodon": {"url": "https://social.example"}}})
    assert site.build().exit_code == 0
    result = site.run("check")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [f"Error: SITEURL: is empty or relative ({siteurl!r}): posts to "
                      "mastodon would carry broken links; build with an absolute SITEURL "
                      "(pelican -s publishconf.py) before posting"]
    # The outbox alone has no followers to send broken links to.
    site.conf.write_text(site.conf.read_text().replace(
        "'mastodon': {'url': 'https://social.example'}", ""))
    assert site.build().exit_code == 0
    assert site.run("check").exit_code == 0


def test_doctor_reports_every_setting_post_needs(make_site: Callable[..., Site]) -> None:
    site = make_site({}, syndicate={"platforms": {"linkedin": {}}})
    result = site.run("doctor", "--format", "json",
                      env={"SYNDICATE_LINKEDIN_TOKEN": "linkedin-token-abc"})
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(r["platform"], r["ok"]) for r in rows] == [("linkedin", False)]
    assert str(rows[0]["finding"]).startswith("no author (set author for linkedin")
    assert "linkedin-token-abc" not in result.output


def test_a_page_not_live_yet_is_said_in_the_last_line(
        make_site: Callable[..., Site], deployed: str, mastodon: FakeMastodon) -> None:
    site = make_site(TWO, siteurl=deployed,
                     syndicate={"platforms": {"mastodon": {"url": mastodon.url}}})
    assert site.build().exit_code == 0
    (site.output / "posts").rename(site.root / "not-deployed")  # the site answers 404
    result = site.run("post", env=MASTODON_TOKEN)
    assert result.exit_code == 1
    assert not mastodon.statuses
    assert last_line(result.output) == "Posted 0 drafts: 2 wait for their pages to be live."


def test_drafts_waiting_for_approval_are_said_in_the_last_line(
        make_site: Callable[..., Site]) -> None:
    site = make_site(TWO, syndicate={"platforms": {"outbox": {}}, "require_approval": True})
    assert site.build().exit_code == 0
    result = site.run("post")
    assert result.exit_code == 0
    assert last_line(result.output) == "Posted 0 drafts: 2 wait for approval."


def test_the_cadence_and_the_per_run_limit_are_said_in_the_last_line(
        make_site: Callable[..., Site], deployed: str, mastodon: FakeMastodon) -> None:
    site = make_site(THREE, siteurl=deployed, syndicate={
        "platforms": {"mastodon": {"url": mastodon.url}}, "delay_minutes": 30,
        "max_per_run": 2})
    assert site.build().exit_code == 0
    first = site.run("post", env=MASTODON_TOKEN)
    assert first.exit_code == 0, first.output
    assert last_line(first.output) == ("Posted 0 drafts: 2 are held by the cadence, 1 is "
                                       "held back by the limit of 2 per run.")
    # Past the delay: two go, the third waits for the next run.
    data = json.loads(site.ledger.read_text())
    long_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    for entry in data["articles"].values():
        entry["live_since"] = long_ago
    site.ledger.write_text(json.dumps(data))
    second = site.run("post", env=MASTODON_TOKEN)
    assert len(mastodon.statuses) == 2
    assert last_line(second.output) == ("Posted 2 drafts: 1 is held back by the limit of 2 "
                                        "per run.")


def test_nothing_new_to_post_only_when_nothing_is_pending(
        make_site: Callable[..., Site]) -> None:
    site = make_site(TWO, syndicate={"platforms": {"outbox": {}, "linkedin": {}}})
    assert site.build().exit_code == 0
    assert site.run("post").exit_code == 0
    again = site.run("post")
    assert again.exit_code == 0, "a platform not configured is no failure"
    assert LINKEDIN_SKIPPED in again.output
    assert last_line(again.output) == ("Posted 0 drafts: 2 are for platforms that are not "
                                       "ready (skipped above).")
    site.conf.write_text(site.conf.read_text().replace(", 'linkedin': {}", ""))
    assert site.build().exit_code == 0
    assert last_line(site.run("post").output) == "Posted 0 drafts: nothing new to post."


def test_the_publish_workflow_passes_every_platforms_secrets() -> None:
    workflow = (PROJECT / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    step = workflow.split("- name: Post new articles", 1)[1].split("\n      - ", 1)[0]
    passed = set(re.findall(r"^ +(SYNDICATE_\w+): \$\{\{ secrets\.(\w+) \}\}$", step, re.M))
    wanted = {f"SYNDICATE_{name.upper()}_{key.upper()}"
              for name, cls in PLATFORM_CLASSES.items() for key in cls.secret_keys}
    assert len(wanted) == 8
    assert passed == {(variable, variable) for variable in wanted}
