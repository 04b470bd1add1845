"""The build side: Pelican articles in, drafts and a manifest out, no network.

The `syndication` plugin only connects Pelican's signals to a BuildSession; everything
that knows about Pelican's objects lives here so the plugin stays a thin adapter.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate.compose.articles import ArticleSource, content_relative, syndicated_platforms
from syndicate.compose.drafting import drafts_for
from syndicate.compose.fingerprints import platform_inputs, reusable_drafts
from syndicate.compose.manifest import (
    encode_article,
    encode_draft,
    lines_digest,
    previous_drafts,
    write_manifest,
)
from syndicate.compose.templates import DraftTemplates
from syndicate.errors import SyndicateError
from syndicate.ledger import Ledger
from syndicate.platforms import PLATFORM_CLASSES
from syndicate.responses import Responses
from syndicate.settings import DEFAULTS, Settings, settings_from_pelican
from syndicate.text.excerpt import first_prose, plain_text

log = logging.getLogger("syndicate.build")
SESSION_KEY = "_SYNDICATE_BUILD_SESSION"
SETTINGS_WHERE = "SYNDICATE (Pelican settings)"
# Templates any theme can include: {% include "syndicate/also_on.html" %} and
# {% include "syndicate/responses.html" %}.
# Writes the HTML preview page: (path, settings, ledger, the drafts' JSON lines).
PageWriter = Callable[[Path, Settings, Ledger, list[str]], None]
THEME_TEMPLATES = Path(__file__).parents[1] / "templates" / "theme"
INCLUDES = {"also_on": "syndicate/also_on.html", "responses": "syndicate/responses.html"}
# What a theme's templates name when they show the links or the responses themselves.
RENDERED_BY = {"also_on": ("article.syndication", INCLUDES["also_on"]),
               "responses": ("article.responses", INCLUDES["responses"])}
# The article's own HTML, kept when the links and responses are appended to its content.
SOURCE_CONTENT = "_syndicate_source_content"


@dataclass(frozen=True)
class SyndicationLink:
    """An "Also on" link for the theme: `article.syndication` is a list of these."""

    platform: str
    label: str
    url: str


def absolute_url(siteurl: str, path: str) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*://", path, re.I):
        return path
    return f"{siteurl.rstrip('/')}/{path.lstrip('/')}"


def is_publishable(article: Any, now: datetime | None = None) -> bool:
    """Published, not hidden or draft, and not dated in the future."""
    if getattr(article, "status", "published") != "published":
        return False
    date = getattr(article, "date", None)
    if date is None:
        return True
    now = now or datetime.now(date.tzinfo)
    return bool(date <= now)


def article_key(article: Any) -> str:
    # Kept on the article: the links, the ledger and the drafts each ask for it.
    key = getattr(article, "_syndicate_key", None)
    if key is None:
        pinned = article.metadata.get("syndicate_key")
        key = str(pinned).strip() if pinned else str(article.get_relative_source_path())
        article._syndicate_key = key
    return str(key)


def _relative_to(path: str, root: str) -> str:
    # String work, not pathlib: this runs for every article of every build.
    prefix = root.rstrip(os.sep) + os.sep
    return path[len(prefix):] if path.startswith(prefix) else path


def source_content(article: Any) -> str:
    """The article's own HTML, without what the plugin appended (links not resolved)."""
    original = getattr(article, SOURCE_CONTENT, None)
    return str(original if original is not None else getattr(article, "_content", "") or "")


def summary_source(article: Any) -> str:
    """The HTML an article's summary is made from (links not resolved: text is the same)."""
    metadata = article.metadata
    if "summary" in metadata:
        return str(metadata["summary"])
    if metadata.get("description"):
        return str(metadata["description"])
    return source_content(article)


def add_theme_templates(pelican_settings: MutableMapping[str, Any]) -> None:
    """Let any theme include "syndicate/also_on.html" and "syndicate/responses.html"
    (after the blogger's own overrides, so theirs win)."""
    overrides = [str(path) for path in pelican_settings.get("THEME_TEMPLATES_OVERRIDES") or []]
    if str(THEME_TEMPLATES) not in overrides:
        # A new list: Pelican's default one is shared by every build in the process.
        pelican_settings["THEME_TEMPLATES_OVERRIDES"] = [*overrides, str(THEME_TEMPLATES)]


