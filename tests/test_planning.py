"""Planning and cadence as tables: ledger state + drafts + now → plan.

Both are pure: the clock is an argument, the ledger is only read (an article seen live
for the first time is in the plan's seen_live, for the run to record), nothing is saved.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from syndicate.approval import Approvals
from syndicate.compose.manifest import Manifest
from syndicate.draft import Draft, Part
from syndicate.ledger import Ledger
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.platforms.base import Platform, PlatformSettings
from syndicate.publish.planning import Plan, apply_cadence, plan_run
from syndicate.settings import Settings

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def ago(minutes: int) -> str:
    return (NOW - timedelta(minutes=minutes)).isoformat(timespec="seconds")


def url(key: str) -> str:
    return f"https://blog.example/{key.removesuffix('.md')}/"


def draft(spec: str) -> Draft:
    """A draft from its spec: "a.md>mastodon" is one part that fits; "*2" after it, two
    parts (a thread); "!" after it, it does not fit. Article dates order a < b < c."""
    fits = not spec.endswith("!")
    spec = spec.rstrip("!")
    spec, _, parts = spec.partition("*")
    key, platform = spec.split(">")
    return Draft(article=key, url=url(key), title=key, date=f"2026-01-0{ord(key[0]) - 96}",
                 lang="en", platform=platform, limit=500,
                 parts=[Part(f"{key} {n}", 10 if fits else 501) for n in range(int(parts or 1))])


def name(d: Draft) -> str:
    return f"{d.article}>{d.platform}"


def posted(*minutes_ago: int) -> dict[str, Any]:
    """A posted ledger entry, one part per time given (minutes before NOW)."""
    return {"state": "posted", "hash": "", "updated_at": ago(min(minutes_ago, default=0)),
            "parts": [{"state": "posted", "id": str(n), "url": f"https://x.example/{n}",
                       "posted_at": ago(m)} for n, m in enumerate(minutes_ago)]}


def ledger_with(tmp_path: Path, articles: dict[str, dict[str, Any]]) -> Ledger:
    """articles: key -> {"live": minutes ago (optional), platform: entry or state}."""
    data: dict[str, Any] = {"version": 1, "articles": {}}
    for key, spec in articles.items():
        article: dict[str, Any] = {"url": url(key), "platforms": {}}
        for field, value in spec.items():
            if field == "live":
                article["live_since"] = ago(value)
            elif isinstance(value, str):
                article["platforms"][field] = {"state": value, "hash": "", "parts": [],
                                               "updated_at": ago(600)}
            else:
                article["platforms"][field] = value
        data["articles"][key] = article
    return Ledger(tmp_path / "syndication.json", data)


def platforms_with(options: dict[str, dict[str, Any]]) -> dict[str, Platform]:
    return {n: PLATFORM_CLASSES[n](PlatformSettings(n, opts)) for n, opts in options.items()}


def settings_with(tmp_path: Path, platforms: dict[str, Platform], delay: int = 0
                  ) -> Settings:
    return Settings(where="pelicanconf.py", root=tmp_path, content_path=tmp_path / "content",
                    siteurl="https://blog.example", sitename="Blog", author="Me",
                    default_lang="en", ledger_path=tmp_path / "syndication.json",
                    manifest_path=tmp_path / ".syndicate" / "manifest.json",
                    templates_path=tmp_path / "templates", max_per_run=5, hashtags=0,
                    delay_minutes=delay, platforms=platforms)


MASTODON_OUTBOX = {"mastodon": {"url": "https://m.example"}, "outbox": {}}


# (ledger, drafts, platforms, max articles) -> (to post, held back, not fitting)
PLANS = [
    pytest.param({}, ["b.md>mastodon", "a.md>outbox", "a.md>mastodon"], MASTODON_OUTBOX, 5,
                 ["a.md>mastodon", "a.md>outbox", "b.md>mastodon"], [], [],
                 id="an empty ledger: everything, oldest article first"),
    pytest.param({"a.md": {"mastodon": posted(60)}},
                 ["a.md>mastodon", "a.md>outbox", "b.md>mastodon"], MASTODON_OUTBOX, 5,
                 ["a.md>outbox", "b.md>mastodon"], [], [],
                 id="what the ledger holds posted is not planned again"),
    pytest.param({"a.md": {"mastodon": "skipped", "outbox": "retracted"},
                  "b.md": {"mastodon": "failed", "outbox": "pending"}},
                 ["a.md>mastodon", "a.md>outbox", "b.md>mastodon", "b.md>outbox"],
                 MASTODON_OUTBOX, 5, ["b.md>mastodon", "b.md>outbox"], [], [],
                 id="skipped and retracted are done; failed and pending go again"),
    pytest.param({}, ["a.md>mastodon", "b.md>mastodon", "b.md>outbox", "c.md>outbox"],
                 MASTODON_OUTBOX, 1, ["a.md>mastodon", "b.md>outbox", "c.md>outbox"],
                 ["b.md>mastodon"], [],
                 id="the cap counts articles to remote platforms; the outbox has none"),
    pytest.param({}, ["a.md>mastodon", "a.md>x", "b.md>mastodon"],
                 {"mastodon": {"url": "https://m.example"}, "x": {}}, 1,
                 ["a.md>mastodon", "a.md>x"], ["b.md>mastodon"], [],
                 id="one article to several remote platforms counts once"),
    pytest.param({}, ["a.md>mastodon!", "b.md>mastodon", "c.md>mastodon"], MASTODON_OUTBOX,
                 1, ["b.md>mastodon"], ["c.md>mastodon"], ["a.md>mastodon"],
                 id="a draft that does not fit is refused, and takes no place under the cap"),
    pytest.param({"a.md": {"mastodon": posted(5)}}, ["a.md>mastodon", "a.md>outbox"],
                 {"outbox": {}}, 5, ["a.md>outbox"], [], [],
                 id="only the platforms asked for"),
]


@pytest.mark.parametrize(("ledger", "drafts", "options", "cap", "to_post", "held_back",
                          "not_fitting"), PLANS)
def test_plan(tmp_path: Path, ledger: dict[str, dict[str, Any]], drafts: list[str],
              options: dict[str, dict[str, Any]], cap: int, to_post: list[str],
              held_back: list[str], not_fitting: list[str]) -> None:
    book = ledger_with(tmp_path, ledger)
    before = copy.deepcopy(book.data)
    platforms = platforms_with(options)
    settings = settings_with(tmp_path, platforms_with(MASTODON_OUTBOX | {"x": {}}))
    manifest = Manifest(siteurl="https://blog.example", drafts=[draft(d) for d in drafts])
    plan = plan_run(manifest, book, platforms, settings, cap)
    assert [name(d) for d in plan.to_post] == to_post
    assert [name(d) for d in plan.held_back] == held_back
    assert [name(d) for d in plan.not_fitting] == not_fitting
    assert plan.max_articles == cap
    assert book.data == before and not book.path.exists(), "planning writes nothing"


def test_with_approval_required_only_approved_drafts_are_planned(tmp_path: Path) -> None:
    manifest = Manifest(siteurl="https://blog.example",
                        drafts=[draft("a.md>mastodon"), draft("b.md>mastodon")])
    approvals = Approvals(tmp_path / "approvals.json", tmp_path)
    approvals.approve(manifest.drafts[1], "me")
    platforms = platforms_with(MASTODON_OUTBOX)
    plan = plan_run(manifest, ledger_with(tmp_path, {}), platforms,
                    settings_with(tmp_path, platforms), 5, approvals)
    assert [name(d) for d in plan.to_post] == ["b.md>mastodon"]
    assert [name(d) for d in plan.waiting] == ["a.md>mastodon"]


# (ledger, drafts to post, platform options, delay) -> (to post, paced with why, seen live)
CADENCES = [
    pytest.param({}, ["a.md>mastodon", "a.md>outbox"], MASTODON_OUTBOX, 0,
                 ["a.md>mastodon", "a.md>outbox"], [], {"a.md": 0},
                 id="no delay: out now, and first seen live now"),
    pytest.param({}, ["a.md>mastodon", "a.md>x", "a.md>outbox"],
                 MASTODON_OUTBOX | {"x": {}}, 30, ["a.md>outbox"],
                 [("a.md>mastodon", "live since 12:00 UTC; posts from 12:30 UTC "
                   "(delay_minutes 30)"),
                  ("a.md>x", "live since 12:00 UTC; posts from 12:30 UTC (delay_minutes 30)")],
                 {"a.md": 0}, id="first seen live now: remote drafts wait the delay, once"),
    pytest.param({"a.md": {"live": 20}}, ["a.md>mastodon"], MASTODON_OUTBOX, 30, [],
                 [("a.md>mastodon", "live since 11:40 UTC; posts from 12:10 UTC "
                   "(delay_minutes 30)")], {}, id="live for less than the delay: waits"),
    pytest.param({"a.md": {"live": 31}, "b.md": {"live": 30}},
                 ["a.md>mastodon", "b.md>mastodon"], MASTODON_OUTBOX, 30,
                 ["a.md>mastodon", "b.md>mastodon"], [], {},
                 id="live for the delay or longer: out"),
    pytest.param({"old.md": {"mastodon": posted(10)}},
                 ["a.md>mastodon", "b.md>mastodon", "c.md>outbox"],
                 {"mastodon": {"url": "https://m.example", "per_hour": 2}, "outbox": {}}, 0,
                 ["a.md>mastodon", "c.md>outbox"],
                 [("b.md>mastodon", "2 posts per hour (per_hour) reached")],
                 {"a.md": 0, "b.md": 0}, id="per_hour counts the last hour's posts"),
    pytest.param({"old.md": {"mastodon": posted(61, 90)}},
                 ["a.md>mastodon", "b.md>mastodon"],
                 {"mastodon": {"url": "https://m.example", "per_hour": 2}}, 0,
                 ["a.md>mastodon", "b.md>mastodon"], [], {"a.md": 0, "b.md": 0},
                 id="posts older than an hour do not count"),
    pytest.param({"old.md": {"mastodon": posted(5)}},
                 ["a.md>mastodon*2", "b.md>mastodon"],
                 {"mastodon": {"url": "https://m.example", "per_hour": 2}}, 0,
                 ["b.md>mastodon"], [("a.md>mastodon", "2 posts per hour (per_hour) reached")],
                 {"a.md": 0, "b.md": 0}, id="a thread counts each part"),
    pytest.param({"old.md": {"x": posted(*[5] * 99)}}, ["a.md>x", "b.md>x"], {"x": {}}, 0,
                 ["a.md>x"], [("b.md>x", "100 posts per 15 minutes (X's quota) reached")],
                 {"a.md": 0, "b.md": 0}, id="the platform's own quota"),
    pytest.param({"old.md": {"x": posted(*[16] * 99)}}, ["a.md>x", "b.md>x"], {"x": {}}, 0,
                 ["a.md>x", "b.md>x"], [], {"a.md": 0, "b.md": 0},
                 id="the quota's window is its own"),
    pytest.param({}, ["a.md>outbox", "b.md>outbox"], {"outbox": {"per_hour": 1}}, 60,
                 ["a.md>outbox"], [("b.md>outbox", "1 posts per hour (per_hour) reached")],
                 {}, id="the outbox has no delay, and is not seen live, but keeps per_hour"),
]


@pytest.mark.parametrize(("ledger", "drafts", "options", "delay", "to_post", "paced",
                          "seen_live"), CADENCES)
def test_cadence(tmp_path: Path, ledger: dict[str, dict[str, Any]], drafts: list[str],
                 options: dict[str, dict[str, Any]], delay: int, to_post: list[str],
                 paced: list[tuple[str, str]], seen_live: dict[str, int]) -> None:
    book = ledger_with(tmp_path, ledger)
    before = copy.deepcopy(book.data)
    platforms = platforms_with(options)
    plan = Plan(to_post=[draft(d) for d in drafts], held_back=[], not_fitting=[])
    paced_plan = apply_cadence(plan, book, platforms, settings_with(tmp_path, platforms,
                                                                     delay), NOW)
    assert [name(d) for d in paced_plan.to_post] == to_post
    assert [(name(d), why) for d, why in paced_plan.paced] == paced
    assert paced_plan.seen_live == {key: (url(key), ago(minutes))
                                    for key, minutes in seen_live.items()}
    assert book.data == before and not book.path.exists(), "the cadence writes nothing"
    assert [name(d) for d in plan.to_post] == [name(draft(d)) for d in drafts] \
        and not plan.paced, \
        "the plan it was given is unchanged"


def test_the_cadence_reads_only_the_clock_it_is_given(tmp_path: Path) -> None:
    platforms = platforms_with({"mastodon": {"url": "https://m.example"}})
    settings = settings_with(tmp_path, platforms, delay=30)
    book = ledger_with(tmp_path, {"a.md": {"live": 0}})
    plan = Plan(to_post=[draft("a.md>mastodon")], held_back=[], not_fitting=[])
    assert apply_cadence(plan, book, platforms, settings, NOW).paced
    later = apply_cadence(plan, book, platforms, settings, NOW + timedelta(minutes=30))
    assert [name(d) for d in later.to_post] == ["a.md>mastodon"] and not later.paced


def test_the_run_records_what_the_cadence_saw_live(tmp_path: Path) -> None:
    from syndicate.publish.run import PostOptions, run

    platforms = {"mastodon": PLATFORM_CLASSES["mastodon"](PlatformSettings(
        "mastodon", {"url": "https://m.example"}, {"token": "a-token"}))}
    settings = replace(settings_with(tmp_path, platforms, delay=30), check_live="")
    manifest = Manifest(siteurl="https://blog.example", drafts=[draft("a.md>mastodon")])
    notes: list[str] = []
    report = run(settings, manifest, PostOptions(), lambda note: notes.append(note.text),
                 clock=lambda: NOW)
    assert [name(d) for d, _ in report.plan.paced] == ["a.md>mastodon"]
    assert not report.outcomes and report.exit_code == 0
    assert Ledger.load(settings.ledger_path).live_since("a.md") == ago(0)
    assert [note.text for note in report.closing_notes()][-1] == \
        "Posted 0 drafts: 1 is held by the cadence."
