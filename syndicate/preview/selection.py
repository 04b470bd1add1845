"""Which drafts a preview shows, in the manifest's order, and each one's state."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syndicate.compose.manifest import (
    DoneArticle,
    Manifest,
    done_articles,
    draft_lines,
    follow_moves,
    load_manifest,
    read_manifest_json,
)
from syndicate.draft import Draft
from syndicate.ledger import Ledger
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.settings import Settings, on_edit_of
from syndicate.states import draft_order, draft_state, draft_state_of, edited_since_posted

if TYPE_CHECKING:
    from syndicate.approval import Approvals


# Fewer articles than this are drafted in this process alone: a second one would cost
# more than it saves.
SHARED_FROM = 200


def drafts_on_demand(done: list[DoneArticle], settings: Settings) -> list[Draft]:
    """The drafts of articles the build kept only the sources of (done everywhere), made
    now as the build makes them; where this machine can (compose.background), half of
    them in a second process."""
    from syndicate.collector import collection_paused
    from syndicate.compose.background import ForkedWork
    from syndicate.compose.drafting import drafts_for
    from syndicate.compose.templates import DraftTemplates

    templates = DraftTemplates(settings.templates_path)

    def drafted(articles: list[DoneArticle]) -> list[Draft]:
        with collection_paused():
            return [draft for article in articles
                    for draft in drafts_for(article.article(), settings, templates)]

    half = len(done) // 2
    other = ForkedWork.start(lambda: [draft.to_json() for draft in drafted(done[:half])]) \
        if settings.parallel_drafting and len(done) >= SHARED_FROM else None
    if other is None:
        return drafted(done)
    rest = drafted(done[half:])
    made = other.result()  # as the manifest carries drafts: their JSON
    first = [Draft.from_json(data) for data in made] if made is not None \
        else drafted(done[:half])
    return first + rest


def pending_or_changed(drafts: list[Draft], ledger: Ledger) -> list[Draft]:
    """The drafts of articles with a draft not done yet, or posted and changed since."""
    shown = {d.article for d in drafts
             if not ledger.is_done(d.article, d.platform) or edited_since_posted(ledger, d)}
    return [d for d in drafts if d.article in shown]


def shown_state(ledger: Ledger, draft: Draft, settings: Settings,
                edited: Callable[[str], str]) -> str:
    """The draft's state for a person: a posted draft whose text changed since is
    edited(its platform's on_edit), which says what `post` will do about it."""
    if not edited_since_posted(ledger, draft):
        return draft_state(ledger, draft)
    return edited(on_edit_of(settings, draft.platform))


def unknown_article(article_keys: Iterable[str], known: set[str]) -> str | None:
    """Why an article key the last build made no drafts for is wrong, with the keys it
    may have meant (None when every key is known)."""
    import difflib

    for key in article_keys:
        if key in known:
            continue
        close = [k for k in sorted(known) if k.endswith(f"/{key}")]
        close += [k for k in difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.8)
                  if k not in close]
        hint = f"did you mean {', '.join(close[:3])}? " if close else ""
        return (f"the last build made no drafts for {key!r}; {hint}`syndicate status` "
                "lists every article key")
    return None


@dataclass(frozen=True)
class PreviewQuery:
    """What `syndicate preview` is asked to show."""

    article_keys: tuple[str, ...] = ()  # only these articles (also done ones)
    platforms: tuple[str, ...] = ()  # only these platforms
    only_new: bool = False  # only what `post` would send
    show_all: bool = False  # also the articles done everywhere and unchanged since

    @property
    def every(self) -> bool:
        """Every drafted article, not only the pending and changed ones."""
        return self.show_all or bool(self.article_keys)


