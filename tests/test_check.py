"""`syndicate check`, the gate in CI: its exit code for each thing that must stop a post."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import Site, article, write_png


def site_with(make_site: Callable[..., Site], articles: dict[str, str],
              built: bool = True, **syndicate: Any) -> Site:
    site = make_site(articles, syndicate={"platforms": {"outbox": {}, "bluesky": {}},
                                          **syndicate})
    write_png(site.root / "content/images/a.png")
    write_png(site.root / "content/images/big.png", (700, 700), noisy=True)  # ~1.5 MB
    assert (site.build().exit_code == 0) is built
    return site


def test_everything_in_order_passes(make_site: Callable[..., Site]) -> None:
    site = site_with(make_site, {"a.md": article("Fine", image="images/a.png",
                                                 image_alt="A red door")})
    result = site.run("check")
    assert result.exit_code == 0, result.output
    assert "All 2 drafts fit their platforms." in result.output
    # The card: the same on every platform, from the article's own metadata.
    cards = [d["card"] for d in site.preview_json()]
    assert cards[0] == cards[1] == {
        "url": "https://blog.example/posts/fine/", "title": "Fine",
        "description": "A paragraph of plain prose that is long enough to be an excerpt.",
        "image": "https://blog.example/images/a.png", "image_alt": "A red door",
        "image_file": "content/images/a.png"}


@pytest.mark.parametrize(("articles", "settings", "words"), [
    ({"a.md": article("No alt", image="images/a.png")}, {},
     "content/a.md: the card image has no alt text; add an 'Image_Alt: …' line"),
    ({"a.md": article("Missing", image="images/nowhere.png", image_alt="Gone")}, {},
     "content/a.md: the card image images/nowhere.png is not in the content folder"),
    ({"a.md": article("Big", image="images/big.png", image_alt="Noise")},
     {"max_image_bytes": 1_000_000}, "content/a.md: the card image is 1,"),
    ({"a.md": article("Long", summary="word " * 200)}, {"platforms": {"bluesky": {
        "limit": 20}}}, "a.md → bluesky: "),
])
def test_each_problem_fails_the_check_with_one_line(
        make_site: Callable[..., Site], articles: dict[str, str], settings: dict[str, Any],
        words: str) -> None:
    site = site_with(make_site, articles, **settings)
    result = site.run("check")
    assert result.exit_code == 1
    assert words in result.output
    lines = [line for line in result.output.splitlines() if words in line]
    assert len(lines) == 1, "said once, not once per platform"


@pytest.mark.parametrize(("policy", "code", "said"), [
    ("warn", 0, "Warning: content/a.md: the card image has no alt text"),
    ("off", 0, None),
    ("error", 1, "Error: content/a.md: the card image has no alt text"),
])
def test_the_alt_text_policy(make_site: Callable[..., Site], policy: str, code: int,
                             said: str | None) -> None:
    site = site_with(make_site, {"a.md": article("No alt", image="images/a.png")},
                     alt_text=policy)
    result = site.run("check")
    assert result.exit_code == code
    if said:
        assert said in result.output
    else:
        assert "alt text" not in result.output


def test_a_build_error_fails_the_check(make_site: Callable[..., Site]) -> None:
    site = site_with(make_site, {"a.md": article("Fine"), "bad.md": "Title: Broken\nDate: no\n"},
                     built=False)
    result = site.run("check")
    assert result.exit_code == 1
    assert "bad.md" in result.output
