"""A cold build (no .syndicate/, as in CI) drafts only what is new (issue 12).

An article posted everywhere, and not changed since, keeps only its source in the
manifest; `preview --all` drafts it on demand, exactly as a full build would.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import Site, article

from syndicate.compose import background
from syndicate.preview import selection

OLD = {"a.md": article("First walk", body="The river was quiet at dawn, as it always is."),
       "b.md": article("Second walk", date="2026-01-11",
                       body="The market opens before the trams start running.")}
NEW = article("Third walk", date="2026-01-12", body="A new article, not posted yet.")


def manifest(site: Site) -> tuple[set[str], dict[str, dict[str, Any]]]:
    """The articles the manifest holds drafts of, and its article lines by key."""
    data = json.loads((site.root / ".syndicate" / "manifest.json").read_text("utf-8"))
    return ({d["article"] for d in data["drafts"]},
            {line["key"]: line for line in data["articles"]})


def cold_build(site: Site) -> None:
    shutil.rmtree(site.root / ".syndicate", ignore_errors=True)
    shutil.rmtree(site.output, ignore_errors=True)
    result = site.build()
    assert result.exit_code == 0, result.output


def posted_site(make_site: Any) -> Site:
    """Two articles, built and posted everywhere: the outbox and Mastodon."""
    site = make_site(OLD, syndicate={"platforms": {"outbox": {}, "mastodon": {}}})
    assert site.build().exit_code == 0
    # The outbox posts for real; Mastodon's entries are recorded as `post` records them
    # (pending with the draft's hash and inputs, then posted), without a network.
    assert site.run("post", "--platform", "outbox").exit_code == 0
    from syndicate.compose.manifest import load_manifest
    from syndicate.draft import PostedPart
    from syndicate.ledger import Ledger

    drafts = load_manifest(site.root / ".syndicate" / "manifest.json").drafts
    book = Ledger.load(site.ledger)
    for draft in drafts:
        if draft.platform == "mastodon":
            book.record_pending(draft.article, draft.url, "mastodon", 0, draft.text_hash,
                                draft.inputs)
            book.record_part_posted(draft.article, "mastodon", 0, PostedPart(
                id=f"1{len(draft.article)}", url=f"https://social.example/@me/{draft.article}"),
                last=True)
    return site


def test_a_cold_build_drafts_no_article_posted_everywhere_and_every_new_one(
        make_site: Any) -> None:
    site = posted_site(make_site)
    entries = json.loads(site.ledger.read_text("utf-8"))["articles"]
    assert all(entry["inputs"] for a in entries.values() for entry in a["platforms"].values())
    site.write("content/c.md", NEW)
    cold_build(site)
    drafted, lines = manifest(site)
    assert drafted == {"c.md"}, "only the new article is drafted"
    assert {key for key, line in lines.items() if "done" in line} == {"a.md", "b.md"}
    assert set(lines["a.md"]["inputs"]) == {"outbox", "mastodon"}
    # The default preview shows what is new; status and --all still know every article.
    assert {d["article"] for d in site.preview_json()} == {"c.md"}
    assert {d["article"] for d in site.preview_json("--all")} == {"a.md", "b.md", "c.md"}
    status = json.loads(site.run("status", "--format", "json").stdout)
    assert [(r["article"], r["platform"], r["state"]) for r in status] == [
        ("a.md", "mastodon", "posted"), ("a.md", "outbox", "posted"),
        ("b.md", "mastodon", "posted"), ("b.md", "outbox", "posted"),
        ("c.md", "mastodon", "new"), ("c.md", "outbox", "new")]
    table = site.run("preview")
    assert "Third walk" in table.output and "First walk" not in table.output
    assert "2 more articles are posted or skipped everywhere" in table.output
    # Nothing is posted again, and check sees every draft that could be.
    assert "Would post c.md to outbox" in site.run("post", "--dry-run").output
    assert "a.md" not in site.run("post", "--dry-run").output
    assert site.run("check").exit_code == 0


@pytest.mark.parametrize("drafted", ["here", "half in a second process",
                                     "half in a second process that fails"])
def test_preview_all_shows_a_posted_articles_drafts_as_a_full_build_makes_them(
        make_site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafted: str) -> None:
    site = posted_site(make_site)
    cold_build(site)
    assert manifest(site)[0] == set(), "everything is done: nothing drafted"
    marker, dumps = tmp_path / "second-process", background.marshal.dumps
    if drafted != "here":  # two articles are enough to share
        monkeypatch.setattr(selection, "SHARED_FROM", 2)

        def result(value: Any) -> bytes:  # the child's last step: it says it ran
            marker.write_text(str(os.getpid()), encoding="utf-8")
            if drafted.endswith("fails"):
                raise MemoryError("the second process ran out of memory")
            return dumps(value)

        monkeypatch.setattr(background.marshal, "dumps", result)
    on_demand = site.run("preview", "--format", "json", "--all").stdout
    if drafted != "here":
        assert int(marker.read_text(encoding="utf-8")) != os.getpid()
    monkeypatch.undo()
    by_name = site.run("preview", "--format", "json", "--article", "a.md").stdout
    table = site.run("preview", "--all").output
    # The same site built in full: without its ledger every article is drafted.
    site.ledger.rename(tmp_path / "ledger.json")
    cold_build(site)
    assert manifest(site)[0] == {"a.md", "b.md"}
    full = site.run("preview", "--format", "json").stdout
    (tmp_path / "ledger.json").rename(site.ledger)
    assert table == site.run("preview", "--all").output  # from the full manifest

    def drafts(text: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in d.items() if k != "state"} for d in json.loads(text)]

    assert drafts(on_demand) == drafts(full)
    assert drafts(by_name) == [d for d in drafts(full) if d["article"] == "a.md"]


def test_a_posted_article_edited_since_is_drafted_again_and_shown_as_changed(
        make_site: Any) -> None:
    site = posted_site(make_site)
    site.write("content/a.md", OLD["a.md"].replace("quiet at dawn", "loud at noon"))
    cold_build(site)
    drafted, lines = manifest(site)
    assert drafted == {"a.md"} and "done" in lines["b.md"]
    shown = site.run("preview")
    assert "loud at noon" in shown.output and "Second walk" not in shown.output
    assert "posted, edited since" in shown.output
    assert {d["article"] for d in site.preview_json()} == {"a.md"}


def test_a_ledger_from_before_inputs_drafts_everything_once_then_post_records_them(
        make_site: Any) -> None:
    site = posted_site(make_site)
    data = json.loads(site.ledger.read_text("utf-8"))
    for entry in data["articles"].values():
        for platform in entry["platforms"].values():
            del platform["inputs"]
    site.ledger.write_text(json.dumps(data), encoding="utf-8")
    cold_build(site)
    assert manifest(site)[0] == {"a.md", "b.md"}, "not known unchanged: drafted"
    assert site.preview_json() == [], "but neither pending nor changed"
    site.run("post", "--platform", "outbox")  # posts nothing; records what each is made of
    cold_build(site)
    assert manifest(site)[0] == set()
