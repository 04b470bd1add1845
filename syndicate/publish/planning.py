"""Posting drafts exactly once: pending before each call, posted after, in the ledger."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import cast

from syndicate.approval import Approvals
from syndicate.compose.manifest import Manifest
from syndicate.draft import Draft, PostedPart
from syndicate.errors import PostingError
from syndicate.http import AmbiguousFailure, Unavailable
from syndicate.ledger import Ledger
from syndicate.platforms.base import (
    Deleter,
    Editor,
    OutgoingPart,
    Platform,
    Poster,
    supports_delete,
    supports_edit,
)
from syndicate.settings import Settings, siteurl_problem


@dataclass
class Outcome:
    """What happened to one draft in this run."""

    draft: Draft
    state: str  # posted, failed, attention, would-post
    posted: list[PostedPart] = field(default_factory=list)
    error: str = ""
    # The platform was down or rate limited past the retry budget: the rest of its drafts
    # wait for the next run instead of each waiting out the same outage.
    unavailable: bool = False


@dataclass
class Plan:
    """The drafts this run will post, and those it leaves for later or refuses."""

    to_post: list[Draft]
    held_back: list[Draft]
    not_fitting: list[Draft]
    # Article URLs the deployed site does not serve yet, with why, and their drafts.
    not_live: dict[str, str] = field(default_factory=dict)
    not_live_drafts: list[Draft] = field(default_factory=list)
    # Drafts that wait for a person to approve them (with approval required).
    waiting: list[Draft] = field(default_factory=list)
    # Drafts held by the cadence: the delay after going live, or a per-hour/quota cap;
    # with why ("live 12 minutes ago; posts from 10:42 UTC").
    paced: list[tuple[Draft, str]] = field(default_factory=list)
    # Pending drafts for enabled platforms that are not ready to post (skipped).
    unready: list[Draft] = field(default_factory=list)
    # The per-run cap on articles to remote platforms that held_back reached.
    max_articles: int = 0
    # Articles the cadence saw live for the first time: key -> (URL, ISO time). Planning
    # writes nothing; the run records these in the ledger.
    seen_live: dict[str, tuple[str, str]] = field(default_factory=dict)


def plan_run(manifest: Manifest, ledger: Ledger, platforms: Iterable[str],
             settings: Settings, max_articles: int, approvals: Approvals | None = None
             ) -> Plan:
    """Pending drafts, oldest article first; remote platforms capped at max_articles;
    with approvals, only the drafts approved exactly as they are."""
    pending = pending_for(manifest, ledger, platforms)
    pending.sort(key=lambda d: (d.date, d.article, d.platform))
    waiting = []
    if approvals is not None:
        waiting = [d for d in pending if d.fits and not approvals.is_approved(d)]
        pending = [d for d in pending if not d.fits or approvals.is_approved(d)]
    not_fitting = [d for d in pending if not d.fits]
    to_post: list[Draft] = []
    held_back: list[Draft] = []
    remote_articles: list[str] = []
    for draft in pending:
        if not draft.fits:
            continue
        # The cap protects followers from a flood; the outbox has none.
        if settings.platforms[draft.platform].remote and draft.article not in remote_articles:
            if len(remote_articles) >= max_articles:
                held_back.append(draft)
                continue
            remote_articles.append(draft.article)
        to_post.append(draft)
    return Plan(to_post=to_post, held_back=held_back, not_fitting=not_fitting,
                waiting=waiting, max_articles=max_articles)


def pending_for(manifest: Manifest, ledger: Ledger, platforms: Iterable[str]) -> list[Draft]:
    """The drafts for these platforms that the ledger does not hold as done."""
    chosen = set(platforms)
    return [d for d in manifest.drafts
            if d.platform in chosen and not ledger.is_done(d.article, d.platform)]


def apply_cadence(plan: Plan, ledger: Ledger, platforms: dict[str, Platform],
                  settings: Settings, now: datetime) -> Plan:
    """The plan with what the cadence says must wait held back: articles live for less
    than the delay, and, per platform, what would go over `per_hour` or the platform's
    own quota. Pure: the ledger is only read, and `now` is the clock; an article seen
    live for the first time is in the new plan's `seen_live`, for the run to record."""
    seen_live = dict(plan.seen_live)
    paced = list(plan.paced)
    kept: list[Draft] = []
    for draft in plan.to_post:
        platform = platforms[draft.platform]
        if not platform.remote:
            kept.append(draft)
            continue
        seen = ledger.live_since(draft.article)
        if seen is None:
            first = seen_live.setdefault(
                draft.article, (draft.url, now.isoformat(timespec="seconds")))
            seen = first[1]
        ready = datetime.fromisoformat(seen) + timedelta(minutes=settings.delay_minutes)
        if ready > now:
            paced.append((draft, f"live since {seen[11:16]} UTC; posts from "
                          f"{ready:%H:%M} UTC (delay_minutes {settings.delay_minutes})"))
            continue
        kept.append(draft)
    counts: dict[str, int] = {}
    to_post: list[Draft] = []
    for draft in kept:  # oldest first: what goes over a cap is the newest
        platform = platforms[draft.platform]
        caps = [(int(platform.option("per_hour")), 3600, "per_hour")] \
            if platform.option("per_hour") else []
        if platform.quota:
            caps.append((*platform.quota, f"{platform.label}'s quota"))
        over = None
        for most, seconds, name in caps:
            since = (now - timedelta(seconds=seconds)).isoformat(timespec="seconds")
            key = f"{draft.platform}:{seconds}"
            counts.setdefault(key, ledger.posted_since(draft.platform, since))
            if counts[key] + len(draft.parts) > most:
                over = f"{most} posts per {_duration(seconds)} ({name}) reached"
        if over:
            paced.append((draft, over))
            continue
        for _, seconds, _ in caps:
            counts[f"{draft.platform}:{seconds}"] += len(draft.parts)
        to_post.append(draft)
    return replace(plan, to_post=to_post, paced=paced, seen_live=seen_live)


