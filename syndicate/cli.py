"""The `syndicate` command: a thin click layer over the library."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from syndicate import __version__
from syndicate.display import edited_state, preview_blocks, state_badge, style, table
from syndicate.draft import Draft
from syndicate.errors import SettingsError, SyndicateError
from syndicate.files import write_atomically
from syndicate.ledger import Ledger, ledger_lock
from syndicate.manifest import (
    DoneArticle,
    Manifest,
    done_articles,
    draft_lines,
    load_manifest,
    read_manifest_json,
)
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.platforms.base import Platform
from syndicate.publish.common import (
    Halt,
    Note,
    chosen_platforms,
    follow_moves,
    refuse_build_errors,
)
from syndicate.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])
PLATFORM_CHOICE = click.Choice(sorted(PLATFORM_CLASSES), case_sensitive=False)


class SyndicateGroup(click.Group):
    """Turns every SyndicateError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Halt as halt:
            for line in halt.errors:
                click.echo(ERROR + line, err=True)
            click.echo(halt.message, err=True)
            sys.exit(halt.exit_code)
        except SyndicateError as error:
            click.echo(ERROR + error.line(), err=True)
            sys.exit(error.exit_code)


ERROR = click.style("Error: ", fg="red", bold=True)
WARNING = click.style("Warning: ", fg="yellow")


def show(note: Note) -> None:
    """One progress line of a run, marked and coloured as a person reads it."""
    if note.level:
        click.echo((ERROR if note.level == "error" else WARNING) + note.text, err=note.err)
    elif note.state:
        word = (click.style("Posted", fg="green") if note.state == "posted"
                else state_badge(note.state).capitalize())
        click.echo(f"{note.counter} {word} {note.text}", err=note.err)
    else:
        click.echo(note.text, err=note.err)


def settings_option(command: F) -> F:
    return click.option(
        "-s", "--settings", "settings_path", type=click.Path(path_type=Path),
        default="pelicanconf.py", show_default=True, envvar="SYNDICATE_SETTINGS",
        help="The Pelican settings file holding the SYNDICATE dict.")(command)


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option("--format", "output_format", type=click.Choice(choices),
                        default=choices[0], show_default=True,
                        help="Output for people (table) or for programs (json).")


def platform_option(help_text: str) -> Callable[[F], F]:
    return click.option("--platform", "-p", "platform_names", multiple=True,
                        type=PLATFORM_CHOICE, help=help_text)


def load(settings_path: Path) -> tuple[Settings, Manifest]:
    settings = load_settings(settings_path)
    return settings, load_manifest(settings.manifest_path)


def dump_json(value: Any) -> str:
    # Indented for a person at a terminal; compact (and several times faster) for programs.
    indent = 2 if sys.stdout.isatty() else None
    return json.dumps(value, ensure_ascii=False, indent=indent)


def drafts_on_demand(done: list[DoneArticle], settings: Settings) -> list[Draft]:
    """The drafts of articles the build kept only the sources of (done everywhere), made
    now as the build makes them."""
    from syndicate.drafts import drafts_for
    from syndicate.templates import DraftTemplates

    templates = DraftTemplates(settings.templates_path)
    return [draft for article in done
            for draft in drafts_for(article.article(), settings, templates)]


def draft_order(draft: Draft) -> tuple[str, str, str]:
    """The manifest's order: oldest article first, then key and platform."""
    return draft.date, draft.article, draft.platform


def pending_or_changed(drafts: list[Draft], ledger: Ledger) -> list[Draft]:
    """The drafts of articles with a draft not done yet, or posted and changed since."""
    shown = {d.article for d in drafts
             if not ledger.is_done(d.article, d.platform) or edited_since_posted(ledger, d)}
    return [d for d in drafts if d.article in shown]


def draft_state(ledger: Ledger, draft: Draft) -> str:
    return ledger.state(draft.article, draft.platform) or "new"


def draft_state_of(ledger: Ledger, article: str, platform: str) -> str:
    return ledger.state(article, platform) or "new"


