"""The `syndicate` command: a thin click layer over the library."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from syndicate import __version__
from syndicate.cli_support import (
    ERROR,
    SyndicateGroup,
    dump_json,
    format_option,
    load,
    platform_option,
    settings_option,
    show,
)
from syndicate.collector import collection_paused
from syndicate.compose.manifest import load_manifest
from syndicate.draft import Draft, article_count
from syndicate.files import write_atomically
from syndicate.preview.display import (
    all_ok,
    edited_state,
    findings_table,
    preview_blocks,
    preview_parts,
    readiness_table,
)
from syndicate.publish.common import refuse_build_errors
from syndicate.settings import Settings, load_settings

if TYPE_CHECKING:
    from syndicate.preview.selection import Selection


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


@cli.command()
@settings_option
def build(settings_path: Path) -> None:
    """Build the site with Pelican; content errors are one line each and exit 1.

    With "feed" in SYNDICATE, read the articles from that Atom, RSS or JSON Feed instead
    (for a blog not built with Pelican) and make their drafts.
    """
    from syndicate.compose.build import build_from_feed, run_pelican

    settings = load_settings(settings_path)  # report settings mistakes before building
    if settings.feed_url:
        manifest = build_from_feed(settings)
        refuse_build_errors(manifest)
        click.echo(f"Read {settings.feed_url}: {len(manifest.drafts)} drafts for "
                   f"{article_count(manifest.drafts)} articles.")
        return
    output = run_pelican(settings_path)
    manifest = load(settings_path)[1]
    refuse_build_errors(manifest)
    articles = article_count(manifest.drafts)
    done = (f" ({len(manifest.done)} more done everywhere, not drafted: `syndicate preview "
            "--all` shows them)") if manifest.done else ""
    click.echo(f"Built {output}: {len(manifest.drafts)} drafts for {articles} articles{done}.")


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
    from syndicate.preview.selection import PreviewQuery, Selection

    settings = load_settings(settings_path)
    with collection_paused():  # the ledger, the manifest and the drafts: no cycles
        _preview(settings, Selection(settings, PreviewQuery(
            article_keys, platform_names, only_new, show_all)), output_format, output_path)


def _preview(settings: Settings, selection: Selection, output_format: str,
             output_path: Path | None) -> None:
    """preview's work once its settings are read."""
    problem = selection.unknown_article()
    if problem is not None:
        raise click.BadParameter(problem, param_hint="'--article'")
    to_default_page = (output_format == "html" and output_path is None
                       and stdout_is_terminal())
    if to_default_page:
        # A page of HTML is no use at a terminal: it goes to a file, said below.
        output_path = settings.manifest_path.parent / "preview.html"

    def emit(text: str | list[str]) -> None:
        """Print text, or write it to the output file (text in pieces: each encoded on its
        own, see preview.html.html_page)."""
        if output_path is None:
            click.echo(text if isinstance(text, str) else "".join(text))
            return
        write_atomically(output_path, text.encode("utf-8") if isinstance(text, str)
                         else (part.encode("utf-8") for part in text))
        click.echo(f"Wrote {output_path}" + (": open it in a browser (-o FILE writes the "
                                             "page elsewhere)." if to_default_page else "."),
                   err=True)

    def state_of(draft: Draft) -> str:
        return selection.state_of(draft, edited_state)

    if output_format == "json" and (output_path or not sys.stdout.isatty()):
        # For programs: each draft's JSON straight from the manifest, with its state added.
        text, manifest = selection.json_parts()
        emit(text)
    elif output_format == "json":
        # For a person at a terminal: indented.
        items, manifest = selection.json_items()
        emit(dump_json(items))
    else:
        drafts, hidden, manifest = selection.drafts()
        if output_format == "markdown":
            from syndicate.preview.markdown import markdown_lines

            emit(markdown_lines(drafts, state_of))
        elif output_format == "html":
            from syndicate.preview.html import html_page

            emit(html_page(drafts, state_of, settings.platforms,
                           settings.root, settings.author, settings.sitename))
        else:
            emit(preview_parts(drafts, state_of, 0 if selection.query.every else hidden))
    refuse_build_errors(manifest)


