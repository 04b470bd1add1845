"""The build session: one Pelican build's articles in, drafts and a manifest out, no
network.

The `syndication` plugin only connects Pelican's signals to a BuildSession; what knows
about Pelican's objects lives in compose (the articles in compose.pelican_articles, the
theme and feeds in compose.pelican_theme) so the plugin stays a thin adapter.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from syndicate.collector import collection_paused
from syndicate.compose.articles import syndicated_platforms
from syndicate.compose.background import ForkedWork
from syndicate.compose.build_ledger import BuildLedger
from syndicate.compose.drafting import drafts_for
from syndicate.compose.fingerprints import platform_inputs, reusable_drafts
from syndicate.compose.manifest import (
    encode_article,
    encode_draft,
    lines_digest,
    previous_drafts,
    write_manifest,
)
from syndicate.compose.pelican_articles import (
    SOURCE_CONTENT,
    absolute_url,
    article_key,
    article_source,
    diagnose_unreadable,
    is_marked_draft,
    is_publishable,
    summary_html,
    summary_text,
)
from syndicate.compose.pelican_theme import (
    INCLUDES,
    THEME_TEMPLATES,
    SyndicationLink,
    add_copies_to_feeds,
    append_to_content,
    parts_the_theme_renders,
    template_folders,
)
from syndicate.compose.templates import DraftTemplates
from syndicate.errors import SyndicateError
from syndicate.ledger import Ledger, fresh_copy
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.responses import Responses
from syndicate.settings import DEFAULTS, Settings, settings_from_pelican

log = logging.getLogger("syndicate.build")
SESSION_KEY = "_SYNDICATE_BUILD_SESSION"
SETTINGS_WHERE = "SYNDICATE (Pelican settings)"
# Writes the HTML preview page: (path, settings, ledger, the drafts' JSON lines).
PageWriter = Callable[[Path, Settings, Ledger, list[str]], None]


class BuildSession:
    """Collects drafts across one Pelican build and writes the manifest at its end."""

    def __init__(self, pelican_settings: Mapping[str, Any]) -> None:
        self.pelican_settings = pelican_settings
        self.errors: list[str] = []
        # (sort key, where the draft's line of JSON is in the spool): reused drafts are
        # never parsed, and thousands of drafts wait on disk for the build's end.
        self.spool = LineSpool()
        self.drafts: list[tuple[tuple[str, str, str], tuple[int, int]]] = []
        # (sort key, where the article line is): each article's inputs; a done article's
        # source (with its HTML: the whole blog's in all).
        self.articles: list[tuple[tuple[str, str], tuple[int, int]]] = []
        # How many articles were drafted, and how many were done everywhere (not drafted).
        self.drafted = self.done = 0
        self.settings: Settings | None = None
        self.book: BuildLedger | None = None  # the ledger, see compose.build_ledger
        self.written_with: list[str] | None = None  # the errors of the manifest written
        self.responses: Responses | None = None
        # Each article with copies, and their addresses, for the Atom feeds.
        self.copied: list[tuple[Any, list[str]]] = []
        self.previous: dict[str, str] = {}
        self.previous_articles = ""  # their lines_digest
        self.previous_siteurl: str | None = None
        self.theme_templates: Any = None  # a Jinja2 Environment, made when first needed
        # The drafts being made in a second process (start_drafting), and its articles.
        self.background: ForkedWork | None = None
        self.background_articles: list[Any] = []
        try:
            self.settings = settings_from_pelican(pelican_settings, SETTINGS_WHERE)
            self.templates = DraftTemplates(self.settings.templates_path)
            self.book = BuildLedger(self.settings.ledger_path, PLATFORM_CLASSES,
                                    self.settings.parallel_drafting, self._error)
            self.responses = Responses.load(self.settings.responses_path)
            self.previous_siteurl, self.previous, self.previous_articles = previous_drafts(
                self.settings.manifest_path)
        except SyndicateError as error:
            self._error(error.line())

    @property
    def ledger(self) -> Ledger | None:
        """The ledger (waited for if it is still being read); None if it cannot be read,
        and in Pelican's process once the drafting child has it."""
        return self.book.current() if self.book else None

    def __reduce__(self) -> tuple[Any, ...]:
        # Pelican's content caches pickle objects that hold its settings, this session
        # among them: it is pickled as None (a locked Jinja cache cannot be pickled, and a
        # failed save left a cache file that broke the next build).
        return (type(None), ())

    def _error(self, line: str) -> None:
        if line not in self.errors:
            self.errors.append(line)
            log.error(line)

    def attach_links(self, articles: Iterable[Any]) -> None:
        """Give each article its "Also on" links from the ledger (for the theme), and
        append them and the responses to its content when the theme does not show them."""
        with collection_paused():  # thousands of links, and no cycles
            self._attach_links(list(articles))

    def _attach_links(self, articles: list[Any]) -> None:
        keys = [article_key(article) for article in articles]
        if self.book and self.settings:
            # A moved source file is the same article (in memory: `post` saves it).
            # Pelican makes each article's URL from its settings: only asked for when a
            # move is possible, and only of articles the ledger does not know.
            siteurl, by_key = self.settings.siteurl, dict(zip(keys, articles, strict=True))
            self.book.follow_moves(by_key, lambda key: absolute_url(siteurl, by_key[key].url))
        ledger = self.ledger
        local = {name for name, platform in PLATFORM_CLASSES.items() if not platform.remote}
        for article, key in zip(articles, keys, strict=True):
            # Each address copied out of the ledger: once the drafting child has the
            # ledger, this process lets it go, and its memory can be given back only
            # if nothing of it is still held.
            links = [(name, fresh_copy(url)) for name, url in ledger.links(key, local)] \
                if ledger else []
            article.syndication = [
                SyndicationLink(name, PLATFORM_CLASSES[name].label, url) for name, url in links
            ]
            if links:
                self.copied.append((article, [url for _, url in links]))
            # Replies, reposts and likes from `syndicate backfeed`, cleaned (for the theme).
            found = self.responses.for_article(key) if self.responses \
                else {}
            article.responses = found if any(found.values()) else None
        self.append_to_articles(articles)

    def parts_to_append(self) -> tuple[str, ...]:
        """What goes into the article's content: "also_on", "responses", both or none."""
        choice = self.settings.append_to_content if self.settings else False
        if choice is False:
            return ()
        shown = set() if choice is True else parts_the_theme_renders(self.pelican_settings)
        return tuple(part for part in INCLUDES if part not in shown)

    def append_to_articles(self, articles: list[Any]) -> None:
        """Append the parts the theme does not show to each article's content, in an
        <aside> (which excerpts skip, so the drafts stay the same)."""
        from jinja2 import TemplateError

        parts = self.parts_to_append()
        for article in articles:
            article.syndicate_appended = ()
            try:
                html = "".join(self.render_include(part, article) for part in parts)
            except TemplateError as error:
                where = getattr(error, "filename", None) or " or ".join(INCLUDES.values())
                self._error(f"{where}: cannot be rendered ({type(error).__name__}: {error}); "
                            "fix the template, or set SYNDICATE append_to_content to False")
                return
            if html.strip():
                append_to_content(article, f'\n<aside class="syndicate">\n{html}</aside>\n')
                article.syndicate_appended = parts
            elif hasattr(article, SOURCE_CONTENT):
                append_to_content(article, "")

    def render_include(self, part: str, article: Any) -> str:
        """One of the theme includes, rendered for the article (a blogger's override of
        it in THEME_TEMPLATES_OVERRIDES wins)."""
        if self.theme_templates is None:
            from jinja2 import Environment, FileSystemLoader

            overrides = template_folders(self.pelican_settings)[:-1]
            self.theme_templates = Environment(
                loader=FileSystemLoader([*overrides, THEME_TEMPLATES]), autoescape=True,
                trim_blocks=True, lstrip_blocks=True)
        template = self.theme_templates.get_template(INCLUDES[part])
        return str(template.render(article=article,
                                   DEFAULT_LANG=self.pelican_settings.get("DEFAULT_LANG")))

    def start_drafting(self, articles: list[Any], resolve_links: Callable[[], None]) -> None:
        """Make the drafts in a second process while Pelican writes the site, where this
        machine can (compose.background); finish() collects them.

        Called once every generator has read its content, before any is written.
        resolve_links does in the child what Pelican does next in the parent, so the
        child reads each article's content with its links resolved, as the writer does
        (reading it here in the parent would leave raw {filename} links in the site).
        """
        if self.settings is None or not self.settings.parallel_drafting:
            return
        spool = self.spool.open()  # the child's lines go into the file the parent reads

        def make_drafts() -> tuple[Any, ...]:
            resolve_links()
            self.add_articles(articles)
            self.write_manifest()  # also off Pelican's way (again if it finds errors)
            self.spool.flush()
            return (self.drafts, self.articles, self.errors, self.drafted, self.done,
                    self.spool.size)

        self.background = ForkedWork.start(make_drafts,
                                           progress=lambda: os.fstat(spool.fileno()).st_size)
        if self.background:
            self.background_articles = articles
            if self.book:  # the child has its copy
                self.book.let_go()

    def collect_drafts(self) -> None:
        """Take the drafts the second process made; make them here if it failed."""
        if self.background is None:
            return
        made, self.background = self.background.result(), None
        articles, self.background_articles = self.background_articles, []
        if made is None:  # the child failed or was killed: nothing of it is used
            log.info("the second process making the drafts failed: making them here")
            if self.book:
                self.book.again()
            self.add_articles(articles)
            return
        drafts, lines, errors, self.drafted, self.done, self.spool.size = made
        self.drafts = [(tuple(key), tuple(place)) for key, place in drafts]
        self.articles = [(tuple(key), tuple(place)) for key, place in lines]
        for line in errors:  # the child logs nothing: each of its errors is logged here
            self._error(line)
        self.written_with = list(errors)  # the manifest the child wrote
        log.debug("drafts of %d articles made in a second process", self.drafted + self.done)

    def add_articles(self, articles: Iterable[Any]) -> None:
        """Render drafts for every publishable article that may still be posted or changed
        since it was (links are resolved by now); keep only the source of the others."""
        if self.settings is None or self.background is not None:
            return
        with collection_paused():
            for article in articles:
                self._add_article(article)

    def _add_article(self, article: Any) -> None:
        assert self.settings is not None
        if not is_publishable(article):
            return
        try:
            source = article_source(article, self.settings, with_summary=False)
            date = source.date.isoformat()
            names = syndicated_platforms(source, self.settings.platforms)
            if not names:
                return
            inputs = platform_inputs(source, names, self.settings, self.templates)
            if self.is_done(source.key, inputs):
                # Its summary is made only if a preview asks for its drafts.
                self.articles.append(((date, source.key), self.spool.put(encode_article(
                    source.key, inputs, source, summary_html(article)))))
                self.done += 1
                return
            reused = reusable_drafts(source, self.settings, self.templates, self.previous)
            if reused is None:
                source = replace(source, summary=summary_text(article))
                reused = [(draft.platform, encode_draft(draft.to_json()))
                          for draft in drafts_for(source, self.settings, self.templates,
                                                  inputs)]
            self.drafts.extend(((date, source.key, platform), self.spool.put(text))
                               for platform, text in reused)
            self.articles.append(((date, source.key),
                                  self.spool.put(encode_article(source.key, inputs))))
            self.drafted += 1
        except SyndicateError as error:
            self._error(error.line())

    def is_done(self, key: str, inputs: Mapping[str, str]) -> bool:
        """Whether the article needs no drafts: done on every platform it goes to (posted,
        skipped or retracted), and made from the same inputs as each post it has."""
        ledger = self.ledger
        if ledger is None:
            return False
        for platform, made_from in inputs.items():
            entry = ledger.entry(key, platform)
            if not entry or not ledger.is_done(key, platform):
                return False
            if entry["state"] == "posted" and entry.get("inputs") != made_from:
                return False
        return True

    def record_unreadable(self, context: Mapping[str, Any]) -> None:
        """Pelican skips unreadable files with a log line; make each a build error.

        A file marked `Status: draft` would not be posted anyway: a warning is enough.
        """
        base = Path(str(self.pelican_settings["PATH"]))
        for relative_path, content in context.get("generated_content", {}).items():
            if content is not None:
                continue
            line = diagnose_unreadable(self.pelican_settings, relative_path)
            if is_marked_draft(base / relative_path):
                log.warning("%s (a draft: nothing of it is posted)", line)
            else:
                self._error(line)

    def manifest_path(self) -> Path:
        if self.settings:
            return self.settings.manifest_path
        root = Path(str(self.pelican_settings.get("PATH", "content"))).resolve().parent
        return root / str(DEFAULTS["manifest"])

    def finish(self, write_page: PageWriter | None = None) -> None:
        """Write the manifest, and the HTML preview page where the settings ask for one
        (write_page, from the plugin: the build does not import the previews)."""
        self.collect_drafts()
        page = self.settings.preview_html if self.settings else None
        output = Path(str(self.pelican_settings.get("OUTPUT_PATH", "output"))).resolve()
        if page and (page == output or output in page.parents):
            self._error(f"{SETTINGS_WHERE}: SYNDICATE preview_html {page} is inside the "
                        "output folder, which is deployed; put it elsewhere, e.g. "
                        "'.syndicate/preview.html'")
            page = None
        if self.written_with != self.errors:  # not written, or errors found since
            self.write_manifest()
        ledger = self.book.again() if self.book and page and write_page else None
        if page and write_page and self.settings and ledger is not None:
            write_page(page, self.settings, ledger, list(self.texts()))
        self.spool.close()
        if self.copied and self.settings:
            add_copies_to_feeds(output, self.copies)

    def texts(self) -> Iterator[str]:
        """The drafts' lines, in the manifest's order once write_manifest sorted them."""
        return (self.spool.get(place) for _, place in self.drafts)

    def write_manifest(self) -> None:
        """Write the manifest (an unchanged one is not written again); remember which
        errors it holds."""
        self.drafts.sort(key=lambda item: item[0])
        self.articles.sort(key=lambda item: item[0])
        siteurl = self.settings.siteurl if self.settings else ""

        def lines() -> Iterator[str]:
            return (self.spool.get(place) for _, place in self.articles)

        unchanged = (not self.errors and self.previous_siteurl == siteurl
                     and len(self.drafts) == len(self.previous)
                     and all(text == self.previous.get(text[-66:-2]) for text in self.texts())
                     and lines_digest(lines()) == self.previous_articles)
        if not unchanged:
            write_manifest(self.manifest_path(), siteurl, self.errors, self.texts(), lines())
        self.written_with = list(self.errors)

    def copies(self) -> dict[str, list[str]]:
        """Article URL → the addresses of its copies (Pelican makes each URL: only a blog
        with Atom feeds asks)."""
        siteurl = self.settings.siteurl if self.settings else ""
        return {absolute_url(siteurl, article.url): urls for article, urls in self.copied}



class LineSpool:
    """Lines of the manifest kept in a temporary file until it is written, each found
    again by its place: a large blog's drafts are tens of MiB the build would otherwise
    hold to its end (compressing them instead cost a tenth of a cold build's drafting)."""

    def __init__(self) -> None:
        self.file: IO[bytes] | None = None
        self.size = 0

    def open(self) -> IO[bytes]:
        if self.file is None:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        return self.file

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def put(self, line: str) -> tuple[int, int]:
        """Keep line; where it is (offset, length) to get it back."""
        data = line.encode("utf-8")
        file = self.open()
        file.seek(self.size)
        file.write(data)
        place = (self.size, len(data))
        self.size += len(data)
        return place

    def get(self, place: tuple[int, int]) -> str:
        assert self.file is not None
        self.file.seek(place[0])
        return self.file.read(place[1]).decode("utf-8")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