def edited_since_posted(ledger: Ledger, draft: Draft) -> bool:
    """Whether draft was posted and its text has changed since."""
    return ledger.posted_hash(draft.article, draft.platform) not in (None, draft.text_hash)


def shown_state(ledger: Ledger, draft: Draft, settings: Settings) -> str:
    """The draft's state for a person: a posted draft whose text changed since says what
    its platform's on_edit will do about it."""
    if not edited_since_posted(ledger, draft):
        return draft_state(ledger, draft)
    platform = settings.platforms.get(draft.platform)
    return edited_state(str(platform.option("on_edit")) if platform else "ignore")


def refuse_unknown_articles(article_keys: tuple[str, ...], known: set[str]) -> None:
    """A usage error (exit 2) for an --article the last build made no drafts for, with
    the keys it may have meant."""
    import difflib

    for key in article_keys:
        if key in known:
            continue
        close = [k for k in sorted(known) if k.endswith(f"/{key}")]
        close += [k for k in difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.8)
                  if k not in close]
        hint = f"did you mean {', '.join(close[:3])}? " if close else ""
        raise click.BadParameter(
            f"the last build made no drafts for {key!r}; {hint}`syndicate status` lists "
            "every article key", param_hint="'--article'")


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


@click.group(cls=SyndicateGroup, context_settings={
    "help_option_names": ["-h", "--help"],
    # Fixed width: help reads the same everywhere, and the README shows it verbatim.
    "terminal_width": 88, "max_content_width": 88})
