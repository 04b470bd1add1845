"""Friction points a blogger hit (issue 10): symbols in tags, links in summaries, content
warnings in previews, edits after posting, template errors, a mistyped --article, the
HTML preview at a terminal, and status tables that cut what they show."""

from __future__ import annotations

import html
import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import Site, article
from fakes.mastodon import FakeMastodon

from syndicate import cli as cli_module
from syndicate.compose.articles import SYMBOL_HASHTAGS, hashtag
from syndicate.ledger import Ledger
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.preview.display import table
from syndicate.settings import DELETES, EDITS_IN_PLACE, on_edit_choices
from syndicate.text.mastodon_text import mastodon_length

TOKEN = {"SYNDICATE_MASTODON_TOKEN": "good-token"}
MASTODON = {"mastodon": {"url": "https://mastodon.example"}}


def drafts_of(site: Site, platform: str) -> list[dict[str, Any]]:
    return [d for d in site.preview_json() if d["platform"] == platform]


# 1. Hashtags from tags with symbols


@pytest.mark.parametrize(("tag", "expected"), [
    ("C++", "#cpp"), ("c#", "#csharp"), ("F#", "#fsharp"), (".NET", "#dotnet"),
    ("Node.js", "#nodejs"), ("ASP.NET", "#aspnet"), ("small web", "#SmallWeb"),
])
def test_symbols_in_a_tag_keep_their_meaning(tag: str, expected: str) -> None:
    assert hashtag(tag) == expected
    assert hashtag("C++") != hashtag("C") != hashtag("C#")


def test_hashtag_map_renames_and_drops_tags(make_site: Callable[..., Site]) -> None:
    site = make_site(
        {"walk.md": article("A walk", tags="C++, C#, .NET, Node.js, Meta, Rust")},
        syndicate={"platforms": MASTODON, "hashtags": 6,
                   "hashtag_map": {"node.js": "#NodeJS", "META": None, "Rust": "rustlang"}})
    assert site.build().exit_code == 0
    (draft,) = drafts_of(site, "mastodon")
    assert draft["parts"][0]["text"].endswith("#cpp #csharp #dotnet #NodeJS #rustlang")
    assert SYMBOL_HASHTAGS["node.js"] == "#nodejs", "the setting overrode the default"


@pytest.mark.parametrize(("value", "says"), [
    ({"C++": "#c++"}, "SYNDICATE hashtag_map['C++'] is '#c++', not a hashtag"),
    ({"C++": 3}, "SYNDICATE hashtag_map['C++'] is 3, not a hashtag"),
    ({"2026": "#2026"}, "not a hashtag (letters, digits and _, not only digits)"),
    (["C++"], "SYNDICATE hashtag_map is ['C++'], not a dict"),
])
def test_a_bad_hashtag_map_is_one_line(make_site: Callable[..., Site], value: Any,
                                       says: str) -> None:
    site = make_site({"walk.md": article("A walk")},
                     syndicate={"platforms": {"outbox": {}}, "hashtag_map": value})
    result = site.build()
    assert result.exit_code == 2
    assert says in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_changing_the_hashtag_map_remakes_the_drafts(make_site: Callable[..., Site]) -> None:
    site = make_site({"walk.md": article("A walk", tags="C++")},
                     syndicate={"platforms": MASTODON})
    assert site.build().exit_code == 0
    assert drafts_of(site, "mastodon")[0]["parts"][0]["text"].endswith("#cpp")
    site.write("pelicanconf.py", site.conf.read_text().replace(
        "'platforms'", "'hashtag_map': {'c++': '#CPlusPlus'}, 'platforms'"))
    assert site.build().exit_code == 0
    assert drafts_of(site, "mastodon")[0]["parts"][0]["text"].endswith("#CPlusPlus")


# 2. A Markdown link in a summary keeps its URL