def _duration(seconds: int) -> str:
    return f"{seconds // 3600} hours" if seconds >= 7200 else \
        "hour" if seconds == 3600 else f"{seconds // 60} minutes"


def check_can_post(platforms: Iterable[Platform], siteurl: str) -> None:
    """Refuse, before anything is sent, what would go wrong for every post."""
    problem = siteurl_problem(platforms, siteurl)
    if problem is not None:
        raise problem


def summary_line(plan: Plan, outcomes: list[Outcome], dry_run: bool) -> str:
    """The run's last line: what was posted, what failed, and why the rest waits;
    "nothing new to post" only when nothing is pending at all."""
    failed = sum(o.state != "posted" for o in outcomes)
    count = len(plan.to_post) if dry_run else len(outcomes) - failed
    head = f"{'Would post' if dry_run else 'Posted'} {count} draft{'s' * (count != 1)}"
    if failed:
        head += f"; {failed} failed"
    cap = plan.max_articles
    held = [_held(len(plan.not_live_drafts), "waits for its page to be live",
                  "wait for their pages to be live"),
            _held(len(plan.waiting), "waits for approval", "wait for approval"),
            _held(len(plan.paced), "is held by the cadence", "are held by the cadence"),
            _held(len(plan.held_back), f"is held back by the limit of {cap} per run",
                  f"are held back by the limit of {cap} per run"),
            _held(len(plan.not_fitting), "does not fit", "do not fit"),
            _held(len(plan.unready), "is for a platform that is not ready (skipped above)",
                  "are for platforms that are not ready (skipped above)")]
    said = [line for line in held if line]
    if said:
        return f"{head}{'; ' if failed else ': '}{', '.join(said)}."
    return f"{head}." if count or failed else f"{head}: nothing new to post."


def _held(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}" if count else ""


