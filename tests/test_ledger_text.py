"""The ledger's on-disk layout: one line per article and platform, and still plain JSON."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.ledger import ledger_text

SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
ENTRIES = st.dictionaries(st.text(max_size=10), VALUES, max_size=4)
ARTICLES = st.dictionaries(
    st.text(max_size=20),
    st.fixed_dictionaries({"platforms": st.dictionaries(st.text(max_size=8), ENTRIES,
                                                        max_size=3)},
                          optional={"url": st.text(max_size=20)}),
    max_size=5)


@settings(max_examples=300, deadline=None)
@given(articles=ARTICLES, extra=st.dictionaries(st.sampled_from(["version", "note"]), VALUES))
def test_the_ledger_text_is_the_same_json(articles: dict[str, Any], extra: dict[str, Any]
                                          ) -> None:
    data = {"articles": articles, **extra}
    text = ledger_text(data)
    assert json.loads(text) == data
    # One line per platform entry: a post changes one line of the file.
    entries = sum(len(article["platforms"]) for article in articles.values())
    lines = [line for line in text.splitlines() if line.startswith(" " * 8 + '"')]
    assert len(lines) == entries