def test_a_link_in_a_summary_keeps_its_address_and_counts_23(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"walk.md": article(
        "A walk", summary="Read [the spec](https://example.org/spec/walking-in-cities"
                          "-a-very-long-address-indeed) and [my notes](/notes/) first, "
                          "or <https://example.org/faq>.")},
        syndicate={"platforms": {**MASTODON, "x": {}, "outbox": {}}})
    assert site.build().exit_code == 0
    summary = ("Read the spec (https://example.org/spec/walking-in-cities-a-very-long-"
               "address-indeed) and my notes first, or https://example.org/faq.")
    (mastodon,) = drafts_of(site, "mastodon")
    text = mastodon["parts"][0]["text"]
    assert summary in text
    # Mastodon counts every link as 23, whatever its length.
    assert mastodon["parts"][0]["length"] == mastodon_length(text)
    assert mastodon["parts"][0]["length"] < len(text)
    (outbox,) = drafts_of(site, "outbox")
    assert summary in outbox["card"]["description"]


def test_a_link_in_the_first_paragraph_keeps_its_address(
        make_site: Callable[..., Site]) -> None:
    body = ("I walked the whole route from [the old harbour](https://harbour.example/map) "
            "to the hills, and it took most of a long and rainy day.")
    site = make_site({"walk.md": article("A walk", body=body)},
                     syndicate={"platforms": {"outbox": {}}})
    assert site.build().exit_code == 0
    (draft,) = drafts_of(site, "outbox")
    assert "from the old harbour (https://harbour.example/map) to the hills" \
        in draft["parts"][0]["text"]


# 3. Content warnings in every human preview


def test_the_content_warning_shows_in_every_preview(make_site: Callable[..., Site]) -> None:
    warning = "Spoilers <b>finale</b> & *more*"
    site = make_site({"walk.md": article("A walk", content_warning=warning)},
                     syndicate={"platforms": {**MASTODON, "outbox": {}}})
    assert site.build().exit_code == 0
    terminal = site.run("preview", "--platform", "mastodon")
    assert terminal.exit_code == 0, terminal.output
    lines = terminal.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  mastodon"))
    assert lines[at + 1].startswith(f"  CW {warning} (content warning")
    assert lines[at + 2].startswith("  │ ")
    outbox = site.run("preview", "--platform", "outbox")
    assert "CW" not in outbox.output, "only a draft with a warning shows one"

    markdown = site.run("preview", "--format", "markdown").output
    assert r"**CW:** Spoilers \<b\>finale\</b\> & \*more\* (content warning" in markdown
    assert markdown.count("**CW:**") == 1

    page = site.run("preview", "--format", "html").output
    cw = re.search(r'<details class="cw"><summary><span class="cw-text"[^>]*>(.*?)</span>'
                   r'.*?</summary>(.*?)</details>', page, re.S)
    assert cw is not None
    assert cw.group(1) == html.escape(warning, quote=True)
    assert "<b>finale" not in page
    assert '<div class="text"' in cw.group(2), "the text is behind the warning"
    assert page.count('class="cw"') == 1


# 4. Edits after posting, and on_edit checked against what each platform can do


def test_a_post_edited_since_says_so_and_what_on_edit_does(
        live_site: Callable[..., Site], mastodon: FakeMastodon) -> None:
    walk = {"walk.md": article("A walk", summary="Along the canal at dawn.")}
    site = live_site(walk, {"outbox": {}, "mastodon": {"url": mastodon.url,
                                                       "on_edit": "edit"}})
    assert site.run("post", env=TOKEN).exit_code == 0
    site.write("content/walk.md", article("A walk", summary="Along the canal at noon."))
    assert site.build().exit_code == 0

    status = site.run("status", env={"COLUMNS": "400"})
    rows = {line.split()[1]: line for line in status.output.splitlines()
            if line.startswith("walk.md")}
    assert "posted, edited since" in rows["outbox"]
    assert "on_edit ignore: the post stays as it was" in rows["outbox"]
    assert "on_edit edit: `post` edits it in place" in rows["mastodon"]
    assert "(2 edited since)" in status.output
    as_json = {r["platform"]: r for r in json.loads(site.run("status", "--format",
                                                                "json").output)}
    assert as_json["mastodon"]["state"] == "posted"
    assert as_json["mastodon"]["edited_since"] is True
    assert as_json["mastodon"]["on_edit"] == "edit"

    preview = site.run("preview").output
    assert "posted, edited since (on_edit edit: `post` edits it in place)" in preview
    assert "posted, edited since (on_edit ignore: the post stays as it was)" in preview
    assert "edited since" in site.run("preview", "--format", "markdown").output

    assert site.run("post", env=TOKEN).exit_code == 0  # mastodon edits in place
    again = site.run("status", env={"COLUMNS": "400"}).output
    assert "(1 edited since)" in again, "the outbox copy stays as it was"