def post_draft(draft: Draft, platform: Platform, poster: Poster, ledger: Ledger) -> Outcome:
    """Post every part of draft in order, recording each step in the ledger.

    A part is sent only when nothing says it may be out there already: a part an earlier
    run left "pending" is looked up first (find_posted), and sent again only on a platform
    where that is safe (retry_is_safe); a part whose answer is lost in this run is looked
    up, never resent, and the draft needs attention when it is not found.
    """
    reply_to: PostedPart | None = None
    posted: list[PostedPart] = []
    for index, part in enumerate(draft.parts):
        state = ledger.part_state(draft.article, draft.platform, index)
        outgoing = OutgoingPart(
            article_key=draft.article, article_url=draft.url, platform=draft.platform,
            index=index, count=len(draft.parts), text=part.text,
            text_hash=draft.text_hash, lang=draft.lang, reply_to=reply_to,
            root=posted[0] if posted else None, facets=tuple(part.facets),
            extras=draft.extras, card=draft.card if index == 0 else None,
            pending_since=_pending_since(ledger, draft, index) if state == "pending"
            else None)
        already = ledger.posted_part(draft.article, draft.platform, index)
        if state == "posted" and already:
            reply_to = already
            posted.append(already)
            continue
        if state == "pending":
            # A run died during this call (or its answer was lost): the post may exist.
            try:
                found = poster.find_posted(outgoing)
            except PostingError as error:
                message = (f"an earlier run may have posted part {index + 1} and looking "
                           f"for it failed ({error.problem}); run `syndicate post` again "
                           "later")
                ledger.record_failed(draft.article, draft.url, draft.platform, message,
                                     state="attention")
                return Outcome(draft, "attention", posted, f"{draft.platform}: {message}")
            if found:
                ledger.record_part_posted(draft.article, draft.platform, index, found,
                                          last=index == len(draft.parts) - 1)
                reply_to = found
                posted.append(found)
                continue
            if not platform.retry_is_safe:
                message = (f"an earlier run may have posted part {index + 1}; check "
                           f"{platform.label}, then run `syndicate status`")
                ledger.record_failed(draft.article, draft.url, draft.platform, message,
                                     state="attention")
                return Outcome(draft, "attention", posted, message)
        ledger.record_pending(draft.article, draft.url, draft.platform, index,
                              draft.text_hash, draft.inputs)
        try:
            result = poster.post(outgoing)
        except AmbiguousFailure as error:
            # It may have gone out: never resend blindly. Look for it where the platform
            # allows; otherwise a person looks, then decides.
            found = _look_for(poster, outgoing)
            if found is None:
                ledger.record_failed(draft.article, draft.url, draft.platform, error.line(),
                                     state="attention")
                return Outcome(draft, "attention", posted, error.line())
            result = found
        except Unavailable as error:
            # Down or rate limited past the retry budget: the next run tries again. A part
            # that may have been acted on stays pending, to be looked up first.
            ledger.record_failed(draft.article, draft.url, draft.platform, error.line(),
                                 refused_part=None if error.maybe_sent else index)
            return Outcome(draft, "failed", posted, error.line(), unavailable=True)
        except PostingError as error:
            # Refused (or never reached): the part is not out there, it may go again.
            ledger.record_failed(draft.article, draft.url, draft.platform, error.line(),
                                 refused_part=index)
            return Outcome(draft, "failed", posted, error.line())
        except OSError as error:
            message = f"{platform.label}: {type(error).__name__}: {error.strerror or error}"
            ledger.record_failed(draft.article, draft.url, draft.platform, message,
                                 refused_part=index)
            return Outcome(draft, "failed", posted, message)
        ledger.record_part_posted(draft.article, draft.platform, index, result,
                                  last=index == len(draft.parts) - 1)
        reply_to = result
        posted.append(result)
    if ledger.state(draft.article, draft.platform) != "posted":
        ledger.record_posted(draft.article, draft.platform)
    return Outcome(draft, "posted", posted)


def _pending_since(ledger: Ledger, draft: Draft, index: int) -> str | None:
    """When an earlier run recorded the part pending (read from its ledger entry)."""
    record = ledger.record(draft.article, draft.platform)
    parts = record.parts if record else ()
    return (parts[index].since or None) if index < len(parts) else None


def changed_since_posted(manifest: Manifest, ledger: Ledger,
                         platforms: dict[str, Platform]) -> list[Draft]:
    """Posted drafts whose text changed since, on platforms whose on_edit asks to act."""
    return [d for d in manifest.drafts if d.platform in platforms
            and platforms[d.platform].option("on_edit") in ("edit", "repost")
            and ledger.posted_hash(d.article, d.platform) not in (None, d.text_hash)]