@cli.command()
@settings_option
def check(settings_path: Path) -> None:
    """Exit 1 when a draft does not fit, the build failed, or a card image is wrong.

    A card image is wrong when its file is missing, larger than max_image_bytes, or
    (unless the alt_text setting says "warn" or "off") without alt text. Exit 1 too when
    a remote platform is enabled and SITEURL is empty or relative. Lists whether each
    platform is ready to post (a pull request has no secrets: that alone fails nothing).
    """
    from syndicate.preview.check import check as check_drafts
    from syndicate.publish.readiness import readiness

    settings, manifest = load(settings_path)
    click.echo(readiness_table(readiness(settings.platforms)))
    report = check_drafts(settings, manifest)
    for note in report.notes:
        show(note)
    refuse_build_errors(manifest)
    if report.siteurl is not None:
        click.echo(ERROR + report.siteurl.line(), err=True)
    if report.exit_code:
        sys.exit(report.exit_code)
    click.echo(report.summary())


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
    from syndicate.preview.selection import unknown_article
    from syndicate.publish.approve_run import ApprovalRound

    settings, manifest = load(settings_path)
    approval = ApprovalRound(settings, manifest)
    problem = unknown_article(article_keys, approval.known_articles())
    if problem is not None:
        raise click.BadParameter(problem, param_hint="'--article'")
    drafts = approval.to_approve(article_keys, platform_names)
    if not drafts:
        click.echo("Nothing to approve: every draft `post` would send is approved.")
        return
    click.echo("\n".join(preview_blocks(drafts, approval.state_of)))
    count = f"{len(drafts)} draft{'s' * (len(drafts) != 1)}"
    if not yes and not click.confirm(f"\nApprove these {count}?"):
        click.echo("Nothing approved.")
        sys.exit(1)
    approval.approve(drafts, by)
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
    from syndicate.publish.doctor import doctor as examine

    findings = examine(load_settings(settings_path), platform_names)
    if output_format == "json":
        click.echo(dump_json([finding.to_json() for finding in findings]))
    else:
        click.echo(findings_table(findings))
    if not all_ok(findings):
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
    from syndicate.compose.build import run_pelican
    from syndicate.publish.adopt import record_back_catalogue, set_up

    setup = set_up(settings_path, platform_names, dry_run)
    verb = "Would set up" if dry_run else "Set up"
    for change in setup.changes:
        click.echo(f"{verb} {change.path.relative_to(setup.project)}: {change.what}")
    if dry_run and setup.changes:
        click.echo("Then it would build the site and record its articles as already "
                   "syndicated.")
        return
    settings = load_settings(settings_path)
    if setup.changes or not settings.manifest_path.exists():
        output = run_pelican(settings_path)
        click.echo(f"Built {output}.")
    new = record_back_catalogue(settings, load_manifest(settings.manifest_path),
                                () if setup.new_blog else platform_names, dry_run, show)
    verb = "Would record" if dry_run else "Recorded"
    click.echo(f"{verb} {len(new)} drafts of {article_count(new)} articles as "
               f"already syndicated in {settings.ledger_path.name}.")
    if setup.changes:
        click.echo(setup.next_steps(settings.ledger_path.name))
    elif not new:
        click.echo("Nothing to do: syndicate is set up and every article is recorded.")


@cli.command()
@settings_option
@format_option("table", "json")
def status(settings_path: Path, output_format: str) -> None:
    """What is new, pending, posted, skipped or failed, per article and platform."""
    from syndicate.publish.status import state_counts, status_rows, where_why

    rows = status_rows(*load(settings_path))
    if output_format == "json":
        click.echo(dump_json(rows))
        return
    from syndicate.preview.display import ON_EDIT_EFFECTS, status_table

    click.echo(status_table(rows, lambda row: where_why(row, ON_EDIT_EFFECTS)))
    counts, edited = state_counts(rows)
    click.echo("\n" + ", ".join(f"{n} {state}" for state, n in counts.items())
               + (f" ({edited} edited since)" if edited else ""))


def main() -> None:
    cli(prog_name="syndicate")
