"""Terminal widths: tables stay aligned and clips stay within their columns whatever the script."""

from __future__ import annotations

import pytest

from syndicate.preview.display import clip, display_width, table

# Text and the columns a terminal gives it, written out by hand.
WIDTHS = [
    ("ascii", 5),
    ("日本語", 6),  # wide
    ("ｈｉ", 4),  # fullwidth
    ("ｶﾞ", 2),  # halfwidth katakana and its voiced mark: two cells
    ("한국어", 6),
    ("cafe\u0301", 4),  # a combining mark takes no column
    ("a\u0308\u0308", 1),
    ("🦋", 2),
    ("👨‍👩‍👧‍👧", 2),  # ZWJ sequence
    ("🏳️‍🌈", 2),
    ("🧑🏽‍🚀", 2),  # skin tone inside a ZWJ sequence
    ("👍🏽", 2),  # skin tone
    ("🇯🇵", 2),  # flag
    ("🇯🇵🇫🇷", 4),
    ("❤️", 2),  # VS16 makes it an emoji
    ("❤", 1),
    ("#️⃣", 2),  # keycap
    ("\u200b", 0),
    ("\x1b[1mbold\x1b[0m", 4),  # escape sequences take no column
]


@pytest.mark.parametrize(("text", "columns"), WIDTHS,
                         ids=[text.encode("unicode_escape").decode() for text, _ in WIDTHS])
def test_display_width(text: str, columns: int) -> None:
    assert display_width(text) == columns


def test_the_next_column_lines_up_after_any_script() -> None:
    plain = [(text, columns) for text, columns in WIDTHS if "\x1b" not in text]
    out = table(["name", "x"], [[text, "|"] for text, _ in plain], columns=80)
    widest = max(columns for _, columns in plain)
    for line, (text, columns) in zip(out.splitlines()[1:], plain, strict=True):
        assert line.startswith(text)
        # The padding is what the hand-written widths say: "|" in one column for every row.
        assert line[len(text):] == " " * (widest - columns) + "  |"


@pytest.mark.parametrize(("text", "width", "clipped"), [
    ("日本語テキスト", 7, "日本語…"),
    ("日本語テキスト", 6, "日本…"),  # a wide character never half shown
    ("🇯🇵🇫🇷🇩🇪", 5, "🇯🇵🇫🇷…"),  # flags are not split
    ("👨‍👩‍👧‍👧👨‍👩‍👧‍👧👨‍👩‍👧‍👧", 5, "👨‍👩‍👧‍👧👨‍👩‍👧‍👧…"),
    ("e\u0301" * 10, 5, "e\u0301" * 4 + "…"),  # marks stay with their letter
    ("short", 10, "short"),
    ("🦋🦋", 4, "🦋🦋"),
])
def test_clip_stays_within_its_columns(text: str, width: int, clipped: str) -> None:
    assert clip(text, width) == clipped
    assert display_width(clip(text, width)) <= width


def test_the_ellipsis_shown_is_the_one_fitting_cuts_with() -> None:
    from syndicate.preview import display
    from syndicate.text import fitting

    assert display.ELLIPSIS == fitting.ELLIPSIS
