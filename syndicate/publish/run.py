"""The post run: every pending draft posted once, and where it went recorded in the ledger.

`run` takes the settings, the last build's manifest and the options `syndicate post`
takes; it says its progress through `report` and returns a `PostReport`. Planning and
the cadence are pure (`syndicate.publish.planning`); the ledger is written here, under its lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from syndicate.compose.manifest import Manifest, follow_moves
from syndicate.errors import Halt, SettingsError
from syndicate.ledger import Ledger, ledger_lock
from syndicate.notes import Note, Report
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.platforms.base import Platform
from syndicate.publish.common import chosen_platforms, open_posters, refuse_build_errors
from syndicate.settings import Settings

if TYPE_CHECKING:
    from syndicate.draft import Draft
    from syndicate.http import Http
    from syndicate.publish.planning import Outcome, Plan


@dataclass(frozen=True)
class PostOptions:
    """What `syndicate post` is asked to do."""

    platforms: tuple[str, ...] = ()  # named ones only (refused when not ready); () all
    dry_run: bool = False
    max_articles: int | None = None  # per run, to remote platforms; None: max_per_run
    wait_seconds: float = 0.0  # for new articles to be live on the site


@dataclass
class PostReport:
    """What a post run did, and what it left for later and why."""

    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state != "posted"]

    @property
    def exit_code(self) -> int:
        """1 when a draft failed, does not fit, or waits for its page to be live."""
        return 1 if self.failed or self.plan.not_fitting or self.plan.not_live else 0

    def closing_notes(self) -> list[Note]:
        """The run's last lines: what waits and why, then the summary."""
        from syndicate.publish.planning import summary_line

        plan = self.plan
        notes = [Note(f"Later: {draft.article} to {draft.platform}: {why}; it stays "
                      "pending.") for draft, why in plan.paced]
        notes += [Note(f"Waiting for approval: {draft.article} to {draft.platform} (it "
                       "changed since it was approved, or never was): run `syndicate "
                       "approve`") for draft in plan.waiting]
        notes += [Note(f"Not posted {draft.article} to {draft.platform}: does not fit "
                       f"({'; '.join(draft.problems)})", err=True)
                  for draft in plan.not_fitting]
        if plan.held_back:
            waiting = len({d.article for d in plan.held_back})
            notes.append(Note(
                f"{waiting} more article{'s' * (waiting > 1)} pending for remote platforms, "
                f"held back by the limit of {plan.max_articles} per run: run again, or "
                "raise it with --max N."))
        notes += [Note(f"Not live yet: {url} ({why}); its posts stay pending: run again "
                       "after the deploy, or wait with --wait SECONDS.", err=True)
                  for url, why in plan.not_live.items()]
        notes.append(Note(summary_line(plan, self.outcomes, self.dry_run)))
        return notes