@pytest.mark.parametrize(("platform", "options", "choice", "valid"), [
    ("outbox", {}, "edit", '"ignore"'),
    ("outbox", {}, "repost", '"ignore"'),
    ("bluesky", {"handle": "me.bsky.social"}, "edit", '"ignore" or "repost"'),
    ("x", {}, "repost", '"ignore"'),
    ("mastodon", {"url": "https://m.example"}, "delete", '"ignore" or "edit" or "repost"'),
])
def test_on_edit_is_checked_against_the_platform(make_site: Callable[..., Site],
                                                 platform: str, options: dict[str, Any],
                                                 choice: str, valid: str) -> None:
    site = make_site({"walk.md": article("A walk")}, syndicate={
        "platforms": {platform: {**options, "on_edit": choice}}})
    for command in ("build", "status", "preview"):
        result = site.run(command)
        assert result.exit_code == 2, result.output
        (line,) = result.output.strip().splitlines()
        assert f"SYNDICATE['platforms']['{platform}']['on_edit'] is {choice!r}" in line
        assert line.endswith(f"use {valid}")


def test_on_edit_from_the_environment_is_checked_too(make_site: Callable[..., Site]) -> None:
    site = make_site({"walk.md": article("A walk")})
    result = site.run("status", env={"SYNDICATE_OUTBOX_ON_EDIT": "edit"})
    assert result.exit_code == 2 and "Outbox posts cannot be edited" in result.output


def test_the_on_edit_choices_match_what_each_poster_can_do() -> None:
    for name, platform in PLATFORM_CLASSES.items():
        module = inspect.getmodule(platform)
        posters = [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                   if cls.__module__ == platform.__module__
                   and callable(getattr(cls, "find_posted", None))]
        assert posters, name
        can_edit = any(callable(getattr(cls, "edit", None)) for cls in posters)
        can_delete = any(callable(getattr(cls, "delete", None)) for cls in posters)
        assert (name in EDITS_IN_PLACE, name in DELETES) == (can_edit, can_delete), name
        assert ("edit" in on_edit_choices(name)) == can_edit
        assert ("repost" in on_edit_choices(name)) == can_delete


# 5. Template errors name the file


def test_an_undefined_variable_in_metadata_names_the_article_and_key(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"walk.md": article("A walk", mastodon="New: {{ titel }} {{ url }}"),
                      "talk.md": article("A talk", social="{{ summery }} {{ url }}")},
                     syndicate={"platforms": MASTODON})
    result = site.build()
    assert result.exit_code == 1
    assert "walk.md (Mastodon metadata): template error: 'titel' is undefined" \
        in result.output
    assert "talk.md (Social metadata): template error: 'summery' is undefined" \
        in result.output


def test_a_template_not_found_names_the_platform_and_the_folder(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"walk.md": article("A walk")}, syndicate={
        "platforms": {"mastodon": {"url": "https://m.example", "template": "mine.txt.j2"}}})
    (site.root / "syndicate_templates").mkdir()
    result = site.build()
    assert result.exit_code == 1
    folder = (site.root / "syndicate_templates").resolve()
    assert f"mastodon template 'mine.txt.j2': template not found (not in {folder}" \
        in result.output
    (site.root / "syndicate_templates").rmdir()
    missing = site.build()
    assert f"the templates folder {folder} does not exist" in missing.output
    assert "SYNDICATE['platforms']['mastodon']['template']" in missing.output


# 6. An unknown --article is a usage error


@pytest.mark.parametrize("command", [("preview",), ("preview", "--format", "json"),
                                     ("approve", "--yes")])
