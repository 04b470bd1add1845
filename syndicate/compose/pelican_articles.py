"""A Pelican article in the library's terms: its key, its address, whether it is
published, its summary and card image, reduced to an ArticleSource; and why Pelican
skipped a source file it could not read.

Only reads Pelican's objects (and the source files): the build session
(compose.pelican_build) decides what to do with them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate.compose.articles import ArticleSource, content_relative
from syndicate.settings import Settings
from syndicate.text.excerpt import first_prose, plain_text

# The article's own HTML, kept when the links and responses are appended to its content.
SOURCE_CONTENT = "_syndicate_source_content"


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
        # Pelican sets relative_source_path when it makes the article, from the same
        # method (which costs a few path operations each time it is called).
        key = str(pinned).strip() if pinned else str(
            getattr(article, "relative_source_path", None) or article.get_relative_source_path())
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


def resolved_content(article: Any) -> str:
    """The article's HTML with its links made against SITEURL. Not `article.content`:
    with RELATIVE_URLS its links are relative to whichever page Pelican wrote last, and
    a relative link cannot be shown in a post (the excerpt leaves it out)."""
    return str(article.get_content(str(article.settings.get("SITEURL") or "")))


def summary_html(article: Any) -> tuple[str, str]:
    """What summary_text makes the summary from, without the work of making it: "summary"
    or "description" (its HTML, made plain text) or "content" (its first real paragraph),
    and that HTML (links resolved)."""
    metadata = article.metadata
    if "summary" in metadata:
        return "summary", str(article.summary)
    if metadata.get("description"):
        return "description", str(metadata["description"])
    content = resolved_content(article)
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
    return first_prose(resolved_content(article))


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