def _template_folders(pelican_settings: Mapping[str, Any]) -> list[Path]:
    """The blogger's template overrides, then the theme's templates (not this package's)."""
    overrides = [Path(str(path)) for path in
                 pelican_settings.get("THEME_TEMPLATES_OVERRIDES") or []]
    theme = Path(str(pelican_settings.get("THEME") or "")) / "templates"
    return [path for path in overrides if path != THEME_TEMPLATES] + [theme]


def parts_the_theme_renders(pelican_settings: Mapping[str, Any]) -> set[str]:
    """Which of "also_on" and "responses" the theme's templates show themselves."""
    found: set[str] = set()
    for folder in _template_folders(pelican_settings):
        for path in folder.rglob("*") if folder.is_dir() else []:
            # An override of an include defines it: it does not show it on a page.
            if not path.is_file() or path.relative_to(folder).as_posix() in INCLUDES.values():
                continue
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found.update(part for part, names in RENDERED_BY.items()
                         if any(name in text for name in names))
    return found


def append_to_content(article: Any, html: str) -> None:
    """The article's content becomes its own HTML followed by html; the same on every
    build and rebuild (never appended twice)."""
    original = source_content(article)
    setattr(article, SOURCE_CONTENT, original)
    article._content = original + html


def summary_html(article: Any) -> tuple[str, str]:
    """What summary_text makes the summary from, without the work of making it: "summary"
    or "description" (its HTML, made plain text) or "content" (its first real paragraph),
    and that HTML (links resolved)."""
    metadata = article.metadata
    if "summary" in metadata:
        return "summary", str(article.summary)
    if metadata.get("description"):
        return "description", str(metadata["description"])
    content = str(article.content)
    appended = content.rfind('\n<aside class="syndicate">')
    if getattr(article, "syndicate_appended", ()) and appended >= 0:
        content = content[:appended]  # what append_to_articles added: no prose of its own
    return "content", content


def summary_text(article: Any) -> str:
    """The author's summary or description, else the first real paragraph, as plain text."""
    metadata = article.metadata
    if "summary" in metadata:
        return plain_text(article.summary)
    if metadata.get("description"):
        return plain_text(str(metadata["description"]))
    return first_prose(article.content)


def image_file(image: str, settings: Settings) -> str | None:
    """The card image's file in the content folder, relative to the project root; None
    when there is no such file or, symlinks resolved, it lies outside the content folder
    (an article must not make a private file its card image)."""
    if "://" in image:
        return None
    from syndicate.images import inside

    path = inside(settings.content_path, content_relative(image))
    if path is None or not path.is_file():
        return None
    return _relative_to(str(path), str(settings.root))


def article_source(article: Any, settings: Settings, with_summary: bool = True
                   ) -> ArticleSource:
    """Reduce a Pelican article to an ArticleSource; call only after links are resolved.

    Without the summary it is cheap, and its summary_digest tells whether the article's
    drafts from the last build can be reused.
    """
    metadata = article.metadata
    image = metadata.get("image")
    digest = hashlib.sha256(summary_source(article).encode("utf-8")).hexdigest()
    return ArticleSource(
        key=article_key(article),
        source=_relative_to(article.source_path, str(settings.root)),
        url=absolute_url(settings.siteurl, article.url),
        title=plain_text(article.title),
        summary=summary_text(article) if with_summary else "",
        date=article.date,
        lang=getattr(article, "lang", None) or settings.default_lang,
        author=str(getattr(article, "author", "") or ""),
        tags=tuple(tag.name for tag in getattr(article, "tags", []) or []),
        image_url=absolute_url(settings.siteurl, str(image)) if image else None,
        image_alt=str(metadata["image_alt"]) if metadata.get("image_alt") else None,
        image_file=image_file(str(image), settings) if image else None,
        metadata={key: value for key, value in metadata.items() if isinstance(value, str)},
        summary_digest=digest,
    )


def _line_of(path: Path, key: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, start=1):
        if line.lower().lstrip().startswith(f"{key}:"):
            return number
    return None


def is_marked_draft(path: Path) -> bool:
    """Whether the file's front matter says `Status: draft` (read without Pelican)."""
    try:
        head = path.read_text(encoding="utf-8-sig").split("\n\n", 1)[0]
    except OSError:
        return False
    return re.search(r"^\s*:?status:\s*draft\s*$", head, re.I | re.M) is not None


