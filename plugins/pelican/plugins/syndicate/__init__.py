"""Pelican plugin: turns each published article into platform drafts (no network).

Shipped in the `pelican-syndicate` wheel as the namespace plugin `pelican.plugins.syndicate`:
a site loads it with `PLUGINS = ["syndicate"]` and no PLUGIN_PATHS. All the work is done
by syndicate.compose.pelican_build; this module only connects Pelican's signals to it
(and hands it the HTML preview's writer, so the build does not import the previews).
"""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

from syndicate.compose.pelican_build import SESSION_KEY, BuildSession
from syndicate.compose.pelican_theme import add_theme_templates


def _session(settings: dict[str, Any]) -> BuildSession:
    session = settings.get(SESSION_KEY)
    if not isinstance(session, BuildSession):
        session = BuildSession(settings)
        settings[SESSION_KEY] = session
    return session


def start_session(pelican: Any) -> None:
    # A fresh session per build, also across rebuilds in `pelican --autoreload`.
    pelican.settings[SESSION_KEY] = BuildSession(pelican.settings)
    # Before the generators are made: they read the template folders once.
    add_theme_templates(pelican.settings)


def attach_syndication_links(generator: Any) -> None:
    _session(generator.settings).attach_links(generator.articles)


def render_drafts(generator: Any, writer: Any) -> None:
    # After the writer: Pelican has resolved {filename} links in content and summary
    # (unless start_drafting has the drafts made in a second process: then nothing).
    _session(generator.settings).add_articles(generator.articles)


def write_manifest(pelican: Any) -> None:
    from syndicate.preview.html import write_preview_page

    _session(pelican.settings).finish(write_page=write_preview_page)
    pelican.settings.pop(SESSION_KEY, None)


def start_drafting(generators: list[Any]) -> None:
    if not generators:
        return
    session = _session(generators[0].settings)
    # Every generator shares one context; it lists the files Pelican could not read.
    session.record_unreadable(generators[0].context)
    writers = [g for g in generators if isinstance(g, ArticlesGenerator)]
    if len(writers) != 1:
        return  # articles from elsewhere too: drafted in this process, once written

    def resolve_links() -> None:
        # What Pelican does next, before writing: links in summaries and metadata.
        for generator in generators:
            if hasattr(generator, "refresh_metadata_intersite_links"):
                generator.refresh_metadata_intersite_links()

    session.start_drafting(writers[0].articles, resolve_links)


def register() -> None:
    signals.initialized.connect(start_session)
    signals.article_generator_finalized.connect(attach_syndication_links)
    signals.all_generators_finalized.connect(start_drafting)
    signals.article_writer_finalized.connect(render_drafts)
    signals.finalized.connect(write_manifest)
