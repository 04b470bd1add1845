"""The HTML preview, opened in a real headless Chromium: what a person will look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import PROJECT, Site, article
from playwright.sync_api import Browser, Page

ARTIFACTS = PROJECT / "tests" / "artifacts"  # screenshots, kept for people to look at
WIDTHS = {"desktop": 1280, "phone": 390}


def open_page(browser: Browser, path: Path, width: int) -> tuple[Page, list[str]]:
    """The page at this width, with every request that is not the file itself refused."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []

    def refuse(route: Any) -> None:
        if route.request.url != path.as_uri():
            requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse)
    page.goto(path.as_uri())
    return page, requests


def test_every_draft_shows_as_it_will_go_out_at_every_width(sample_site: Site,
                                                             browser: Browser) -> None:
    page_file = sample_site.root / "preview.html"
    result = sample_site.run("preview", "--format", "html", "-o", str(page_file))
    assert result.exit_code == 0, result.output
    drafts = sample_site.preview_json()
    ARTIFACTS.mkdir(exist_ok=True)
    for name, width in WIDTHS.items():
        page, requests = open_page(browser, page_file, width)
        page.get_by_role("button", name="Expand all").click()  # past the first screen
        shown = page.locator("section.draft")
        assert shown.count() == len(drafts)
        for index, draft in enumerate(drafts):
            section = shown.nth(index)
            assert section.get_attribute("data-article") == draft["article"]
            assert section.get_attribute("data-platform") == draft["platform"]
            posts = section.locator(".post")
            assert posts.count() == len(draft["parts"])
            for number, part in enumerate(draft["parts"]):
                post = posts.nth(number)
                # The exact text, as it will be sent, with its count against the limit.
                assert post.locator(".text").inner_text() == part["text"]
                assert post.locator(".count").inner_text() == \
                    f"{part['length']}/{draft['limit']}"
            assert section.is_visible()
        overflowing = page.evaluate("""() => [...document.querySelectorAll('.post, .card')]
            .filter(e => e.scrollWidth > e.clientWidth + 1)
            .map(e => e.closest('section').dataset.article + ' ' +
                      e.closest('section').dataset.platform)""")
        assert overflowing == [], f"{name}: text runs out of its box"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / f"preview-{name}.png"), full_page=False)
        assert requests == [], "the page works offline: it asks for nothing"
        page.close()


def test_the_cut_hashtags_links_and_card_are_shown_as_the_platform_would(
        sample_site: Site, browser: Browser) -> None:
    page_file = sample_site.root / "kyoto.html"
    sample_site.run("preview", "--format", "html", "-o", str(page_file), "--article",
                    "posts/getting-lost-on-purpose.md", "--article",
                    "posts/kyoto-morning-walk.md")
    page, _ = open_page(browser, page_file, 1280)
    bluesky = page.locator('section[data-article="posts/kyoto-morning-walk.md"]'
                           '[data-platform="bluesky"]')
    # Bluesky shows the shortened link, pointing at the whole address.
    link = bluesky.locator("a.link")
    assert link.inner_text() == "localhost:8000/posts/kyoto-..."
    assert link.get_attribute("href") == "http://localhost:8000/posts/kyoto-morning-walk/"
    assert bluesky.locator(".tag").all_inner_texts() == ["#日本", "#散歩", "#walking"]
    # The card with its image, embedded, described by its alt text.
    thumb = bluesky.locator(".card .thumb")
    assert thumb.get_attribute("aria-label") == \
        "朝霧の中に幾重にも重なる青灰色の山並みと、淡い色の空。"
    assert "data:image" in thumb.evaluate("e => getComputedStyle(e).backgroundImage")
    # A summary cut at a word: the cut is marked, and the note says what was shortened.
    mastodon = page.locator('section[data-article="posts/getting-lost-on-purpose.md"]'
                            '[data-platform="mastodon"]')
    assert mastodon.locator("mark.cut").inner_text() == "…"
    assert "summary cut at a word" in mastodon.locator(".note").inner_text()
    page.close()


def test_what_an_author_writes_is_shown_never_run(make_site: Any, browser: Browser) -> None:
    hostile = '<script>alert("text")</script> <img src=x onerror="alert(1)"> <b>bold</b>'
    site = make_site({"xss.md": article("Markup in a post", mastodon=hostile)},
                     syndicate={"platforms": {"mastodon": {}, "bluesky": {}}})
    assert site.build().exit_code == 0
    page_file = site.root / "xss.html"
    assert site.run("preview", "--format", "html", "-o", str(page_file)).exit_code == 0
    page, requests = open_page(browser, page_file, 1280)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.reload()
    assert dialogs == [] and requests == []
    # The page's own script (the filter) is outside main; nothing the author wrote is markup.
    assert page.locator("main script, img, b").count() == 0
    text = page.locator('section[data-platform="mastodon"] .text').inner_text()
    assert text.startswith(hostile), "shown as written, as the platform will show it"
    page.close()


def test_a_long_preview_opens_collapsed_past_the_first_screen_and_filters_offline(
        make_site: Any, browser: Browser) -> None:
    site = make_site({f"walk-{n:02d}.md": article(f"Walk number {n}", date=f"2026-01-{n:02d}")
                      for n in range(1, 13)},
                     syndicate={"platforms": {"outbox": {}, "mastodon": {}, "bluesky": {}}})
    assert site.build().exit_code == 0
    assert site.run("post", "--platform", "outbox").exit_code == 0
    page_file = site.root / "all.html"
    assert site.run("preview", "--all", "--format", "html", "-o", str(page_file)).exit_code == 0
    page, requests = open_page(browser, page_file, 1280)
    articles = page.locator("details.article")
    assert articles.count() == 12
    # One section per article: the first screen open (about ten drafts), the rest
    # collapsed to their titles.
    opened = [articles.nth(n).get_attribute("open") is not None for n in range(12)]
    assert opened == [True] * 4 + [False] * 8
    assert articles.nth(11).locator("summary").is_visible()
    assert not articles.nth(11).locator("section.draft").first.is_visible()
    shown = page.locator("#shown")
    assert shown.inner_text() == "36 of 36 drafts shown, in 12 articles"
    # By platform: Bluesky's drafts go, the others stay.
    page.get_by_label("Bluesky").uncheck()
    assert page.locator('section.draft[data-platform="bluesky"]:visible').count() == 0
    assert page.locator('section.draft[data-platform="mastodon"]:visible').count() == 4
    assert shown.inner_text() == "24 of 36 drafts shown, in 12 articles"
    # By state: without what is posted (the outbox), only Mastodon's new drafts are left.
    page.get_by_label("posted").uncheck()
    assert shown.inner_text() == "12 of 36 drafts shown, in 12 articles"
    page.get_by_role("button", name="Expand all").click()
    visible = page.locator("section.draft:visible")
    assert visible.count() == 12
    assert {visible.nth(n).get_attribute("data-platform") for n in range(12)} == {"mastodon"}
    page.get_by_label("Mastodon").uncheck()
    assert shown.inner_text() == "0 of 36 drafts shown, in 0 articles"
    assert page.locator("details.article:visible").count() == 0
    page.get_by_role("button", name="Collapse all").click()
    page.get_by_label("Mastodon").check()
    assert page.locator("section.draft:visible").count() == 0, "collapsed stays collapsed"
    assert requests == [], "the page works offline: it asks for nothing"
    page.close()