def refresh_inputs(manifest: Manifest, ledger: Ledger) -> int:
    """Record what each posted draft is made from now, where its text is still what was
    posted (a ledger from before inputs were kept, or an edit that changed no post's
    text): the next build knows the article unchanged without drafting it. Not saved;
    how many entries changed."""
    changed = 0
    for draft in manifest.drafts:
        if (draft.inputs and ledger.posted_hash(draft.article, draft.platform)
                == draft.text_hash
                and ledger.posted_inputs(draft.article, draft.platform) != draft.inputs):
            ledger.record_inputs(draft.article, draft.platform, draft.inputs)
            changed += 1
    return changed


def update_posted(draft: Draft, platform: Platform, poster: Poster, ledger: Ledger
                  ) -> Outcome:
    """Apply the platform's on_edit to a changed draft: edit in place, or delete and post
    again."""
    policy = str(platform.option("on_edit"))
    record = ledger.record(draft.article, draft.platform)
    posted = record.posted_parts() if record else []
    if policy == "edit":
        can_edit = supports_edit(poster)
        if not can_edit or len(posted) != len(draft.parts):
            why = (f"{platform.label} posts cannot be edited" if not can_edit else
                   f"it has {len(draft.parts)} parts now, {len(posted)} then")
            return Outcome(draft, "failed", [], f"{draft.platform}: not edited: {why}; set "
                           "on_edit to \"repost\" or \"ignore\"")
        editor = cast(Editor, poster)
        try:
            edited = [editor.edit(_outgoing(draft, index, posted[index - 1] if index else None,
                                            posted[0] if index else None), posted[index])
                      for index in range(len(draft.parts))]
        except PostingError as error:
            return Outcome(draft, "failed", [], error.line())
        ledger.record_edited(draft.article, draft.platform, draft.text_hash, edited,
                             draft.inputs)
        return Outcome(draft, "edited", edited)
    if not supports_delete(poster):
        return Outcome(draft, "failed", [], f"{draft.platform}: not reposted: "
                       f"{platform.label} posts cannot be deleted; set on_edit to \"ignore\"")
    try:
        for part in reversed(posted):  # replies first, then what they answer
            cast(Deleter, poster).delete(part)
    except PostingError as error:
        return Outcome(draft, "failed", [], error.line())
    ledger.forget(draft.article, draft.platform)
    return post_draft(draft, platform, poster, ledger)


def _outgoing(draft: Draft, index: int, reply_to: PostedPart | None,
              root: PostedPart | None) -> OutgoingPart:
    part = draft.parts[index]
    return OutgoingPart(
        article_key=draft.article, article_url=draft.url, platform=draft.platform,
        index=index, count=len(draft.parts), text=part.text, text_hash=draft.text_hash,
        lang=draft.lang, reply_to=reply_to, root=root, facets=tuple(part.facets),
        extras=draft.extras, card=draft.card if index == 0 else None)


def _look_for(poster: Poster, part: OutgoingPart) -> PostedPart | None:
    try:
        return poster.find_posted(part)
    except PostingError:
        return None


def post_all(plan: Plan, platforms: dict[str, Platform], posters: dict[str, Poster],
             ledger: Ledger, report: Callable[[Outcome], None]) -> list[Outcome]:
    """Post the plan: platforms side by side, each platform's drafts in order."""
    chains: dict[str, list[Draft]] = {}
    for draft in plan.to_post:
        chains.setdefault(draft.platform, []).append(draft)
    reporting = threading.Lock()

    def post_chain(drafts: list[Draft]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        down: Outcome | None = None
        for draft in drafts:
            if down is not None:  # not sent: nothing changes in the ledger
                outcome = Outcome(draft, "failed", error=f"{draft.platform}: not sent in "
                                  "this run, the platform is unavailable (see above); it "
                                  "stays pending", unavailable=True)
            else:
                outcome = post_draft(draft, platforms[draft.platform],
                                     posters[draft.platform], ledger)
                if outcome.unavailable:
                    down = outcome
            with reporting:
                report(outcome)
            outcomes.append(outcome)
        return outcomes

    if len(chains) <= 1:
        return [o for drafts in chains.values() for o in post_chain(drafts)]
    with ThreadPoolExecutor(max_workers=len(chains), thread_name_prefix="post") as pool:
        results = list(pool.map(post_chain, chains.values()))
    return [outcome for outcomes in results for outcome in outcomes]