def run(settings: Settings, manifest: Manifest, options: PostOptions, report: Report,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> PostReport:
    """Post every pending draft once (or, dry, say what would be posted).

    A platform that is not ready is skipped, one line saying why; named in the options,
    it is refused (a SettingsError) and nothing is posted. Halts (exit 1) when the last
    build had errors or no platform is ready. clock is read once, for the cadence.
    """
    from syndicate.approval import Approvals
    from syndicate.publish.planning import (
        apply_cadence,
        changed_since_posted,
        check_can_post,
        pending_for,
        plan_run,
        post_all,
        refresh_inputs,
        update_posted,
    )

    refuse_build_errors(manifest)
    chosen = chosen_platforms(settings, options.platforms)
    check_can_post(chosen.values(), manifest.siteurl)
    platforms = ready_platforms(chosen, settings, bool(options.platforms), options.dry_run,
                                report)
    unready = set(chosen) - set(platforms)
    cap = options.max_articles or settings.max_per_run
    approvals = (Approvals.load(settings.approvals_path, settings.root)
                 if settings.require_approval else None)
    if options.dry_run:
        ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
        follow_moves(ledger, settings, manifest)
        plan = plan_run(manifest, ledger, platforms, settings, cap, approvals)
        plan.unready = pending_for(manifest, ledger, unready)
        for draft in plan.to_post:
            lengths = ", ".join(f"{p.length}/{draft.limit}" for p in draft.parts)
            report(Note(f"Would post {draft.article} to {draft.platform} "
                        f"({len(draft.parts)} part{'s' * (len(draft.parts) > 1)}, {lengths})"))
        return PostReport(plan, [], dry_run=True)
    with ledger_lock(settings.ledger_path):
        ledger = Ledger.load(settings.ledger_path, PLATFORM_CLASSES)
        moves = follow_moves(ledger, settings, manifest)
        for old_key, new_key in moves:
            report(Note(f"Moved {old_key} → {new_key} in {settings.ledger_path.name} "
                        "(same page: nothing is posted again)."))
        if moves:
            ledger.save()
        if refresh_inputs(manifest, ledger):
            ledger.save()  # the next build knows these articles unchanged, undrafted
        plan = plan_run(manifest, ledger, platforms, settings, cap, approvals)
        plan.unready = pending_for(manifest, ledger, unready)
        changed = changed_since_posted(manifest, ledger, platforms)
        with open_posters({d.platform: platforms[d.platform]
                           for d in [*plan.to_post, *changed]},
                          settings.root) as (posters, http):
            for draft in changed:  # posted before, changed since: the on_edit policy
                outcome = update_posted(draft, platforms[draft.platform],
                                        posters[draft.platform], ledger)
                where = outcome.posted[0].url if outcome.posted else outcome.error
                verb = {"edited": "Edited", "posted": "Reposted"}.get(outcome.state,
                                                                     "Not updated")
                report(Note(f"{verb} {draft.article} on {draft.platform}: {where}"))
            if settings.check_live:
                plan = hold_until_live(plan, platforms, http, options.wait_seconds,
                                       settings, report)
            plan = apply_cadence(plan, ledger, platforms, settings, clock())
            for key, (url, at) in plan.seen_live.items():
                ledger.record_live(key, url, at)
            if plan.to_post:
                names = sorted({d.platform for d in plan.to_post})
                report(Note(f"Posting {len(plan.to_post)} draft"
                            f"{'s' * (len(plan.to_post) != 1)} to {', '.join(names)}…"))
            outcomes = post_all(plan, platforms, posters, ledger,
                                progress(len(plan.to_post), report))
    if settings.webmentions:  # after the lock is released: see send_webmentions
        from syndicate.publish.webmention_run import send_webmentions

        send_webmentions({o.draft.article: o.draft.url for o in outcomes
                          if o.state == "posted"}, settings, report)
    return PostReport(plan, outcomes)


def ready_platforms(chosen: dict[str, Platform], settings: Settings, named: bool,
                    dry_run: bool, report: Report) -> dict[str, Platform]:
    """The chosen platforms that are ready to post; the others said, one line each.

    Named, a platform that is not ready is refused (a SettingsError, exit 2); with none
    ready at all, nothing can be posted (Halt, exit 1).
    """
    from syndicate.publish.readiness import readiness

    found = readiness(chosen)
    if named:
        for platform in found:
            if not platform.ready:
                raise platform.refusal(settings.where)
    for platform in found:
        if not platform.ready:
            report(Note(f"{'Would skip' if dry_run else 'Skipped'} {platform.platform}: "
                        f"{platform.why()}"))
    ready = {p.platform: chosen[p.platform] for p in found if p.ready}
    if chosen and not ready:
        raise Halt("Nothing posted: no enabled platform is ready to post (see above); set "
                   "what each lacks, or run `syndicate doctor`.")
    return ready


def hold_until_live(plan: Plan, platforms: dict[str, Platform], http: Http,
                    wait: float, settings: Settings, report: Report) -> Plan:
    """The plan with the remote drafts of articles whose page the site does not serve
    yet held back (after waiting up to wait seconds for them)."""
    from urllib.parse import urlsplit

    from syndicate.publish.liveness import not_live

    urls = {d.url for d in plan.to_post if platforms[d.platform].remote}
    if not urls:
        return plan
    if wait:
        report(Note(f"Waiting up to {wait:g} s for {len(urls)} article page(s) to be live…"))
    feeds = settings.feed_urls if settings.check_live == "feed" else ()
    if settings.check_live == "feed" and not feeds:
        raise SettingsError(settings.where, 'check_live is "feed" but the site has no feed',
                            "set FEED_ALL_ATOM (or FEED_ATOM/RSS), or check_live to \"page\"")
    own_hosts = {urlsplit(url).hostname for url in (settings.siteurl, settings.feed_url or "",
                                                    *settings.feed_urls)} - {None}
    missing = not_live(urls, http, wait, feeds=feeds,
                       own_hosts={str(host) for host in own_hosts},
                       allow=settings.allow_private_addresses)

    def held(draft: Draft) -> bool:
        return platforms[draft.platform].remote and draft.url in missing

    return replace(plan, not_live=missing,
                   not_live_drafts=[d for d in plan.to_post if held(d)],
                   to_post=[d for d in plan.to_post if not held(d)])


def progress(total: int, report: Report) -> Callable[[Outcome], None]:
    """Says each draft's outcome as it happens, numbered: progress on a long run."""
    done = 0
    width = len(str(total))

    def said(outcome: Outcome) -> None:
        nonlocal done
        done += 1
        counter = f"[{done:>{width}}/{total}]"
        draft = outcome.draft
        if outcome.state == "posted":
            where = outcome.posted[0].url if outcome.posted else ""
            report(Note(f"{draft.article} to {draft.platform}: {where}", state="posted",
                        counter=counter))
            for warning in (w for part in outcome.posted for w in part.warnings):
                report(Note(warning, err=True, level="warning"))
        else:
            report(Note(f"{draft.article} to {draft.platform}: {outcome.error}", err=True,
                        state=outcome.state, counter=counter))

    return said
