"""preview's Markdown (CI summaries, pull-request comments) and writing to a file."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from conftest import PROJECT, Site, article
from hypothesis import given, settings
from hypothesis import strategies as st

SNAPSHOT = PROJECT / "tests" / "snapshots" / "preview.md"
ARTICLES = ["--article", "posts/kyoto-morning-walk.md", "--article",
            "posts/getting-lost-on-purpose.md"]


def test_the_markdown_summary_of_the_sample_blog(sample_site: Site) -> None:
    """A snapshot, read and checked by a person when it changes: UPDATE_SNAPSHOTS=1."""
    shown = sample_site.run("preview", "--format", "markdown", *ARTICLES).output
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(shown, encoding="utf-8")
    assert shown == SNAPSHOT.read_text(encoding="utf-8")


def test_every_part_is_in_the_markdown_exactly_once_as_sent(sample_site: Site) -> None:
    shown = sample_site.run("preview", "--format", "markdown", *ARTICLES).output
    blocks = re.findall(r"^(~{3,})text\n(.*?)\n\1$", shown, flags=re.M | re.S)
    drafts = sample_site.preview_json(*ARTICLES)
    assert [text for _, text in blocks] == [p["text"] for d in drafts for p in d["parts"]]
    for draft in drafts:
        for part in draft["parts"]:
            assert f"{part['length']}/{draft['limit']}" in shown


def test_text_cannot_break_out_of_its_block(make_site: Any) -> None:
    sneaky = "~~~ not the end ~~~~~~ nor this, <b>html</b>"
    site = make_site({"a.md": article("Fences", mastodon=sneaky)},
                     syndicate={"platforms": {"mastodon": {}}})
    assert site.build().exit_code == 0
    shown = site.run("preview", "--format", "markdown").output
    # A fence longer than any run of tildes in the text: the text stays one block.
    assert "\n~~~~~~~text\n" + sneaky + "\n" in shown


def test_new_shows_only_what_post_would_send_and_o_writes_a_file(make_site: Any,
                                                                 tmp_path: Path) -> None:
    site = make_site({"a.md": article("First"), "b.md": article("Second", date="2026-01-11")})
    site.build()
    assert site.run("post", "--max", "1").exit_code == 0  # the outbox has no cap: both go
    site.write("content/c.md", article("Third", date="2026-01-12"))
    site.build()
    out = tmp_path / "new.md"
    result = site.run("preview", "--format", "markdown", "--new", "-o", str(out))
    assert result.exit_code == 0 and f"Wrote {out}" in result.output
    text = out.read_text(encoding="utf-8")
    assert "Third" in text and "First" not in text and "Second" not in text
    json_out = tmp_path / "all.json"
    site.run("preview", "--format", "json", "--all", "-o", str(json_out))
    assert {d["title"] for d in json.loads(json_out.read_text())} == {"First", "Second", "Third"}


def test_the_build_can_write_the_html_preview_but_never_into_the_site(
        make_site: Any) -> None:
    site = make_site({"a.md": article("First")}, syndicate={
        "platforms": {"outbox": {}, "mastodon": {}}, "preview_html": ".syndicate/preview.html"})
    assert site.build().exit_code == 0
    page = (site.root / ".syndicate/preview.html").read_text(encoding="utf-8")
    assert page.count('<section class="draft') == 2 and "First" in page
    assert not list(site.output.rglob("preview.html"))
    shutil.rmtree(site.root)
    deployed = make_site({"a.md": article("First")}, syndicate={
        "platforms": {"outbox": {}}, "preview_html": "output/preview.html"})
    result = deployed.build()
    assert result.exit_code == 1
    assert "preview_html" in result.output and "inside the output folder" in result.output
    # Found after the drafts (and, drafted in a second process, the manifest) were made:
    # the manifest says it too.
    manifest = json.loads((deployed.root / ".syndicate/manifest.json").read_text("utf-8"))
    assert any("inside the output folder" in error for error in manifest["errors"])


def test_keys_and_image_paths_cannot_break_out_of_their_code_spans(make_site: Any) -> None:
    """The Markdown lands in a pull request's job summary: an article's metadata must not
    become markup there. Read back with a CommonMark parser (markdown-it-py)."""
    from markdown_it import MarkdownIt

    key = "posts/a`` <img src=x onerror=alert(1)> ``.md"
    image = "images/b` <script>alert(2)</script> `.png"
    site = make_site({"a.md": article("Keys", syndicate_key=key, image=image,
                                      image_alt="An alt")})
    assert site.build().exit_code == 0
    shown = site.run("preview", "--format", "markdown").output
    tokens = MarkdownIt("commonmark").parse(shown)
    inline = [child for token in tokens for child in (token.children or [])]
    assert not [t for t in [*tokens, *inline] if t.type.startswith("html")], shown
    spans = [t.content for t in inline if t.type == "code_inline"]
    assert key in spans
    assert any(image in span for span in spans)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab/:%é日<>\\ \x00\x1f\x7f\t\n"))))
def test_a_link_target_cannot_end_early_or_open_markup(url: str) -> None:
    """Each "<", ">", "\\", space and control character is percent-encoded; nothing else
    changes."""
    from syndicate.preview.markdown import link_target

    expected = "".join(f"%{ord(c):02X}" if c in "<>\\ " or ord(c) < 0x20 else c for c in url)
    assert link_target(url) == f"<{expected}>"