def diagnose_unreadable(pelican_settings: Mapping[str, Any], relative_path: str) -> str:
    """One line saying why Pelican skipped a source file, and how to fix it."""
    from pelican.contents import Article
    from pelican.readers import Readers

    base = Path(str(pelican_settings["PATH"]))
    path = base / relative_path
    shown = str(path.relative_to(base.parent)) if path.is_relative_to(base.parent) else path
    try:
        content = Readers(dict(pelican_settings)).read_file(
            base_path=str(base), path=relative_path, content_class=Article)
    except ValueError as error:
        message = str(error)
        if "not a valid date" in message:
            line = _line_of(path, "date")
            where = f"{shown}:{line}" if line else str(shown)
            return (f"{where}: unparseable date {message.split(' is not')[0]}; "
                    "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM")
        return f"{shown}: cannot be read ({message}); fix its front matter"
    except Exception as error:  # the reader's own failure, reported as one line
        return f"{shown}: cannot be read ({type(error).__name__}: {error}); fix its front matter"
    missing = [name for name in content.mandatory_properties if not hasattr(content, name)]
    if missing:
        return (f"{shown}: missing {missing[0]}; add a '{missing[0].capitalize()}: …' line "
                "to the front matter")
    return f"{shown}: skipped by Pelican; run pelican with --debug to see why"


class BuildSession:
    """Collects drafts across one Pelican build and writes the manifest at its end."""

    def __init__(self, pelican_settings: Mapping[str, Any]) -> None:
        self.pelican_settings = pelican_settings
        self.errors: list[str] = []
        # (sort key, draft as a line of JSON, compressed): reused drafts are never parsed,
        # and thousands of drafts held to the build's end take little memory.
        self.drafts: list[tuple[tuple[str, str, str], bytes]] = []
        # (sort key, article line): each article's inputs; a done article's source. Kept
        # compressed: a done article's line holds its HTML, the whole blog's in all.
        self.articles: list[tuple[tuple[str, str], bytes]] = []
        # How many articles were drafted, and how many were done everywhere (not drafted).
        self.drafted = self.done = 0
        self.settings: Settings | None = None
        self.ledger: Ledger | None = None
        self.responses: Responses | None = None
        # Article URL → the addresses of its copies, for the Atom feeds.
        self.copies: dict[str, list[str]] = {}
        self.previous: dict[str, str] = {}
        self.previous_articles = ""  # their lines_digest
        self.previous_siteurl: str | None = None
        self.theme_templates: Any = None  # a Jinja2 Environment, made when first needed
        try:
            self.settings = settings_from_pelican(pelican_settings, SETTINGS_WHERE)
            self.templates = DraftTemplates(self.settings.templates_path)
            self.ledger = Ledger.load_for_build(self.settings.ledger_path, PLATFORM_CLASSES)
            self.responses = Responses.load(self.settings.responses_path)
            self.previous_siteurl, self.previous, self.previous_articles = previous_drafts(
                self.settings.manifest_path)
        except SyndicateError as error:
            self._error(error.line())

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
        articles = list(articles)
        if self.ledger and self.settings:
            # A moved source file is the same article (in memory: `post` saves it).
            # Only an article the ledger does not know can be a moved one: Pelican makes
            # each article's URL from its settings, so the others skip that work.
            siteurl, ledger = self.settings.siteurl, self.ledger
            self.ledger.follow_moves(
                (key, "" if ledger.knows(key) else absolute_url(siteurl, a.url))
                for a in articles for key in (article_key(a),))
        local = {name for name, platform in PLATFORM_CLASSES.items() if not platform.remote}
        for article in articles:
            links = self.ledger.links(article_key(article), local) if self.ledger else []
            article.syndication = [
                SyndicationLink(name, PLATFORM_CLASSES[name].label, url) for name, url in links
            ]
            if links and self.settings:
                self.copies[absolute_url(self.settings.siteurl, article.url)] = \
                    [url for _, url in links]
            # Replies, reposts and likes from `syndicate backfeed`, cleaned (for the theme).
            found = self.responses.for_article(article_key(article)) if self.responses \
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

            overrides = _template_folders(self.pelican_settings)[:-1]
            self.theme_templates = Environment(
                loader=FileSystemLoader([*overrides, THEME_TEMPLATES]), autoescape=True,
                trim_blocks=True, lstrip_blocks=True)
        template = self.theme_templates.get_template(INCLUDES[part])
        return str(template.render(article=article,
                                   DEFAULT_LANG=self.pelican_settings.get("DEFAULT_LANG")))

    def add_articles(self, articles: Iterable[Any]) -> None:
        """Render drafts for every publishable article that may still be posted or changed
        since it was (links are resolved by now); keep only the source of the others."""
        if self.settings is None:
            return
        for article in articles:
            if not is_publishable(article):
                continue
            try:
                source = article_source(article, self.settings, with_summary=False)
                date = source.date.isoformat()
                names = syndicated_platforms(source, self.settings.platforms)
                if not names:
                    continue
                inputs = platform_inputs(source, names, self.settings, self.templates)
                if self.is_done(source.key, inputs):
                    # Its summary is made only if a preview asks for its drafts.
                    self.articles.append(((date, source.key), _packed(encode_article(
                        source.key, inputs, source, summary_html(article)))))
                    self.done += 1
                    continue
                reused = reusable_drafts(source, self.settings, self.templates, self.previous)
                if reused is None:
                    source = replace(source, summary=summary_text(article))
                    reused = [(draft.platform, encode_draft(draft.to_json()))
                              for draft in drafts_for(source, self.settings, self.templates)]
                self.drafts.extend(((date, source.key, platform), _packed(text))
                                   for platform, text in reused)
                self.articles.append(((date, source.key),
                                      _packed(encode_article(source.key, inputs))))
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
        page = self.settings.preview_html if self.settings else None
        output = Path(str(self.pelican_settings.get("OUTPUT_PATH", "output"))).resolve()
        if page and (page == output or output in page.parents):
            self._error(f"{SETTINGS_WHERE}: SYNDICATE preview_html {page} is inside the "
                        "output folder, which is deployed; put it elsewhere, e.g. "
                        "'.syndicate/preview.html'")
            page = None
        self.drafts.sort(key=lambda item: item[0])
        self.articles.sort(key=lambda item: item[0])
        siteurl = self.settings.siteurl if self.settings else ""

        def texts() -> Iterator[str]:
            return (_unpacked(text) for _, text in self.drafts)

        def lines() -> Iterator[str]:
            return (_unpacked(line) for _, line in self.articles)

        unchanged = (not self.errors and self.previous_siteurl == siteurl
                     and len(self.drafts) == len(self.previous)
                     and all(text == self.previous.get(text[-66:-2]) for text in texts())
                     and lines_digest(lines()) == self.previous_articles)
        if not unchanged:  # an unchanged manifest is not written again
            write_manifest(self.manifest_path(), siteurl, self.errors, texts(), lines())
        if page and write_page and self.settings and self.ledger is not None:
            write_page(page, self.settings, self.ledger, list(texts()))
        if self.copies:
            add_copies_to_feeds(output, self.copies)



