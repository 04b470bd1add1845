"""Adopting syndicate on an existing Pelican blog: `syndicate init` sets it up in one
command and changes nothing the second time; a build without the plugin says so; the
local site opens styled from disk; the tasks find the venv's tools."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import PROJECT, Site, article, copy_sample_blog

from syndicate import __version__
from syndicate.cli import cli
from syndicate.ledger import Ledger

QUICKSTART = textwrap.dedent("""\
    AUTHOR = 'Ada'
    SITENAME = 'An existing blog'
    SITEURL = 'https://ada.example'
    PATH = 'content'
    TIMEZONE = 'UTC'
    DEFAULT_LANG = 'en'
    FEED_ALL_ATOM = None
    CATEGORY_FEED_ATOM = None
    DEFAULT_PAGINATION = False
    """)


def quickstart_site(root: Path, articles: int = 3) -> Site:
    """A blog as `pelican-quickstart` leaves it: no plugin, no SYNDICATE, default theme."""
    site = Site(root)
    root.mkdir(parents=True)
    site.write("pelicanconf.py", QUICKSTART)
    site.write(".gitignore", "output/\n__pycache__/\n")
    for n in range(articles):
        site.write(f"content/old-{n}.md", article(f"Old post {n}", date=f"2025-0{n + 1}-01"))
    return site


def run(site: Site, *args: str) -> Result:
    command, *rest = args
    return CliRunner().invoke(cli, [command, "-s", str(site.conf), *rest],
                              catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and "output" not in p.parts and ".syndicate" not in p.parts
            and "__pycache__" not in p.parts}


def test_init_sets_up_an_existing_blog_and_a_second_run_changes_nothing(
        tmp_path: Path) -> None:
    site = quickstart_site(tmp_path / "blog")
    first = run(site, "init", "--platform", "mastodon", "--platform", "outbox")
    assert first.exit_code == 0, first.output
    for line in ("pelicanconf.py: loads the plugin", "pelicanconf.py: configures mastodon, "
                 "outbox", ".gitignore: ignores .syndicate/, outbox/",
                 ".github/workflows/syndicate-publish.yml: added",
                 ".github/workflows/syndicate-preview.yml: added",
                 "Recorded 6 drafts of 3 articles as already syndicated"):
        assert line in first.output, first.output
    assert "SYNDICATE_MASTODON_TOKEN" in first.output, "says which secrets to set"
    # What it wrote works: the settings load, the back catalogue is recorded.
    ledger = Ledger.load(site.ledger)
    assert {ledger.state(f"old-{n}.md", p) for n in range(3) for p in ("mastodon", "outbox")} \
        == {"skipped"}
    publish = (site.root / ".github/workflows/syndicate-publish.yml").read_text()
    assert f'pip install "pelican-syndicate=={__version__}"' in publish
    assert "-e ." not in publish
    assert "SYNDICATE_MASTODON_TOKEN: ${{ secrets.SYNDICATE_MASTODON_TOKEN }}" in publish
    preview = (site.root / ".github/workflows/syndicate-preview.yml").read_text()
    assert "secrets." not in preview and "contents: read" in preview
    assert ".syndicate/" in (site.root / ".gitignore").read_text().splitlines()
    # Nothing posts the back catalogue.
    assert run(site, "post", "--platform", "outbox").exit_code == 0
    assert not site.outbox_posts()
    before = snapshot(site.root)
    second = run(site, "init", "--platform", "mastodon", "--platform", "outbox")
    assert second.exit_code == 0, second.output
    assert "Set up" not in second.output
    assert "Nothing to do" in second.output
    assert snapshot(site.root) == before


def test_init_dry_run_changes_nothing(tmp_path: Path) -> None:
    site = quickstart_site(tmp_path / "blog")
    before = snapshot(site.root)
    result = run(site, "init", "--dry-run", "--platform", "mastodon")
    assert result.exit_code == 0, result.output
    assert "Would set up pelicanconf.py: loads the plugin" in result.output
    assert snapshot(site.root) == before and not site.ledger.exists()


def test_a_build_without_the_plugin_says_how_to_load_it(tmp_path: Path) -> None:
    site = quickstart_site(tmp_path / "blog")
    site.write("pelicanconf.py", QUICKSTART + "SYNDICATE = {'platforms': {'outbox': {}}}\n")
    result = run(site, "build")
    assert result.exit_code == 2
    assert "pelicanconf.py: the syndicate plugin is not loaded" in result.output
    assert 'PLUGINS = ["syndicate"]' in result.output
    assert "has not been built" not in result.output


class _Stylesheets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") == "stylesheet" and values.get("href"):
            self.hrefs.append(str(values["href"]))


def test_the_local_site_opens_styled_from_disk_while_drafts_keep_absolute_links(
        sample_site: Site) -> None:
    for page in (sample_site.output / "index.html",
                 next((sample_site.output / "posts").rglob("index.html"))):
        parser = _Stylesheets()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.hrefs, page
        for href in parser.hrefs:
            assert "://" not in href, href
            assert (page.parent / href).resolve().is_file(), href
    drafts = json.loads(run(sample_site, "preview", "--format", "json").output)
    assert all(d["url"].startswith("http://localhost:8000/") for d in drafts)


def test_the_tasks_find_the_venvs_tools_without_activating_it(tmp_path: Path) -> None:
    root = copy_sample_blog(tmp_path / "blog")
    shutil.copy(PROJECT / "tasks.py", root / "tasks.py")
    invoke = Path(sys.executable).with_name("invoke")
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", str(tmp_path))}
    result = subprocess.run([str(invoke), "build"], cwd=root, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "drafts for" in result.stdout


def test_an_article_is_the_same_article_wherever_its_file_goes(tmp_path: Path) -> None:
    site = quickstart_site(tmp_path / "blog", articles=0)
    site.write("pelicanconf.py", QUICKSTART + 'PLUGINS = ["syndicate"]\n'
               "SYNDICATE = {'platforms': {'outbox': {}}}\n")
    site.write("content/a.md", article("Walk A", date="2026-01-01"))
    site.write("content/b.md", article("Walk B", date="2026-01-02"))
    site.write("content/c.md", article("Walk C", date="2026-01-03", syndicate_key="walk-c"))
    site.write("content/d.md", article("Walk D", date="2026-01-04"))
    assert run(site, "build").exit_code == 0
    assert run(site, "post").exit_code == 0
    assert len(site.outbox_posts()) == 4
    # a.md moves (same URL); b.md gets a new slug (same file); c.md does both but is pinned;
    # d.md does both, unpinned: a new article, as the README says.
    (site.root / "content" / "2026").mkdir()
    (site.root / "content" / "a.md").rename(site.root / "content" / "2026" / "a.md")
    site.write("content/b.md", article("Walk B", date="2026-01-02", slug="b-renamed"))
    (site.root / "content" / "c.md").unlink()
    site.write("content/2026/c.md", article("Walk C", date="2026-01-03", syndicate_key="walk-c",
                                            slug="c-renamed"))
    (site.root / "content" / "d.md").unlink()
    site.write("content/2026/d.md", article("Walk D", date="2026-01-04", slug="d-renamed"))
    assert run(site, "build").exit_code == 0
    status = run(site, "status", "--format", "json")
    rows = {row["article"]: row for row in json.loads(status.output)}
    assert rows["2026/a.md"]["state"] == "posted"
    assert rows["2026/a.md"]["moved_from"] == "a.md"
    assert rows["b.md"]["state"] == rows["walk-c"]["state"] == "posted"
    assert rows["2026/d.md"]["state"] == "new"
    # The preview follows the move too: the moved article is not new (b.md and walk-c are
    # shown, their links changed since they were posted).
    preview = run(site, "preview", "--format", "json")
    assert preview.exit_code == 0, preview.output
    assert {draft["article"] for draft in json.loads(preview.output)} == \
        {"2026/d.md", "b.md", "walk-c"}
    result = run(site, "post")
    assert result.exit_code == 0, result.output
    assert "Moved a.md → 2026/a.md" in result.output
    posted = [p["article"] for p in site.outbox_posts()]
    assert sorted(posted) == ["2026/d.md", "a.md", "b.md", "d.md", "walk-c"]
    ledger = Ledger.load(site.ledger)
    assert "a.md" not in ledger.articles and ledger.state("2026/a.md", "outbox") == "posted"
    assert "nothing new to post" in run(site, "post").output