def test_an_unknown_article_is_a_usage_error_with_close_matches(
        make_site: Callable[..., Site], command: tuple[str, ...]) -> None:
    site = make_site({"posts/typos.md": article("Typos"), "posts/other.md": article("B")},
                     syndicate={"platforms": {"outbox": {}}, "require_approval": True})
    assert site.build().exit_code == 0
    result = site.run(*command, "--article", "posts/typo.md")
    assert result.exit_code == 2, result.output
    assert "the last build made no drafts for 'posts/typo.md'; did you mean " \
           "posts/typos.md?" in result.output
    assert "0 drafts" not in result.output
    by_name = site.run(*command, "--article", "other.md")
    assert by_name.exit_code == 2 and "did you mean posts/other.md?" in by_name.output
    assert site.run(*command, "--article", "posts/typos.md").exit_code == 0


# 7. The HTML preview at a terminal goes to a file


def test_the_html_preview_at_a_terminal_goes_to_a_file(
        make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"walk.md": article("A walk")})
    assert site.build().exit_code == 0
    piped = site.run("preview", "--format", "html")
    assert piped.stdout.startswith("<!doctype html>"), "a pipe still gets the page"
    monkeypatch.setattr(cli_module, "stdout_is_terminal", lambda: True)
    result = site.run("preview", "--format", "html")
    assert result.exit_code == 0
    page = site.root / ".syndicate" / "preview.html"
    assert "<html" not in result.output
    assert f"Wrote {page}: open it in a browser" in result.output
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")
    chosen = site.root / "mine.html"
    assert site.run("preview", "--format", "html", "-o", str(chosen)).exit_code == 0
    assert chosen.is_file()


# 8. Tables wrap long cells, never cut them


def columns_of(output: str, header: str, next_header: str) -> list[list[str]]:
    """Each table row's cells under header, one per line of the row (a row starts on a
    line whose PLATFORM cell is filled)."""
    lines = output.splitlines()
    head = next(line for line in lines if header in line)
    start, end = head.index(header), head.index(next_header)
    platform = head.index("PLATFORM")
    rows: list[list[str]] = []
    for line in lines[lines.index(head) + 1:]:
        if not line.strip():
            break
        if line[platform:platform + 8].strip():
            rows.append([])
        rows[-1].append(line[start:end].strip())
    return rows


def test_status_wraps_long_links_and_reasons_whole(make_site: Callable[..., Site]) -> None:
    public = "https://files.example/a/rather/long/public/address/for/the/outbox/posts"
    articles = {f"posts/a-walk-along-the-canal-number-{n}.md": article(f"Walk {n}")
                for n in range(3)}
    site = make_site(articles, syndicate={"platforms": {"outbox": {"public_url": public}}})
    assert site.build().exit_code == 0
    assert site.run("post").exit_code == 0
    ledger = Ledger.load(site.ledger)
    reason = ("left out on purpose because the article was written for a private audience "
              "and its author asked that it never be posted anywhere")
    ledger.record_skipped("posts/old.md", "https://blog.example/old/", "outbox", reason)
    urls = [entry["platforms"]["outbox"]["parts"][0]["url"]
            for key, entry in ledger.articles.items() if key != "posts/old.md"]
    assert all(len(url) > 80 for url in urls)
    for columns in ("60", "100", "200"):
        result = site.run("status", env={"COLUMNS": columns})
        assert result.exit_code == 0
        lines = result.output.splitlines()
        assert all(len(line) <= int(columns) for line in lines), columns
        cells = columns_of(result.output, "WHERE / WHY", "UPDATED")
        assert len(cells) == 4
        joined = ["".join(cell) for cell in cells]
        for url in urls:
            assert url in joined
        assert reason in [" ".join(cell) for cell in cells]
        keys = ["".join(cell) for cell in columns_of(result.output, "ARTICLE", "PLATFORM")]
        assert sorted(keys) == sorted([*articles, "posts/old.md"])
        assert "…" not in result.output
    piped = site.run("status")  # not a terminal: every line whole
    assert all(url in piped.output for url in urls) and reason in piped.output


def test_a_table_never_drops_a_character_of_wide_text() -> None:
    text = "京都の朝、鴨川沿いを歩く 🧑‍🤝‍🧑 https://例え.jp/長い/パス/" + "x" * 40
    out = table(["A", "B"], [["short", text]], columns=30)
    lines = out.splitlines()[1:]
    assert len(lines) > 1
    assert "".join(line[7:].rstrip() for line in lines).replace(" ", "") \
        == text.replace(" ", "")