class Selection:
    """The drafts one preview shows, read from the last build's manifest and the ledger
    (articles that moved followed, in memory)."""

    def __init__(self, settings: Settings, query: PreviewQuery) -> None:
        from syndicate.approval import Approvals

        self.settings = settings
        self.query = query
        self.ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
        follow_moves(self.ledger, settings)
        self.approvals: Approvals | None = (
            Approvals.load(settings.approvals_path, settings.root)
            if settings.require_approval else None)
        # Articles done everywhere are drafted only when asked for: --all, or by name.
        done = done_articles(settings.manifest_path) if query.every else []
        if not query.show_all:
            done = [article for article in done if article.key in query.article_keys]
        self.done = done

    def unknown_article(self) -> str | None:
        """Why an article asked for is not one the last build made (None: all are)."""
        if not self.query.article_keys:
            return None
        known = {article for article, _, _ in draft_lines(self.settings.manifest_path)[1]}
        return unknown_article(self.query.article_keys,
                               known | {article.key for article in self.done})

    def wanted(self, article: str, platform: str) -> bool:
        query = self.query
        return ((not query.article_keys or article in query.article_keys)
                and (not query.platforms or platform in query.platforms)
                and (not query.only_new or not self.ledger.is_done(article, platform)))

    def state_of(self, draft: Draft, edited: Callable[[str], str]) -> str:
        """The draft's state for a person (see shown_state); with approval required, a
        draft still to post says whether it is approved."""
        state = shown_state(self.ledger, draft, self.settings, edited)
        if self.approvals is None or self.ledger.is_done(draft.article, draft.platform):
            return state
        approved = self.approvals.is_approved(draft)
        return f"{state}, {'approved' if approved else 'not approved'}"

    def json_parts(self) -> tuple[list[str], Manifest]:
        """For programs: a JSON array of each draft's JSON straight from the manifest,
        with its state added, in pieces to be written one after the other (see
        preview.html.html_page); and the manifest's header (site and build errors)."""
        header, lines = draft_lines(self.settings.manifest_path)
        states: dict[str, str] = {}  # each state's JSON, made once: there are few

        def state_json(article: str, platform: str) -> str:
            state = draft_state_of(self.ledger, article, platform)
            return states.get(state) or states.setdefault(state, json.dumps(state))

        parts = ["["]
        for article, platform, line in json_lines(lines, self.done, self.query.every,
                                                  self.ledger, self.settings):
            if self.wanted(article, platform):
                parts += [", " if len(parts) > 1 else "",
                          f'{line[:-1]}, "state": {state_json(article, platform)}}}']
        parts.append("]")
        return parts, Manifest(siteurl=header["siteurl"], errors=header["errors"])

    def json_items(self) -> tuple[list[dict[str, Any]], Manifest]:
        """For a person: each draft's JSON with its state; and the manifest's header."""
        data = read_manifest_json(self.settings.manifest_path)
        found = data["drafts"]
        if not self.query.every:
            shown = {d.article for d in pending_or_changed(
                [Draft.from_json(item) for item in found], self.ledger)}
            found = [item for item in found if item["article"] in shown]
        if self.done:
            found = sorted([*found, *(d.to_json() for d in
                                      drafts_on_demand(self.done, self.settings))],
                           key=lambda d: (d["date"], d["article"], d["platform"]))
        items = [{**item, "state": self.ledger.state(item["article"], item["platform"])
                  or "new"}
                 for item in found if self.wanted(item["article"], item["platform"])]
        return items, Manifest(siteurl=data["siteurl"], errors=data["errors"])

    def drafts(self) -> tuple[list[Draft], int, Manifest]:
        """The drafts to show; how many drafted articles are left out as done everywhere
        and unchanged (or kept only as sources); and the manifest."""
        manifest = load_manifest(self.settings.manifest_path)
        drafts = (manifest.drafts if self.query.every
                  else pending_or_changed(manifest.drafts, self.ledger))
        hidden = len({d.article for d in manifest.drafts} - {d.article for d in drafts}) \
            + len(manifest.done)
        if self.done:
            drafts = sorted([*drafts, *drafts_on_demand(self.done, self.settings)],
                            key=draft_order)
        return [d for d in drafts if self.wanted(d.article, d.platform)], hidden, manifest


def json_lines(lines: list[tuple[str, str, str]], done: list[DoneArticle], every: bool,
               ledger: Ledger, settings: Settings) -> list[tuple[str, str, str]]:
    """(article, platform, JSON text) of the drafts to show, in the manifest's order: the
    pending and changed ones (every: all the manifest's), and those of the done articles."""
    from syndicate.compose.manifest import encode_draft

    if not every:
        shown = set()
        for article, platform, line in lines:
            if article in shown:
                continue
            if not ledger.is_done(article, platform):
                shown.add(article)
            elif ledger.posted_hash(article, platform) is not None and edited_since_posted(
                    ledger, Draft.from_json(json.loads(line))):
                shown.add(article)  # only posted drafts are decoded: few, in a CI build
        lines = [item for item in lines if item[0] in shown]
    if not done:
        return lines
    made = [(draft_order(d), (d.article, d.platform, encode_draft(d.to_json())))
            for d in drafts_on_demand(done, settings)]
    return [item for _, item in sorted(
        [*((line_order(line, article, platform), (article, platform, line))
           for article, platform, line in lines), *made], key=lambda pair: pair[0])]


def line_order(line: str, article: str, platform: str) -> tuple[str, str, str]:
    """A draft line's place in the manifest's order (its date read off the line)."""
    found = DATE_IN_LINE.search(line)
    return (found.group(1) if found else ""), article, platform


DATE_IN_LINE = re.compile(r'"date": "([^"]*)"')