def _packed(line: str) -> bytes:
    return zlib.compress(line.encode("utf-8"), 1)


def _unpacked(line: bytes) -> str:
    return zlib.decompress(line).decode("utf-8")


ATOM = "http://www.w3.org/2005/Atom"


def add_copies_to_feeds(output: Path, copies: Mapping[str, list[str]]) -> None:
    """Give each Atom feed entry of a syndicated article a rel="syndication" link to each
    copy (RSS has no such link: its feeds are left as they are)."""
    from xml.etree import ElementTree

    ElementTree.register_namespace("", ATOM)
    for path in output.rglob("*.xml"):
        try:
            tree = ElementTree.parse(path)
        except (ElementTree.ParseError, OSError):
            continue
        root = tree.getroot()
        if root.tag != f"{{{ATOM}}}feed":
            continue
        changed = False
        for entry in root.iter(f"{{{ATOM}}}entry"):
            links = entry.findall(f"{{{ATOM}}}link")
            url = next((link.get("href") for link in links
                        if link.get("rel", "alternate") == "alternate"), None)
            present = {link.get("href") for link in links if link.get("rel") == "syndication"}
            for copy in copies.get(url or "", []):
                if copy not in present:
                    ElementTree.SubElement(entry, f"{{{ATOM}}}link",
                                           {"rel": "syndication", "href": copy})
                    changed = True
        if changed:
            tree.write(path, encoding="utf-8", xml_declaration=True)
