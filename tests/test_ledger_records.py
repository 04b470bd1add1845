"""The ledger read typed: any ledger the Ledger API writes reads back as the same records
(EntryRecord, PartRecord), and loading and saving it changes no byte; the validation
messages of syndicate.ledger_format, and the line each points at."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.draft import PostedPart
from syndicate.errors import LedgerError
from syndicate.ledger import Ledger
from syndicate.ledger_format import (
    PART_STATES,
    STATES,
    EntryRecord,
    PartRecord,
    ledger_text,
    line_of,
    validation_problem,
)

TEXT = st.text(max_size=8)
# Few keys and platforms, so that calls meet the same entries; keys JSON must escape.
KEYS = st.sampled_from(["posts/a.md", 'ü/"q"\\\u2028\x00.md'])
PLATFORMS = st.sampled_from(["outbox", "x"])
INDEX = st.integers(min_value=0, max_value=2)
POSTED = st.builds(PostedPart, id=TEXT, url=TEXT)

# One call of the Ledger API each: (method name, arguments). Calls whose precondition
# does not hold (the runs never make them) are left out when applied.
OPERATIONS = st.one_of(
    # A whole draft posted, part by part, as a run posts it.
    st.tuples(st.just("post"), st.tuples(KEYS, TEXT, PLATFORMS, TEXT, TEXT,
                                         st.lists(POSTED, min_size=1, max_size=3))),
    st.tuples(st.just("record_pending"), st.tuples(KEYS, TEXT, PLATFORMS, INDEX, TEXT, TEXT)),
    st.tuples(st.just("record_part_posted"), st.tuples(KEYS, PLATFORMS, INDEX, POSTED,
                                                       st.booleans())),
    st.tuples(st.just("record_failed"), st.tuples(
        KEYS, TEXT, PLATFORMS, TEXT, st.sampled_from(["failed", "attention"]),
        st.none() | INDEX)),
    st.tuples(st.just("record_skipped"), st.tuples(KEYS, TEXT, PLATFORMS, TEXT)),
    st.tuples(st.just("record_posted"), st.tuples(KEYS, PLATFORMS)),
    st.tuples(st.just("record_edited"), st.tuples(KEYS, PLATFORMS, TEXT,
                                                  st.lists(POSTED, max_size=3), TEXT)),
    st.tuples(st.just("record_retracted"), st.tuples(KEYS, PLATFORMS, TEXT)),
    st.tuples(st.just("record_inputs"), st.tuples(KEYS, PLATFORMS, TEXT)),
    st.tuples(st.just("forget"), st.tuples(KEYS, PLATFORMS)),
    st.tuples(st.just("record_live"), st.tuples(KEYS, TEXT, st.just("2026-01-02T03:04:05Z"))),
    st.tuples(st.just("record_webmention"), st.tuples(
        KEYS, TEXT, TEXT, st.sampled_from(["sent", "none", "failed"]), TEXT)),
)


def post(ledger: Ledger, key: str, url: str, platform: str, text_hash: str, inputs: str,
         parts: list[PostedPart]) -> None:
    for index, posted in enumerate(parts):
        ledger.record_pending(key, url, platform, index, text_hash, inputs)
        ledger.record_part_posted(key, platform, index, posted, last=index == len(parts) - 1)


def applies(ledger: Ledger, name: str, args: tuple[Any, ...]) -> bool:
    """Whether the call is one a run could make on the ledger as it is."""
    if name in ("post", "record_pending", "record_failed", "record_skipped", "record_live",
                "record_webmention"):
        return True
    entry = ledger.entry(args[0], args[1])
    if entry is None:
        return False
    parts = entry["parts"]
    if name == "record_part_posted":
        return args[2] < len(parts)
    if name == "record_posted":
        return all(part["state"] == "posted" for part in parts)
    if name == "record_edited":
        return entry["state"] == "posted" and len(args[3]) <= len(parts)
    return True


def written(operations: list[tuple[str, tuple[Any, ...]]], path: Path) -> Ledger:
    ledger = Ledger(path)
    for name, args in operations:
        if applies(ledger, name, args):
            if name == "post":
                post(ledger, *args)
            else:
                getattr(ledger, name)(*args)
    ledger.save()
    return ledger


@settings(max_examples=200, deadline=None)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=30))
def test_a_ledger_the_api_writes_reads_back_as_the_same_records(
        operations: list[tuple[str, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "syndication.json"
        ledger = written(operations, path)
        text = path.read_bytes()
        assert validation_problem(json.loads(text), None) is None
        loaded = Ledger.load(path)
        assert loaded.data == ledger.data
        entries = [(key, platform) for key, article in ledger.articles.items()
                   for platform in article["platforms"]]
        # Every entry, in the file's order (sorted as it is written).
        assert [(key, platform) for key, platform, _ in loaded.records()] == sorted(entries)
        for key, platform, record in loaded.records():
            # The record holds every value the entry has, typed.
            assert record == ledger.record(key, platform)
            assert record.to_json() == loaded.entry(key, platform)
            assert EntryRecord.from_json(record.to_json()) == record
            assert record.state in STATES
            assert loaded.state(key, platform) == record.state
            assert record.url == (record.parts[0].url if record.parts else None)
            for index, part in enumerate(record.parts):
                assert part.state in PART_STATES
                assert loaded.part_state(key, platform, index) == part.state
                assert loaded.posted_part(key, platform, index) == part.posted()
            assert loaded.posted_part(key, platform, len(record.parts)) is None
            assert loaded.article_url(key) == ledger.articles[key]["url"]
        # Loading and saving changes no byte of the file.
        loaded.save()
        assert path.read_bytes() == text
        assert ledger_text(json.loads(text)).encode("utf-8") == text


def test_a_record_is_the_entry_typed(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "syndication.json")
    ledger.record_pending("a.md", "https://blog.example/a/", "x", 0, "h1", "in1")
    ledger.record_part_posted("a.md", "x", 0, PostedPart("1", "https://x.example/1"))
    ledger.record_pending("a.md", "https://blog.example/a/", "x", 1, "h1", "in1")
    record = ledger.record("a.md", "x")
    assert record is not None
    assert record.state == "pending"
    assert record.text_hash == "h1" and record.inputs == "in1"
    assert [part.state for part in record.parts] == ["posted", "pending"]
    assert record.parts[0].id == "1" and record.parts[0].posted_at is not None
    assert record.parts[1].since is not None and record.parts[1].posted() is None
    assert record.url == "https://x.example/1"
    assert record.posted_parts() == [PostedPart("1", "https://x.example/1")]
    assert record.error is None and record.reason is None and record.edited_at is None
    assert ledger.record("a.md", "bluesky") is None
    assert ledger.record("b.md", "x") is None
    assert ledger.article_url("b.md") is None
    ledger.record_failed("a.md", "https://blog.example/a/", "x", "refused", refused_part=1)
    failed = ledger.record("a.md", "x")
    assert failed is not None
    assert (failed.state, failed.error, failed.parts[1].state) == ("failed", "refused",
                                                                   "failed")
    with pytest.raises(AttributeError):
        failed.state = "posted"  # type: ignore[misc]


def test_a_build_ledger_has_records_with_what_a_build_reads(tmp_path: Path) -> None:
    path = tmp_path / "syndication.json"
    ledger = Ledger(path)
    ledger.record_pending("a.md", "https://blog.example/a/", "x", 0, "h1", "in1")
    ledger.record_part_posted("a.md", "x", 0, PostedPart("1", "https://x.example/1"),
                              last=True)
    build = Ledger.load_for_build(path)
    record = build.record("a.md", "x")
    assert record == EntryRecord(state="posted", inputs="in1",
                                 parts=(PartRecord(state="posted", url="https://x.example/1"),))


# Validation: (the parsed file, the message, the article it is in, the field).
ENTRY = {"state": "posted", "hash": "h", "parts": [{"state": "posted", "id": "1",
                                                    "url": "https://x.example/1"}]}


def ledger_with(article: dict[str, Any] | None = None, **entry: Any) -> dict[str, Any]:
    article = {"url": "https://blog.example/a/",
               "platforms": {"x": {**ENTRY, **entry}}} if article is None else article
    return {"version": 1, "articles": {"a.md": article}}


AT = "articles['a.md'].platforms.x"
PROBLEMS = [
    ([], 'expected an object with "version": 1', None, None),
    ({"version": 2, "articles": {}}, 'expected an object with "version": 1', None, None),
    ({"version": 1, "articles": []}, '"articles" must be an object', None, None),
    (ledger_with({"url": "u"}), "articles['a.md'] must be an object with \"platforms\"",
     "a.md", None),
    (ledger_with({"platforms": {}}), "articles['a.md'].url must be a string", "a.md", "url"),
    (ledger_with({"url": "u", "platforms": {}, "live_since": "soon"}),
     "articles['a.md'].live_since must be an ISO 8601 time, got 'soon'", "a.md",
     "live_since"),
    (ledger_with({"url": "u", "platforms": {}, "moved_from": 3}),
     "articles['a.md'].moved_from must be a string, got 3", "a.md", "moved_from"),
    (ledger_with({"url": "u", "platforms": {}, "webmentions": []}),
     "articles['a.md'].webmentions must be an object of target URLs", "a.md", "webmentions"),
    (ledger_with({"url": "u", "platforms": {}, "webmentions": {"t": {"outcome": "maybe"}}}),
     "articles['a.md'].webmentions['t'].outcome must be one of sent, none, failed", "a.md",
     "t"),
    (ledger_with({"url": "u", "platforms": {},
                  "webmentions": {"t": {"outcome": "sent", "detail": 1}}}),
     "articles['a.md'].webmentions['t'].detail must be a string, got 1", "a.md", "t"),
    (ledger_with(state="sent"),
     f"{AT}.state must be one of pending, posted, failed, skipped, attention, retracted",
     "a.md", "x"),
    (ledger_with(updated_at=12), f"{AT}.updated_at must be an ISO 8601 time, got 12",
     "a.md", "x"),
    (ledger_with(edited_at="2026-13-01"),
     f"{AT}.edited_at must be an ISO 8601 time, got '2026-13-01'", "a.md", "x"),
    (ledger_with(hash=["h"]), f"{AT}.hash must be a string, got ['h']", "a.md", "x"),
    (ledger_with(inputs=None), f"{AT}.inputs must be a string, got None", "a.md", "x"),
    (ledger_with(parts={}), f"{AT}.parts must be a list", "a.md", "x"),
    (ledger_with(parts=[{"state": "sent"}]),
     f"{AT}.parts[0].state must be one of pending, posted, failed", "a.md", "x"),
    (ledger_with(parts=[{"state": "posted", "id": "1"}]),
     f"{AT}.parts[0] is posted but has no id and url", "a.md", "x"),
    (ledger_with(state="pending", parts=[{"state": "pending", "since": "now"}]),
     f"{AT}.parts[0].since must be an ISO 8601 time, got 'now'", "a.md", "x"),
    (ledger_with(parts=[{"state": "pending"}]), f"{AT} is posted but has parts that are not",
     "a.md", "x"),
]


@pytest.mark.parametrize(("data", "message", "article", "field"), PROBLEMS)
def test_each_validation_problem_is_named_with_where_it_is(
        data: Any, message: str, article: str | None, field: str | None) -> None:
    assert validation_problem(data, None) == (message, article, field)


def test_a_valid_ledger_has_no_problem_and_an_unknown_platform_is_one() -> None:
    assert validation_problem(ledger_with(), None) is None
    assert validation_problem(ledger_with(), frozenset({"x"})) is None
    assert validation_problem(ledger_with(), frozenset({"mastodon"})) == (
        f"{AT}: unknown platform 'x'", "a.md", "x")


@pytest.mark.parametrize(("data", "message", "article", "field"),
                         [p for p in PROBLEMS if p[2] is not None
                          and json.loads(ledger_text(p[0])) == p[0]])
def test_the_error_points_at_the_line_of_the_problem(
        tmp_path: Path, data: Any, message: str, article: str, field: str | None) -> None:
    path = tmp_path / "syndication.json"
    text = ledger_text(data)
    path.write_text(text, encoding="utf-8")
    line = line_of(text, article, field=field)
    assert line is not None
    with pytest.raises(LedgerError) as raised:
        Ledger.load(path)
    assert raised.value.where == f"{path}:{line}"
    assert raised.value.problem == f"not a valid ledger: {message}"
    assert "git checkout --" in raised.value.fix
    # The line named holds the field that is wrong; the article's, when the field is
    # missing or the article itself is wrong.
    shown = field if field and json.dumps(field) + ":" in text else article
    assert json.dumps(shown) + ":" in text.splitlines()[line - 1]


@pytest.mark.parametrize(("text", "key", "field", "occurrence", "line"), [
    ('{\n  "a": {\n    "b": 1\n  }\n}', "a", None, 1, 2),
    ('{\n  "a": {\n    "b": 1\n  }\n}', "a", "b", 1, 3),
    ('{\n  "a": {\n    "c": 1\n  }\n}', "a", "b", 1, 2),
    ('{\n  "a": 1,\n  "a": 2\n}', "a", None, 2, 3),
    ('{\n  "ü": 1\n}', "ü", None, 1, 2),
    ('{\n  "\\u00fc": 1\n}', "ü", None, 1, 2),
    ('{\n  "a": 1\n}', "z", None, 1, None),
])
def test_line_of_finds_a_member(text: str, key: str, field: str | None, occurrence: int,
                                line: int | None) -> None:
    assert line_of(text, key, field=field, occurrence=occurrence) == line


@settings(max_examples=2000, deadline=None)
@given(url=st.one_of(
    st.text(max_size=40),
    st.builds(lambda scheme, host, rest: f"{scheme}://{host}{rest}",
              st.sampled_from(["http", "https", "HTTPS", "javascript", "data", "file"]),
              st.text(st.sampled_from("ab.-9:@[]_é"), max_size=12),
              st.text(st.sampled_from("/?#x\"'<> \t\n\x00\\`é%"), max_size=12))))
def test_the_fast_web_address_check_never_accepts_what_the_full_check_refuses(
        url: str) -> None:
    """The build recognises most ledger addresses with one pattern instead of urlsplit: a
    hostile platform answer that pattern takes must be one urlsplit's check takes too."""
    from urllib.parse import urlsplit

    from syndicate.ledger_format import _PLAIN_WEB_ADDRESS, _UNSAFE_IN_ATTRIBUTE

    if _PLAIN_WEB_ADDRESS.fullmatch(url):
        parts = urlsplit(url.strip())
        assert parts.scheme.lower() in ("http", "https") and parts.hostname
        assert _UNSAFE_IN_ATTRIBUTE.search(url) is None
