"""What the build gives the blog's pages and feeds: "Also on" links and responses any
theme can include (or the build appends to each article's content when the theme does
not show them), and rel="syndication" links in the Atom feeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndicate.compose.pelican_articles import SOURCE_CONTENT, source_content

# Templates any theme can include: {% include "syndicate/also_on.html" %} and
# {% include "syndicate/responses.html" %}.
THEME_TEMPLATES = Path(__file__).parents[1] / "templates" / "theme"
INCLUDES = {"also_on": "syndicate/also_on.html", "responses": "syndicate/responses.html"}
# What a theme's templates name when they show the links or the responses themselves.
RENDERED_BY = {"also_on": ("article.syndication", INCLUDES["also_on"]),
               "responses": ("article.responses", INCLUDES["responses"])}


@dataclass(frozen=True)
class SyndicationLink:
    """An "Also on" link for the theme: `article.syndication` is a list of these."""

    platform: str
    label: str
    url: str


def add_theme_templates(pelican_settings: MutableMapping[str, Any]) -> None:
    """Let any theme include "syndicate/also_on.html" and "syndicate/responses.html"
    (after the blogger's own overrides, so theirs win)."""
    overrides = [str(path) for path in pelican_settings.get("THEME_TEMPLATES_OVERRIDES") or []]
    if str(THEME_TEMPLATES) not in overrides:
        # A new list: Pelican's default one is shared by every build in the process.
        pelican_settings["THEME_TEMPLATES_OVERRIDES"] = [*overrides, str(THEME_TEMPLATES)]


def template_folders(pelican_settings: Mapping[str, Any]) -> list[Path]:
    """The blogger's template overrides, then the theme's templates (not this package's)."""
    overrides = [Path(str(path)) for path in
                 pelican_settings.get("THEME_TEMPLATES_OVERRIDES") or []]
    theme = Path(str(pelican_settings.get("THEME") or "")) / "templates"
    return [path for path in overrides if path != THEME_TEMPLATES] + [theme]


def parts_the_theme_renders(pelican_settings: Mapping[str, Any]) -> set[str]:
    """Which of "also_on" and "responses" the theme's templates show themselves."""
    found: set[str] = set()
    for folder in template_folders(pelican_settings):
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


ATOM = "http://www.w3.org/2005/Atom"


def add_copies_to_feeds(output: Path, copies_of: Callable[[], Mapping[str, list[str]]]
                        ) -> None:
    """Give each Atom feed entry of a syndicated article a rel="syndication" link to each
    copy (RSS has no such link: its feeds are left as they are). copies_of() gives each
    article URL's copies; it is asked only when there is an Atom feed."""
    from xml.etree import ElementTree

    ElementTree.register_namespace("", ATOM)
    copies: Mapping[str, list[str]] | None = None
    for path in output.rglob("*.xml"):
        try:
            tree = ElementTree.parse(path)
        except (ElementTree.ParseError, OSError):
            continue
        root = tree.getroot()
        if root.tag != f"{{{ATOM}}}feed":
            continue
        if copies is None:
            copies = copies_of()
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
