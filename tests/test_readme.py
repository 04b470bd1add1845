"""The README's examples, run, so they never drift from what the code does."""

from __future__ import annotations

import re
from collections.abc import Callable
from ipaddress import ip_address

from click.testing import CliRunner
from conftest import PROJECT, Site

from syndicate.cli import cli
from syndicate.safe_fetch import allowed
from syndicate.settings import settings_from_pelican

README = (PROJECT / "README.md").read_text(encoding="utf-8")


def block_after(heading: str, language: str = "") -> str:
    start = README.index(heading)
    match = re.compile(rf"```{language}[^\n]*\n(.*?)```", re.S).search(README, start)
    assert match, heading
    return match.group(1)


def test_quick_start_is_two_commands_that_ci_runs() -> None:
    commands = [line for line in block_after("## Quick start").splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    makefile = (PROJECT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (PROJECT / ".ci/run").read_text()


def test_help_block_is_the_real_help() -> None:
    block = block_after("## Commands")
    shown = block.split("$ syndicate --help\n", 1)[1]
    real = CliRunner().invoke(cli, ["--help"], prog_name="syndicate")
    assert real.output == shown


def test_settings_example_is_valid() -> None:
    namespace: dict[str, object] = {}
    exec(block_after("## Configuring platforms", "python"), namespace)
    settings = settings_from_pelican({"PATH": "content", "SYNDICATE": namespace["SYNDICATE"]},
                                     "README", environ={})
    assert set(settings.platforms) == {"outbox", "mastodon", "bluesky", "x"}


def test_writing_a_post_example_does_what_the_readme_says(
        make_site: Callable[..., Site]) -> None:
    example = block_after("## Writing a post", "markdown")
    site = make_site({"reading-list.md": example}, syndicate={"platforms": {
        "outbox": {}, "mastodon": {}, "bluesky": {}, "x": {}}})
    assert site.build().exit_code == 0
    drafts = {d["platform"]: d for d in site.preview_json()}
    assert set(drafts) == {"outbox", "mastodon", "bluesky"}, "Syndicate: -x leaves X out"
    mastodon = drafts["mastodon"]["parts"][0]["text"]
    assert mastodon.startswith("Sunday coffee, feed reader open")
    assert drafts["mastodon"]["url"] in mastodon, "the link is added to the author's text"
    outbox = drafts["outbox"]["parts"][0]["text"]
    assert "The personal sites I read with my Sunday coffee." in outbox
    assert "#SmallWeb #OpenSource #reading" in outbox


PREVIEWS = [
    ["--article", "posts/getting-lost-on-purpose.md"],
    ["--article", "posts/kyoto-morning-walk.md", "--platform", "mastodon", "--platform",
     "bluesky", "--platform", "x"],
]


def test_the_sample_previews_in_the_readme_are_what_preview_prints(sample_site: Site) -> None:
    section = README[README.index("## What the sample blog posts look like"):]
    for args in PREVIEWS:
        command = "$ syndicate preview " + " ".join(args)
        assert command in section, command
        shown = section[section.index(command) + len(command) + 1:]
        shown = shown[:shown.index("```")]
        real = sample_site.run("preview", *args).output
        assert shown == real


def test_the_security_example_is_valid() -> None:
    namespace: dict[str, object] = {}
    exec(block_after("## Security", "python"), namespace)
    settings = settings_from_pelican({"PATH": "content", "SYNDICATE": namespace["SYNDICATE"]},
                                     "README", environ={})
    assert settings.webmentions
    allow = settings.allow_private_addresses
    assert allowed(ip_address("10.1.2.3"), allow) and allowed(ip_address("127.0.0.1"), allow)
    assert not allowed(ip_address("10.2.0.1"), allow)
    assert not allowed(ip_address("169.254.169.254"), allow)
