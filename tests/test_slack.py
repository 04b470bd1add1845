"""Posting to a Slack incoming webhook, against a faithful fake on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Site, article
from fakes.slack import FakeSlack

from syndicate.ledger import Ledger


@pytest.fixture
def slack_site(live_site: Callable[..., Site]) -> Site:
    return live_site({"a.md": article("Fish & chips > pasta", date="2026-01-01"),
                      "b.md": article("Another walk", date="2026-01-02")}, {"slack": {}})


def test_messages_are_escaped_as_slack_requires_and_recorded(
        slack_site: Site, slack: FakeSlack) -> None:
    slack.faults.extend(["429", "ok"])
    result = slack_site.run("post", env={"SYNDICATE_SLACK_WEBHOOK_URL": slack.webhook_url})
    assert result.exit_code == 0, result.output
    assert len(slack.messages) == 2
    assert any(m.startswith("Fish &amp; chips &gt; pasta") for m in slack.messages)
    ledger = Ledger.load(slack_site.ledger)
    assert ledger.state("a.md", "slack") == "posted"
    assert "nothing new to post" in slack_site.run(
        "post", env={"SYNDICATE_SLACK_WEBHOOK_URL": slack.webhook_url}).output
    assert len(slack.messages) == 2


def test_a_refused_webhook_is_one_line_without_the_secret(
        slack_site: Site, slack: FakeSlack) -> None:
    wrong = slack.webhook_url.replace("slacksecret", "wrongsecret")
    result = slack_site.run("post", env={"SYNDICATE_SLACK_WEBHOOK_URL": wrong})
    assert result.exit_code == 1
    assert "the webhook was refused (invalid_token)" in result.output
    assert "wrongsecret" not in result.output