@click.version_option(__version__, prog_name="syndicate")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
def cli(verbose: bool) -> None:
    """Preview, check and post the status updates your Pelican blog's articles make.

    Build the site first (`syndicate build` or `pelican`): the syndication plugin writes
    the drafts these commands read. Secrets come from the environment only.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s")
    # httpx logs whole request URLs, and some platforms keep their secret in the URL:
    # syndicate.http logs each request itself, redacted.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _reported_by_the_plugin(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith(("Could not process", "Skipping %s: could not"))


@cli.command()
@settings_option
def build(settings_path: Path) -> None:
    """Build the site with Pelican; content errors are one line each and exit 1.

    With "feed" in SYNDICATE, read the articles from that Atom, RSS or JSON Feed instead
    (for a blog not built with Pelican) and make their drafts.
    """
    settings = load_settings(settings_path)  # report settings mistakes before building
    if settings.feed_url:
        build_from_feed(settings)
        return
    output = run_pelican(settings_path)
    manifest = load(settings_path)[1]
    refuse_build_errors(manifest)
    articles = len({d.article for d in manifest.drafts})
    done = (f" ({len(manifest.done)} more done everywhere, not drafted: `syndicate preview "
            "--all` shows them)") if manifest.done else ""
    click.echo(f"Built {output}: {len(manifest.drafts)} drafts for {articles} articles{done}.")


def run_pelican(settings_path: Path) -> str:
    """Build the site with Pelican and the plugin; the output folder."""
    from pelican import Pelican
    from pelican.settings import read_settings

    pelican_settings = read_settings(str(settings_path))
    plugins = [str(getattr(p, "__name__", p)) for p in pelican_settings.get("PLUGINS") or []]
    if not {"syndicate", "pelican.plugins.syndicate"} & set(plugins):
        raise SettingsError(str(settings_path), "the syndicate plugin is not loaded, so the "
                            "build makes no drafts", 'add PLUGINS = ["syndicate"] (or run '
                            "`syndicate init`)")
    # The plugin reports these through the manifest, as one line each: print them once.
    logging.getLogger("syndicate.build").setLevel(logging.CRITICAL)
    # (A logger's filters see only its own records, so filter where they are logged.)
    loggers = [logging.getLogger(f"pelican.{name}") for name in ("generators", "contents")]
    for logger in loggers:
        logger.addFilter(_reported_by_the_plugin)
    try:
        Pelican(pelican_settings).run()
    finally:
        for logger in loggers:
            logger.removeFilter(_reported_by_the_plugin)
    return str(pelican_settings["OUTPUT_PATH"])


def build_from_feed(settings: Settings) -> None:
    from syndicate.drafts import drafts_for
    from syndicate.feed_source import articles_from_feed
    from syndicate.http import Http
    from syndicate.manifest import encode_draft, write_manifest
    from syndicate.posting import is_absolute_siteurl
    from syndicate.templates import DraftTemplates

    url = str(settings.feed_url)
    http = Http(max_total_wait=30)
    try:
        response = http.request("feed", "GET", url, idempotent=True, follow_redirects=True)
    except httpx_errors() as error:
        raise SettingsError(url, f"cannot be read ({type(error).__name__})",
                            "check the feed's address (SYNDICATE feed)") from None
    finally:
        http.close()
    if response.status_code != 200:
        raise SettingsError(url, f"answers HTTP {response.status_code}",
                            "check the feed's address (SYNDICATE feed)")
    site, articles = articles_from_feed(response.content, str(response.url),
                                        settings.default_lang)
    siteurl = settings.siteurl if is_absolute_siteurl(settings.siteurl) else site
    now = datetime.now(UTC)
    templates = DraftTemplates(settings.templates_path)
    errors: list[str] = []
    drafts: list[str] = []
    for article in sorted(articles, key=lambda a: a.key):
        if article.date > now:
            continue  # scheduled: not published yet
        try:
            drafts += [encode_draft(d.to_json())
                       for d in drafts_for(article, settings, templates)]
        except SyndicateError as error:
            errors.append(error.line())
    write_manifest(settings.manifest_path, siteurl, errors, drafts)
    manifest = load_manifest(settings.manifest_path)
    refuse_build_errors(manifest)
    click.echo(f"Read {url}: {len(manifest.drafts)} drafts for "
               f"{len({d.article for d in manifest.drafts})} articles.")


def httpx_errors() -> type[Exception]:
    import httpx

    return httpx.HTTPError


@cli.command()
@settings_option
@click.option("--format", "output_format", default="table", show_default=True,
              type=click.Choice(["table", "json", "markdown", "html"]),
              help="table for people, json for programs, markdown for a CI summary, html "
                   "for a page that shows each post as its platform would.")
@click.option("--output", "-o", "output_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the terminal.")
@click.option("--article", "-a", "article_keys", multiple=True,
              help="Only this article (its key, e.g. posts/hello.md). Repeatable.")
@platform_option("Only this platform. Repeatable.")
@click.option("--new", "only_new", is_flag=True, help="Only what `post` would send.")
@click.option("--all", "show_all", is_flag=True,
              help="Every article, also those posted or skipped everywhere and unchanged "
                   "since (drafted now from what the build kept).")
def preview(settings_path: Path, output_format: str, output_path: Path | None,
            article_keys: tuple[str, ...], platform_names: tuple[str, ...],
            only_new: bool, show_all: bool) -> None:
    """Show every status update exactly as it would be posted, with its count.

    By default, the articles that may still be posted somewhere or changed since they
    were; --all adds those done everywhere, --article shows the ones named.
    """
    from syndicate.approval import Approvals
    settings = load_settings(settings_path)
    ledger = Ledger.load(settings.ledger_path)
    follow_moves(ledger, settings)
    approvals = (Approvals.load(settings.approvals_path, settings.root)
                 if settings.require_approval else None)
    # Articles done everywhere are drafted only when asked for: --all, or by name.
    done = (done_articles(settings.manifest_path)
            if show_all or article_keys else [])
    if not show_all:
        done = [article for article in done if article.key in article_keys]

    if article_keys:
        refuse_unknown_articles(article_keys, {article for article, _, _ in
                                               draft_lines(settings.manifest_path)[1]}
                                | {article.key for article in done})

    def wanted(article: str, platform: str) -> bool:
        return ((not article_keys or article in article_keys)
                and (not platform_names or platform in platform_names)
                and (not only_new or not ledger.is_done(article, platform)))

    def state_of(draft: Draft) -> str:
        state = shown_state(ledger, draft, settings)
        if approvals is None or ledger.is_done(draft.article, draft.platform):
            return state
        return f"{state}, {'approved' if approvals.is_approved(draft) else 'not approved'}"

    to_default_page = (output_format == "html" and output_path is None
                       and stdout_is_terminal())
    if to_default_page:
        # A page of HTML is no use at a terminal: it goes to a file, said below.
        output_path = settings.manifest_path.parent / "preview.html"

    def emit(text: str) -> None:
        if output_path is None:
            click.echo(text)
            return
        write_atomically(output_path, text.encode("utf-8"))
        click.echo(f"Wrote {output_path}" + (": open it in a browser (-o FILE writes the "
                                             "page elsewhere)." if to_default_page else "."),
                   err=True)

    every = show_all or bool(article_keys)
    if output_format == "json" and (output_path or not sys.stdout.isatty()):
        # For programs: each draft's JSON straight from the manifest, with its state added.
        header, lines = draft_lines(settings.manifest_path)
        emit("[" + ", ".join(
            f'{line[:-1]}, "state": {json.dumps(draft_state_of(ledger, article, platform))}}}'
            for article, platform, line in json_lines(lines, done, every, ledger, settings)
            if wanted(article, platform)) + "]")
        refuse_build_errors(Manifest(siteurl=header["siteurl"], errors=header["errors"]))
        return
    if output_format == "json":
        # For a person at a terminal: indented.
        data = read_manifest_json(settings.manifest_path)
        found = data["drafts"]
        if not every:
            shown = {d.article for d in pending_or_changed(
                [Draft.from_json(item) for item in found], ledger)}
            found = [item for item in found if item["article"] in shown]
        if done:
            found = sorted([*found, *(d.to_json() for d in drafts_on_demand(done, settings))],
                           key=lambda d: (d["date"], d["article"], d["platform"]))
        items = [{**item, "state": ledger.state(item["article"], item["platform"]) or "new"}
                 for item in found if wanted(item["article"], item["platform"])]
        emit(dump_json(items))
        refuse_build_errors(Manifest(siteurl=data["siteurl"], errors=data["errors"]))
        return
    manifest = load_manifest(settings.manifest_path)
    drafts = manifest.drafts if every else pending_or_changed(manifest.drafts, ledger)
    hidden = len({d.article for d in manifest.drafts} - {d.article for d in drafts}) \
        + len(manifest.done)
    if done:
        drafts = sorted([*drafts, *drafts_on_demand(done, settings)], key=draft_order)
    drafts = [d for d in drafts if wanted(d.article, d.platform)]
    if output_format in ("markdown", "html"):
        if output_format == "markdown":
            from syndicate.preview_markdown import markdown_preview

            emit(markdown_preview(drafts, state_of))
        else:
            from syndicate.preview_html import html_preview

            emit(html_preview(drafts, state_of, settings.platforms,
                              settings.root, settings.author, settings.sitename))
        refuse_build_errors(manifest)
        return
    blocks = preview_blocks(drafts, state_of)
    unfit = sum(not d.fits for d in drafts)
    articles = len({d.article for d in drafts})
    blocks.append(f"\n{len(drafts)} draft{'s' * (len(drafts) != 1)} for {articles} "
                  f"article{'s' * (articles != 1)}"
                  + (click.style(f", {unfit} do not fit", fg="red") if unfit else "") + ".")
    if hidden and not every:
        blocks.append(f"{hidden} more article{'s are' if hidden != 1 else ' is'} posted or "
                      "skipped everywhere and unchanged since: --all shows "
                      f"{'them' if hidden != 1 else 'it'} too.")
    emit("\n".join(blocks).lstrip("\n"))
    refuse_build_errors(manifest)


def json_lines(lines: list[tuple[str, str, str]], done: list[DoneArticle], every: bool,
               ledger: Ledger, settings: Settings) -> list[tuple[str, str, str]]:
    """(article, platform, JSON text) of the drafts to show, in the manifest's order: the
    pending and changed ones (every: all the manifest's), and those of the done articles."""
    from syndicate.manifest import encode_draft

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


@cli.command()
@settings_option
def check(settings_path: Path) -> None:
    """Exit 1 when a draft does not fit, the build failed, or a card image is wrong.

    A card image is wrong when its file is missing, larger than max_image_bytes, or
    (unless the alt_text setting says "warn" or "off") without alt text. Exit 1 too when
    a remote platform is enabled and SITEURL is empty or relative. Lists whether each
    platform is ready to post (a pull request has no secrets: that alone fails nothing).
    """
    from syndicate.posting import siteurl_problem

    settings, manifest = load(settings_path)
    click.echo(readiness_table(settings.platforms))
    failures: list[str] = []
    said = set()
    for draft in manifest.drafts:
        for finding in draft.checks:
            message = finding["message"]
            if message in said:
                continue  # one line per article, not per platform
            said.add(message)
            if finding["code"] == "no-alt" and settings.alt_text != "error":
                if settings.alt_text == "warn":
                    click.echo(click.style("Warning: ", fg="yellow") + message, err=True)
                continue
            failures.append(message)
        for warning in draft.warnings:
            if warning not in said:
                said.add(warning)
                click.echo(click.style("Warning: ", fg="yellow") + warning, err=True)
    for message in failures:
        click.echo(click.style("Error: ", fg="red", bold=True) + message, err=True)
    bad = [d for d in manifest.drafts if not d.fits]
    for draft in bad:
        for problem in draft.problems or ["does not fit"]:
            click.echo(f"{draft.article} → {draft.platform}: {problem}", err=True)
    refuse_build_errors(manifest)
    siteurl = siteurl_problem(settings.platforms.values(), manifest.siteurl)
    if siteurl is not None:
        click.echo(click.style("Error: ", fg="red", bold=True) + siteurl.line(), err=True)
    if bad or failures or siteurl is not None:
        sys.exit(1)
    click.echo(f"All {len(manifest.drafts)} drafts fit their platforms.")


def readiness_table(platforms: dict[str, Platform]) -> str:
    """Each platform, ready to post or what it lacks (secrets are read from the
    environment, so where there are none, e.g. a pull request, they show as missing)."""
    from syndicate.readiness import readiness

    return table(["platform", "ready", "what it lacks"], [
        (found.platform, style("yes", fg="green") if found.ready else style("no", fg="yellow"),
         found.why()) for found in readiness(platforms)])


@cli.command()
@settings_option
@platform_option("Post only to this platform (repeatable); default: every enabled one.")
@click.option("--dry-run", "-n", is_flag=True, help="Print what would be posted; change nothing.")
@click.option("--max", "max_articles", type=click.IntRange(min=1), default=None,
              help="At most this many articles to remote platforms in this run "
                   "[default: SYNDICATE max_per_run, 5].")
@click.option("--wait", "wait_seconds", type=click.FloatRange(min=0), default=0,
              show_default=True, envvar="SYNDICATE_WAIT",
              help="Wait up to this many seconds for new articles to be live on the site.")
def post(settings_path: Path, platform_names: tuple[str, ...], dry_run: bool,
         max_articles: int | None, wait_seconds: float) -> None:
    """Post every pending draft once, and record where it went in the ledger.

    A platform that is not ready (a secret or a setting missing) is skipped, one line
    saying why; named with --platform, it is refused (exit 2) and nothing is posted.
    """
    from syndicate.publish.run import PostOptions, run

    settings, manifest = load(settings_path)
    report = run(settings, manifest, PostOptions(platform_names, dry_run, max_articles,
                                                 wait_seconds), show)
    for note in report.closing_notes():
        show(note)
    if report.exit_code:
        sys.exit(report.exit_code)


@cli.command()
@settings_option
@click.option("--article", "-a", "article_keys", multiple=True,
              help="Only this article (its key, e.g. posts/hello.md). Repeatable.")
@platform_option("Only this platform. Repeatable.")
@click.option("--yes", "-y", is_flag=True, help="Approve without asking (you have seen them).")
@click.option("--by", default=lambda: os.environ.get("USER") or "someone", show_default="$USER",
              help="Who approves, recorded with each approval.")
def approve(settings_path: Path, article_keys: tuple[str, ...],
            platform_names: tuple[str, ...], yes: bool, by: str) -> None:
    """Show the drafts `post` would send, and approve exactly these.

    With "require_approval": True in SYNDICATE, `post` sends only approved drafts; a
    draft that changes after its approval waits for a new one.
    """
    from syndicate.approval import Approvals
    settings, manifest = load(settings_path)
    refuse_build_errors(manifest)
    ledger = Ledger.load(settings.ledger_path)
    follow_moves(ledger, settings, manifest)
    approvals = Approvals.load(settings.approvals_path, settings.root)
    refuse_unknown_articles(article_keys, {d.article for d in manifest.drafts}
                            | {article.key for article in manifest.done})
    drafts = [d for d in manifest.drafts
              if (not article_keys or d.article in article_keys)
              and (not platform_names or d.platform in platform_names)
              and not ledger.is_done(d.article, d.platform) and d.fits
              and not approvals.is_approved(d)]
    if not drafts:
        click.echo("Nothing to approve: every draft `post` would send is approved.")
        return
    click.echo("\n".join(preview_blocks(drafts, lambda d: draft_state(ledger, d))))
    count = f"{len(drafts)} draft{'s' * (len(drafts) != 1)}"
    if not yes and not click.confirm(f"\nApprove these {count}?"):
        click.echo("Nothing approved.")
        sys.exit(1)
    for draft in drafts:
        approvals.approve(draft, by)
    approvals.save()
    click.echo(f"Approved {count}: `syndicate post` will send exactly these.")


@cli.command()
@settings_option
@platform_option("Only from this platform (repeatable); default: every one that can.")
@click.option("--max", "max_posts", type=click.IntRange(min=1), default=200, show_default=True,
              help="At most this many posted copies read in one run (newest articles "
                   "first), to stay within the platforms' rate limits.")
def backfeed(settings_path: Path, platform_names: tuple[str, ...], max_posts: int) -> None:
    """Bring home the replies, reposts and likes of the syndicated copies.

    They are kept in the responses file (responses.json: commit it) and shown under each
    article by the next build. Reply text is cleaned to a few safe tags.
    """
    from syndicate.publish.backfeed_run import BackfeedOptions
    from syndicate.publish.backfeed_run import backfeed as read_back

    report = read_back(load_settings(settings_path),
                       BackfeedOptions(platform_names, max_posts), show)
    click.echo(report.summary())
    for line in report.failures:
        click.echo(ERROR + line, err=True)
    if report.exit_code:
        sys.exit(report.exit_code)


@cli.command()
@settings_option
@platform_option("Only this platform (repeatable); default: every enabled one.")
@format_option("table", "json")
def doctor(settings_path: Path, platform_names: tuple[str, ...], output_format: str) -> None:
    """Check each platform's settings and credentials with read-only calls.

    Nothing is posted. Says what would fail (a refused token, a main password where an
    app password belongs, a limit higher than the server's, a secret or a setting `post`
    needs that is missing) and never prints a secret.
    """
    import httpx

    from syndicate.http import Http
    from syndicate.posting import siteurl_problem
    from syndicate.readiness import platform_readiness

    settings = load_settings(settings_path)
    platforms = chosen_platforms(settings, platform_names)
    rows: list[tuple[str, bool, str]] = []
    problem = siteurl_problem(platforms.values(), settings.siteurl)
    if problem is not None:
        rows.append(("site", False, problem.line()))
    http = Http(max_total_wait=20)
    try:
        for name, platform in platforms.items():
            # What `post` would skip the platform for: said without calling it.
            missing = platform_readiness(platform).missing
            if missing:
                rows.extend((name, False, item.line()) for item in missing)
                continue
            try:
                found = platform.doctor(str(settings.root), http)
            except SyndicateError as error:
                found = [(False, error.line())]
            except httpx.HTTPError as error:
                found = [(False, f"cannot reach the server ({type(error).__name__})")]
            rows.extend((name, fine, text) for fine, text in found)
    finally:
        http.close()
    if output_format == "json":
        click.echo(dump_json([{"platform": n, "ok": ok, "finding": t} for n, ok, t in rows]))
    else:
        click.echo(table(["platform", "", "finding"], [
            (name, style("ok", fg="green") if fine else style("problem", fg="red"), text)
            for name, fine, text in rows]))
    if not all(fine for _, fine, _ in rows):
        sys.exit(1)


@cli.command()
@settings_option
@click.argument("article_key", metavar="ARTICLE")
@platform_option("Only on this platform (repeatable); default: everywhere it went.")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
def retract(settings_path: Path, article_key: str, platform_names: tuple[str, ...],
            yes: bool) -> None:
    """Delete an article's copies from the platforms, and record that in the ledger.

    ARTICLE is its key, as `syndicate status` shows it (e.g. posts/hello.md). It is not
    posted again unless you remove its entries from the ledger.
    """
    from syndicate.publish.retract_run import retract as delete_copies

    report = delete_copies(load_settings(settings_path), article_key, platform_names,
                           lambda: yes or click.confirm("Delete these posts?"), show)
    if report.cancelled:
        click.echo("Nothing deleted.")
    if report.exit_code:
        sys.exit(report.exit_code)


@cli.command()
@settings_option
@platform_option("The platforms to set up on a blog without syndicate, or to record "
                 "(repeatable); default: the outbox on a new blog, else every enabled one.")
@click.option("--dry-run", "-n", is_flag=True, help="Print what would change; change nothing.")
def init(settings_path: Path, platform_names: tuple[str, ...], dry_run: bool) -> None:
    """Set syndicate up on this blog, and record its back catalogue as already syndicated.

    On a blog without it: loads the plugin and adds a SYNDICATE block for the platforms
    named with --platform to the settings file, ignores the drafts and the outbox in
    .gitignore, and adds GitHub workflows (a preview on pull requests; build, deploy and
    post on main). Then every published article is recorded as already syndicated, so
    followers are not flooded with the back catalogue. Run it again after enabling a new
    platform; a run with nothing to do changes nothing.
    """
    from syndicate import scaffold
    from syndicate.settings import read_settings_file

    if not settings_path.is_file():
        load_settings(settings_path)  # the one-line error for a missing settings file
    values = read_settings_file(settings_path)
    project = settings_path.resolve().parent
    new_blog = "SYNDICATE" not in values
    names = [name.lower() for name in platform_names] or ["outbox"]
    publish = "publishconf.py" if (project / "publishconf.py").is_file() \
        else settings_path.name
    changes = scaffold.set_up_settings(settings_path.resolve(), values, names, dry_run)
    changes += scaffold.set_up_gitignore(project, dry_run)
    changes += scaffold.set_up_workflows(project, publish, names if new_blog else list(
        load_settings(settings_path).platforms), dry_run)
    verb = "Would set up" if dry_run else "Set up"
    for change in changes:
        click.echo(f"{verb} {change.path.relative_to(project)}: {change.what}")
    if dry_run and changes:
        click.echo("Then it would build the site and record its articles as already "
                   "syndicated.")
        return
    settings = load_settings(settings_path)
    if changes or not settings.manifest_path.exists():
        output = run_pelican(settings_path)
        click.echo(f"Built {output}.")
    manifest = load_manifest(settings.manifest_path)
    refuse_build_errors(manifest)
    platforms = chosen_platforms(settings, () if new_blog else platform_names)
    with ledger_lock(settings.ledger_path):
        ledger = Ledger.load(settings.ledger_path)
        moved = follow_moves(ledger, settings, manifest)
        new = [d for d in manifest.drafts
               if d.platform in platforms and ledger.state(d.article, d.platform) is None]
        for draft in new:
            if dry_run:
                click.echo(f"Would record {draft.article} on {draft.platform} as skipped")
            else:
                ledger.record_skipped(draft.article, draft.url, draft.platform,
                                      "existed before syndicate init", save=False)
        if (new or moved) and not dry_run:
            ledger.save()
    verb = "Would record" if dry_run else "Recorded"
    click.echo(f"{verb} {len(new)} drafts of {len({d.article for d in new})} articles as "
               f"already syndicated in {settings.ledger_path.name}.")
    if changes:
        secrets = scaffold.secret_variables(names)
        click.echo("Next: fill in the empty settings in the SYNDICATE block; in GitHub, set "
                   "the repository variable SITEURL"
                   + (f" and the secrets {', '.join(secrets)}" if secrets else "")
                   + f"; commit {settings.ledger_path.name} and .github/workflows.")
    elif not new:
        click.echo("Nothing to do: syndicate is set up and every article is recorded.")


@cli.command()
@settings_option
@format_option("table", "json")
def status(settings_path: Path, output_format: str) -> None:
    """What is new, pending, posted, skipped or failed, per article and platform."""
    settings, manifest = load(settings_path)
    ledger = Ledger.load(settings.ledger_path)
    follow_moves(ledger, settings, manifest)
    rows: list[dict[str, Any]] = []
    seen = set()
    # Drafted articles and those done everywhere (no drafts: the ledger says it all).
    found: list[tuple[tuple[str, str, str], Draft | None]] = [
        (draft_order(d), d) for d in manifest.drafts]
    found += [((article.date, article.key, platform), None)
              for article in manifest.done for platform in article.inputs]
    found.sort(key=lambda item: item[0])
    for (_, key, name), draft in found:
        seen.add((key, name))
        entry = ledger.entry(key, name) or {}
        rows.append(_status_row(key, name, entry, draft.fits if draft else True))
        if ledger.moved_from(key):
            rows[-1]["moved_from"] = ledger.moved_from(key)
        if draft and edited_since_posted(ledger, draft):
            platform = settings.platforms.get(draft.platform)
            rows[-1].update(edited_since=True, on_edit=str(
                platform.option("on_edit")) if platform else "ignore")
    for key, article in sorted(ledger.articles.items()):
        for platform, entry in sorted(article["platforms"].items()):
            if (key, platform) not in seen:
                rows.append(_status_row(key, platform, entry, True))
    if output_format == "json":
        click.echo(dump_json(rows))
        return
    from syndicate.display import ON_EDIT_EFFECTS

    def where_why(row: dict[str, Any]) -> str:
        text = str(row.get("url") or row.get("error") or row.get("reason") or "")
        if row.get("moved_from"):
            text = f"{text} (moved from {row['moved_from']})".lstrip()
        if row.get("edited_since"):
            effect = ON_EDIT_EFFECTS.get(row["on_edit"], f"on_edit {row['on_edit']}")
            text = f"{text} ({effect})".lstrip()
        return text

    # Long links and reasons wrap to the terminal's width, whole.
    click.echo(table(
        ["ARTICLE", "PLATFORM", "STATE", "WHERE / WHY", "UPDATED"],
        [[r["article"], r["platform"],
          state_badge("posted, edited since" if r.get("edited_since") else r["state"]),
          where_why(r), r.get("updated_at") or ""]
         for r in rows]))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    edited = sum(bool(row.get("edited_since")) for row in rows)
    click.echo("\n" + ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
               + (f" ({edited} edited since)" if edited else ""))


def _status_row(key: str, platform: str, entry: dict[str, Any], fits: bool) -> dict[str, Any]:
    parts = entry.get("parts") or []
    row = {"article": key, "platform": platform,
           "state": entry.get("state") or ("new" if fits else "does not fit"),
           "url": parts[0].get("url") if parts else None,
           "error": entry.get("error"), "reason": entry.get("reason"),
           "updated_at": entry.get("updated_at")}
    return {k: v for k, v in row.items() if v is not None}


def main() -> None:
    cli(prog_name="syndicate")
