"""Bad input: one line naming the file, the problem and the fix; a non-zero exit;
nothing posted; the ledger untouched."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from click.testing import Result
from conftest import Site, article
from fakes.mastodon import FakeMastodon

from syndicate.ledger import Ledger, ledger_lock

GOOD = {"good.md": article("A good walk", date="2026-01-01")}
MASTODON = {"platforms": {"outbox": {}, "mastodon": {"url": "https://social.example"}}}


@pytest.fixture
def posted_site(make_site: Callable[..., Site]) -> Site:
    """A site whose first article already went out, so the ledger has content to lose."""
    site = make_site(GOOD, syndicate=MASTODON)
    assert site.build().exit_code == 0
    assert site.run("post", "--platform", "outbox").exit_code == 0
    assert len(site.outbox_posts()) == 1
    return site


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error: ")]


def assert_one_line_error(result: Result, where: str, *words: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert where in line, line
    for word in words:
        assert word in line, line
    assert "Traceback" not in result.output


def assert_nothing_lost(site: Site, ledger_before: bytes) -> None:
    """Nothing more was posted and the ledger is byte for byte what it was."""
    result = site.run("post", "--platform", "outbox")
    assert result.exit_code != 0
    assert len(site.outbox_posts()) == 1
    assert site.ledger.read_bytes() == ledger_before


CONTENT_ERRORS = {
    "unparseable date": ("content/bad.md",
                         "Title: Bad date\nDate: the day after tomorrow\n\nText.\n",
                         "content/bad.md:2", ["unparseable date", "YYYY-MM-DD"]),
    "missing title": ("content/untitled.md", "Date: 2026-02-01\n\nNo title here.\n",
                      "content/untitled.md", ["missing title", "'Title: …'"]),
    "unknown syndication value": ("content/typo.md", article("Typo", syndicate="mastodn"),
                                  "content/typo.md", ["unknown value 'mastodn'",
                                                      "use yes, no, platform names"]),
    "template syntax error": ("syndicate_templates/outbox.txt.j2", "{{ title }}\n\n{{ url }\n",
                              "syndicate_templates/outbox.txt.j2:3",
                              ["template syntax error", "fix the template"]),
    "undefined template variable": ("syndicate_templates/outbox.txt.j2",
                                    "{{ title }}\n{{ titel }}\n{{ url }}\n",
                                    "syndicate_templates/outbox.txt.j2:2",
                                    ["'titel' is undefined",
                                     "use only these variables: title, summary, url"]),
    "broken template in metadata": ("content/meta.md", article("Meta", social="Read {{ url"),
                                    "content/meta.md", ["template syntax error"]),
}


@pytest.mark.parametrize("case", CONTENT_ERRORS.values(), ids=CONTENT_ERRORS.keys())
def test_content_and_template_errors(posted_site: Site,
                                     case: tuple[str, str, str, list[str]]) -> None:
    path, text, where, words = case
    ledger = posted_site.ledger.read_bytes()
    posted_site.write(path, text)
    assert_one_line_error(posted_site.build(), where, *words)
    assert_nothing_lost(posted_site, ledger)


@pytest.mark.parametrize(("syndicate", "words"), [
    ({"platforms": {"mastodn": {}}}, ["unknown platform 'mastodn'", "did you mean 'mastodon'"]),
    ({"platforms": {"outbox": {}}, "max_per_rum": 3},
     ["unknown SYNDICATE setting 'max_per_rum'", "did you mean 'max_per_run'"]),
    ({"platforms": {"mastodon": {"urll": "https://x.example"}}},
     ["unknown mastodon setting 'urll'", "did you mean 'url'"]),
    ({"platforms": {"mastodon": {"token": "abc"}}},
     ["is a secret", "SYNDICATE_MASTODON_TOKEN"]),
    ({"platforms": {"outbox": {"limit": "lots"}}}, ["limit must be a positive whole number"]),
    ({"platforms": {"outbox": {}}, "check_live": "yes"},
     ["check_live is 'yes'", 'use "page" (or True), "feed", or False']),
    ({"platforms": {"outbox": {}}, "parallel_drafting": "no"},
     ["parallel_drafting is 'no'", "set parallel_drafting to True or False"]),
    # A platform's own options are typed (its Options).
    ({"platforms": {"mastodon": {"url_length": "long"}}},
     ["url_length must be a whole number, got 'long'", "e.g. 23"]),
    ({"platforms": {"mastodon": {"image": "maybe"}}},
     ["image must be true or false, got 'maybe'"]),
    ({"platforms": {"mastodon": {"visibility": ["public"]}}},
     ["visibility must be text, got ['public']"]),
])
def test_bad_settings(posted_site: Site, syndicate: dict, words: list[str]) -> None:
    ledger = posted_site.ledger.read_bytes()
    text = posted_site.conf.read_text()
    posted_site.conf.write_text(text.replace(f"SYNDICATE = {MASTODON!r}",
                                             f"SYNDICATE = {syndicate!r}"))
    for command in ("build", "preview", "post"):
        result = posted_site.run(command)
        assert_one_line_error(result, "pelicanconf.py", *words, code=2)
        assert "abc" not in result.output
    assert len(posted_site.outbox_posts()) == 1
    assert posted_site.ledger.read_bytes() == ledger


def test_unknown_setting_from_the_environment(posted_site: Site) -> None:
    result = posted_site.run("preview", env={"SYNDICATE_MASTODON_TOKN": "x"})
    assert_one_line_error(result, "environment", "SYNDICATE_MASTODON_TOKN is not a mastodon "
                          "setting", "did you mean 'token'", code=2)


def test_a_wrong_option_type_from_the_environment_names_the_environment(
        posted_site: Site) -> None:
    result = posted_site.run("preview", env={"SYNDICATE_MASTODON_URL_LENGTH": "lots"})
    assert_one_line_error(result, "environment", "url_length must be a whole number, got "
                          "'lots'", "SYNDICATE_MASTODON_URL_LENGTH", code=2)


def test_a_false_flag_from_the_environment_is_false() -> None:
    """An environment variable is text: "false", "0", "no" and "off" are False (bool()
    would call them all True)."""
    from syndicate.settings import settings_from_pelican

    for text, expected in [("false", False), ("0", False), ("no", False), ("off", False),
                           ("", False), ("true", True), ("1", True), ("Yes", True)]:
        settings = settings_from_pelican(
            {"PATH": "content", "SYNDICATE": {"platforms": {"mastodon": {}, "bluesky": {}}}},
            "pelicanconf.py", environ={"SYNDICATE_MASTODON_IMAGE": text,
                                       "SYNDICATE_BLUESKY_IMAGE": text})
        assert settings.platforms["mastodon"].options.image is expected, text
        assert settings.platforms["bluesky"].options.image is expected, text


def test_unknown_platform_on_the_command_line(posted_site: Site) -> None:
    result = posted_site.run("post", "--platform", "myspace")
    assert result.exit_code == 2
    assert "'myspace' is not one of" in result.output


def test_missing_secret_for_a_remote_platform_named_on_the_command_line(
        posted_site: Site) -> None:
    # Without --platform, mastodon is skipped and the rest posted (tests/test_readiness.py);
    # asked for by name, it is refused and nothing is posted.
    ledger = posted_site.ledger.read_bytes()
    result = posted_site.run("post", "--platform", "mastodon", "--platform", "outbox",
                             env={"SYNDICATE_MASTODON_TOKEN": ""})
    assert_one_line_error(result, "environment", "SYNDICATE_MASTODON_TOKEN is not set",
                          "export SYNDICATE_MASTODON_TOKEN", code=2)
    assert len(posted_site.outbox_posts()) == 1
    assert posted_site.ledger.read_bytes() == ledger


@pytest.mark.parametrize(("damage", "words"), [
    (lambda text: text[: len(text) // 2], ["syndication.json:", "not valid JSON"]),
    (lambda text: text.replace('"state": "posted"', '"state": "postd"', 1),
     ["not a valid ledger", "state must be"]),
    (lambda text: text.replace('"version": 1', '"version": 7'), ["not a valid ledger"]),
    (lambda text: "[]", ["not a valid ledger"]),
    # A careless merge keeps both sides: the second copy would silently win, and the next
    # save would drop the other.
    (lambda text: re.sub(r'(?m)^( +"outbox": .*)$', r"\1,\n\1", text),
     ["syndication.json:6:", "'outbox' appears twice"]),
    (lambda text: text.replace('"url": "https://blog', '"live_since": 5,\n      "url": '
                               '"https://blog', 1),
     ["syndication.json:", "live_since must be an ISO 8601 time"]),
    (lambda text: text.replace('"url": "https://blog', '"webmentions": ["x"],\n      "url": '
                               '"https://blog', 1),
     ["webmentions must be an object"]),
    (lambda text: text.replace('"url": "https://blog', '"webmentions": {"https://a.example/": '
                               '{"outcome": "sent", "at": 1}},\n      "url": "https://blog', 1),
     ["webmentions['https://a.example/'].at must be an ISO 8601 time"]),
    (lambda text: re.sub(r'"updated_at": "[^"]*"', '"updated_at": 12', text, count=1),
     ["syndication.json:5:", "updated_at must be an ISO 8601 time"]),
    (lambda text: text.replace('"state": "posted", "url"', '"state": "sent", "url"', 1),
     ["parts[0].state must be one of pending, posted, failed"]),
    (lambda text: text.replace('"hash": "', '"hash": ["', 1).replace('", "inputs"',
                                                                      '"], "inputs"', 1),
     ["hash must be a string"]),
])
def test_corrupt_or_hand_edited_ledger_is_refused_never_overwritten(
        posted_site: Site, damage: Callable[[str], str], words: list[str]) -> None:
    posted_site.write("content/new.md", article("A new walk", date="2026-03-01"))
    broken = damage(posted_site.ledger.read_text(encoding="utf-8"))
    posted_site.ledger.write_text(broken, encoding="utf-8")
    build = posted_site.build()
    assert_one_line_error(build, "syndication.json", *words, "git checkout --")
    for command in ("post", "init", "status", "preview"):
        result = posted_site.run(command, "--platform", "outbox") if command in (
            "post", "init") else posted_site.run(command)
        assert result.exit_code != 0, command
        assert "syndication.json" in result.stderr
    assert posted_site.ledger.read_text(encoding="utf-8") == broken
    assert len(posted_site.outbox_posts()) == 1


def test_a_second_post_at_the_same_time_is_refused(posted_site: Site) -> None:
    posted_site.write("content/new.md", article("A new walk", date="2026-03-01"))
    posted_site.build()
    ledger = posted_site.ledger.read_bytes()
    with ledger_lock(posted_site.ledger):
        result = posted_site.run("post", "--platform", "outbox")
    assert_one_line_error(result, "syndication.json", "another syndicate run is using",
                          "wait for it to finish")
    assert len(posted_site.outbox_posts()) == 1
    assert posted_site.ledger.read_bytes() == ledger
    assert posted_site.run("post", "--platform", "outbox").exit_code == 0
    assert len(posted_site.outbox_posts()) == 2


def test_a_missing_manifest_says_to_build_first(make_site: Callable[..., Site]) -> None:
    site = make_site(GOOD)
    assert_one_line_error(site.run("preview"), "manifest.json", "not been built",
                          "build it first", code=2)


def test_a_broken_settings_file(make_site: Callable[..., Site]) -> None:
    site = make_site(GOOD)
    site.conf.write_text(site.conf.read_text() + "\nSITENAME = (\n")
    assert_one_line_error(site.run("preview"), "pelicanconf.py", "syntax error", code=2)


def test_build_prints_each_content_error_once(
        posted_site: Site) -> None:
    posted_site.write("content/bad.md", "Title: Bad date\nDate: someday\n\nText.\n")
    result = posted_site.build()
    assert result.exit_code == 1
    assert result.output.count("content/bad.md") == 1
    assert "Could not process" not in result.output


def test_a_secret_pasted_with_a_newline_still_works(live_site: Callable[..., Site],
                                                    mastodon: FakeMastodon) -> None:
    """`echo token > file` and a copy from a web page add whitespace: it is not the secret."""
    site = live_site(GOOD, {"mastodon": {"url": mastodon.url}})
    result = site.run("post", env={"SYNDICATE_MASTODON_TOKEN": "  good-token\n"})
    assert result.exit_code == 0, result.output
    assert len(mastodon.statuses) == 1
    assert Ledger.load(site.ledger).state("good.md", "mastodon") == "posted"


def test_a_secret_with_a_line_break_inside_is_refused_before_any_request(
        live_site: Callable[..., Site], mastodon: FakeMastodon) -> None:
    site = live_site(GOOD, {"mastodon": {"url": mastodon.url}})
    result = site.run("post", env={"SYNDICATE_MASTODON_TOKEN": "good-token\nX-Injected: 1"})
    assert_one_line_error(result, "environment", "SYNDICATE_MASTODON_TOKEN",
                          "line break", code=2)
    assert "good-token" not in result.output
    assert not mastodon.requests and not site.ledger.exists()


def test_a_manifest_that_is_not_utf8_past_its_first_line(make_site: Callable[..., Site]
                                                           ) -> None:
    """The JSON preview reads the manifest line by line: a bad byte in a later line is
    still one line naming the file, for every format."""
    site = make_site(GOOD)
    assert site.build().exit_code == 0
    manifest = site.root / ".syndicate" / "manifest.json"
    lines = manifest.read_bytes().split(b"\n")
    lines[2] = lines[2][:20] + b"\xff" + lines[2][20:]
    manifest.write_bytes(b"\n".join(lines))
    for output_format in ("json", "table"):
        assert_one_line_error(site.run("preview", "--format", output_format),
                              "manifest.json", "not valid JSON", "rebuild", code=2)


def test_a_manifest_with_windows_line_ends_previews_as_it_was(
        make_site: Callable[..., Site]) -> None:
    site = make_site(GOOD)
    assert site.build().exit_code == 0
    manifest = site.root / ".syndicate" / "manifest.json"
    before = site.run("preview", "--format", "json").stdout
    manifest.write_bytes(manifest.read_bytes().replace(b"\n", b"\r\n"))
    assert site.run("preview", "--format", "json").stdout == before
    assert json.loads(before)
