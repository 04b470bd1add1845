"""The builds that make the drafts: Pelican with the plugin, or, for a blog not built
with Pelican, the articles of its feed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from syndicate.compose.manifest import Manifest, load_manifest
from syndicate.errors import SettingsError, SyndicateError
from syndicate.settings import Settings


def _reported_by_the_plugin(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith(("Could not process", "Skipping %s: could not"))


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


def build_from_feed(settings: Settings, now: datetime | None = None) -> Manifest:
    """Read the articles of SYNDICATE["feed"] and write their drafts to the manifest
    (articles dated after now, scheduled, are left out); the manifest written."""
    import httpx

    from syndicate.compose.drafting import drafts_for
    from syndicate.compose.feed_source import articles_from_feed
    from syndicate.compose.manifest import encode_draft, write_manifest
    from syndicate.compose.templates import DraftTemplates
    from syndicate.http import Http
    from syndicate.settings import is_absolute_siteurl

    url = str(settings.feed_url)
    http = Http(max_total_wait=30)
    try:
        response = http.request("feed", "GET", url, idempotent=True, follow_redirects=True)
    except httpx.HTTPError as error:
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
    now = now or datetime.now(UTC)
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
    return load_manifest(settings.manifest_path)
