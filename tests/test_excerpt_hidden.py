"""What a reader of the page does not see never goes public: comments, scripts, styles,
templates and hidden elements stay out of every excerpt (built for real with Pelican, and
as a property over generated HTML)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Site, article
from hypothesis import given
from hypothesis import strategies as st

from syndicate.text.excerpt import first_prose, plain_text

SECRET = "EMBARGOED revenue figures are 42 million until Friday, do not publish"
VISIBLE = "The canal path runs for eleven miles between the two locks."

HIDING = {
    "comment": f"<!--\n<p>{SECRET}</p>\n-->",
    "comment with markup": f"<!-- editor: <div><p>{SECRET}</p></div> -->",
    "script": f"<script>/* <p>{SECRET}</p> */</script>",
    "style": f"<style>p::before {{ content: '<p>{SECRET}</p>' }}</style>",
    "template": f"<template><p>{SECRET}</p></template>",
    "noscript": f"<noscript><p>{SECRET}</p></noscript>",
    "hidden attribute": f"<div hidden><p>{SECRET}</p></div>",
    "hidden paragraph": f"<p hidden>{SECRET}</p>",
    "display none": f'<div style="color: red; display : none"><p>{SECRET}</p></div>',
    "visibility hidden": f'<p style="visibility:hidden">{SECRET}</p>',
    "aria hidden": f'<section aria-hidden="true"><p>{SECRET}</p></section>',
    "nested hidden divs": f"<div hidden><div><p>x</p></div><p>{SECRET}</p></div>",
}


@pytest.mark.parametrize("name", list(HIDING))
def test_hidden_text_is_never_the_excerpt(name: str) -> None:
    html = f"{HIDING[name]}\n<p>{VISIBLE}</p>"
    assert first_prose(html) == VISIBLE
    assert SECRET not in plain_text(html)


@pytest.mark.parametrize("name", ["comment", "hidden attribute", "script", "template"])
def test_a_built_article_never_quotes_hidden_text(make_site: Callable[..., Site],
                                                  name: str) -> None:
    site = make_site({"note.md": article("A note", body=f"{HIDING[name]}\n\n{VISIBLE}\n")})
    assert site.build().exit_code == 0
    (draft,) = site.preview_json()
    text = draft["parts"][0]["text"]
    assert VISIBLE in text and "EMBARGOED" not in text
    assert "EMBARGOED" not in (draft["card"] or {}).get("description", "")


def test_a_hidden_summary_is_not_posted(make_site: Callable[..., Site]) -> None:
    site = make_site({"note.md": article("A note", summary=f"{VISIBLE} <!-- {SECRET} -->")})
    assert site.build().exit_code == 0
    (draft,) = site.preview_json()
    assert "EMBARGOED" not in draft["parts"][0]["text"]


WORDS = st.sampled_from(["walk", "canal", "lock", "bridge", "&amp;", "<em>slow</em>",
                         "<code>x</code>", "<br>", "—"])
PROSE = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)
HIDDEN = st.sampled_from(list(HIDING.values()))
BLOCK = st.one_of(PROSE.map(lambda t: f"<p>{t}</p>"), PROSE.map(lambda t: f"<li>{t}</li>"),
                  PROSE.map(lambda t: f"<div>{t}</div>"), HIDDEN)


@given(st.lists(BLOCK, max_size=10).map("\n".join))
def test_no_hidden_text_in_any_excerpt(html: str) -> None:
    assert "EMBARGOED" not in first_prose(html)
    assert "EMBARGOED" not in plain_text(html)
    # Hiding changes nothing else: the excerpt is the one the page without it gives.
    visible = html
    for hidden in HIDING.values():
        visible = visible.replace(hidden, "")
    assert first_prose(html) == first_prose(visible)
