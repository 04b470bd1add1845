"""The one `SYNDICATE` settings dict, validated, with environment overrides applied.

Relative paths are resolved against the project root: the folder that holds the content
folder (Pelican's PATH), so the build and the CLI agree wherever they are started from.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any

from syndicate.errors import SettingsError
from syndicate.platforms import PLATFORM_CLASSES, Platform
from syndicate.platforms.base import PlatformSettings
from syndicate.setting_values import (
    ENV_PREFIX,
    allowance,
    append_to_content_choice,
    boolean,
    choice,
    hashtag_map,
    live_check,
    positive_int,
    secret_value,
    suggest,
)

DEFAULTS: Mapping[str, Any] = {
    "platforms": {"outbox": {}},
    "ledger": "syndication.json",
    "manifest": ".syndicate/manifest.json",
    "templates": "syndicate_templates",
    "max_per_run": 5,
    "hashtags": 4,
    # Tag name → hashtag ("#cpp"), or None / "" to leave the tag out; adds to and
    # overrides articles.SYMBOL_HASHTAGS.
    "hashtag_map": {},
    # Post to remote platforms only once the deployed site serves the article: "page"
    # (or True): its page answers 200; "feed": the deployed feed lists it (one request
    # for many articles); False: do not check.
    "check_live": True,
    # `syndicate check` and card images: a missing alt text fails the check ("error"),
    # is only reported ("warn"), or is not mentioned ("off"); larger images fail it.
    "alt_text": "error",
    "max_image_bytes": 5_000_000,
    # With approval required, `post` sends only drafts whose exact content a person
    # approved with `syndicate approve` (recorded in the approvals file, committed).
    "require_approval": False,
    "approvals": "approvals.json",
    # Where each build also writes the HTML preview (None: only `preview --format html`).
    "preview_html": None,
    # Replies, reposts and likes brought home by `syndicate backfeed` (commit it).
    "responses": "responses.json",
    # Minutes an article must have been live before it is posted (time to fix a typo).
    "delay_minutes": 0,
    # Send webmentions to the pages a newly posted article links to.
    "webmentions": False,
    # Fetches of addresses an article or a page names (webmentions) never reach loopback,
    # private, link-local or reserved addresses, unless this is True (tests, intranets)
    # or a list of the networks and addresses to allow, e.g. ["10.1.0.0/16", "127.0.0.1"].
    "allow_private_addresses": False,
    # A blog not built with Pelican: its Atom, RSS or JSON Feed, read by `syndicate build`.
    "feed": None,
    # Append the "Also on" links and the responses to each article's content, so any
    # theme shows them: "auto" unless the theme's templates render them already.
    "append_to_content": "auto",
    # Make the drafts in a second process while Pelican writes the site, on Linux with
    # more than one CPU (elsewhere in Pelican's own process, as with False).
    "parallel_drafting": True,
}


@dataclass(frozen=True)
class Settings:
    """Everything syndicate needs to know, from the settings file and the environment."""

    where: str
    root: Path
    content_path: Path
    siteurl: str
    sitename: str
    author: str
    default_lang: str
    ledger_path: Path
    manifest_path: Path
    templates_path: Path
    max_per_run: int
    hashtags: int
    # Lower-cased tag names → "#hashtag", or None to leave the tag out.
    hashtag_map: Mapping[str, str | None] = field(default_factory=dict)
    check_live: str = "page"  # "page", "feed" or "" (off)
    alt_text: str = "error"  # "error", "warn" or "off"
    max_image_bytes: int = 5_000_000
    require_approval: bool = False
    approvals_path: Path = Path("approvals.json")
    preview_html: Path | None = None
    responses_path: Path = Path("responses.json")
    delay_minutes: int = 0
    webmentions: bool = False
    # True: any address; False: public ones only; networks: those besides public ones.
    allow_private_addresses: bool | tuple[IPv4Network | IPv6Network, ...] = False
    feed_url: str | None = None
    # The feeds the site publishes, as absolute URLs (for check_live "feed").
    feed_urls: tuple[str, ...] = ()
    append_to_content: bool | str = "auto"  # True, False or "auto"
    parallel_drafting: bool = True
    platforms: dict[str, Platform] = field(default_factory=dict)


def _platform_settings(
    name: str, raw: Any, where: str, environ: Mapping[str, str]
) -> PlatformSettings:
    cls = PLATFORM_CLASSES[name]
    if not isinstance(raw, Mapping):
        raise SettingsError(where, f"SYNDICATE['platforms']['{name}'] must be a dict",
                            f"write it as \"{name}\": {{}} with its settings inside")
    allowed = sorted({*cls.common_options, *cls.option_defaults, *cls.preview_options})
    options: dict[str, Any] = {}
    for key, value in raw.items():
        if key in cls.secret_keys:
            variable = f"{ENV_PREFIX}{name.upper()}_{key.upper()}"
            raise SettingsError(
                where,
                f"SYNDICATE['platforms']['{name}']['{key}'] is a secret and must not be in a "
                "settings file",
                f"remove it and set the environment variable {variable} instead",
            )
        if key not in allowed:
            raise SettingsError(where, f"unknown {name} setting {key!r}",
                                suggest(key, allowed + list(cls.secret_keys)))
        options[key] = value
    secrets: dict[str, str] = {}
    from_environment: set[str] = set()
    prefix = f"{ENV_PREFIX}{name.upper()}_"
    for variable, value in environ.items():
        if not variable.startswith(prefix):
            continue
        key = variable[len(prefix):].lower()
        if key in cls.secret_keys:
            secrets[key] = secret_value(variable, value)
        elif key in allowed:
            options[key] = value
            from_environment.add(key)
        else:
            raise SettingsError(
                "environment", f"{variable} is not a {name} setting",
                suggest(key, allowed + list(cls.secret_keys)).replace(
                    "use one of: ", f"use {prefix}<KEY> with KEY one of: "),
            )
    if options.get("limit") is not None:
        options["limit"] = positive_int(options["limit"], where, f"{name} limit")
    if "on_edit" in options:
        _on_edit(name, options["on_edit"], where)
    # Each of the platform's own options has a type (its Options): a wrong one is named
    # here, with where it was set, before anything is built.
    typed = cls.Options.names()
    for key in sorted(typed & options.keys()):
        try:
            cls.Options.read(name, {key: options[key]})
        except SettingsError as error:
            raise SettingsError("environment" if key in from_environment else where,
                                error.problem, error.fix) from None
    return PlatformSettings(name=name, options=options, secrets=secrets)


def settings_from_pelican(
    pelican: Mapping[str, Any], where: str, environ: Mapping[str, str] | None = None
) -> Settings:
    """Validate pelican['SYNDICATE'] and apply SYNDICATE_* environment overrides."""
    environ = os.environ if environ is None else environ
    raw = pelican.get("SYNDICATE", {})
    if not isinstance(raw, Mapping):
        raise SettingsError(where, "SYNDICATE must be a dict", "write SYNDICATE = {...}")
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise SettingsError(where, f"unknown SYNDICATE setting {unknown[0]!r}",
                            suggest(unknown[0], sorted(DEFAULTS)))
    merged = {**DEFAULTS, **raw}
    raw_platforms = merged["platforms"]
    if not isinstance(raw_platforms, Mapping):
        raise SettingsError(where, "SYNDICATE['platforms'] must be a dict of platform names",
                            'write "platforms": {"outbox": {}, "mastodon": {...}}')
    platforms: dict[str, Platform] = {}
    for name, options in raw_platforms.items():
        if name not in PLATFORM_CLASSES:
            raise SettingsError(where, f"unknown platform {name!r} in SYNDICATE['platforms']",
                                suggest(str(name), sorted(PLATFORM_CLASSES)))
        platforms[name] = PLATFORM_CLASSES[name](
            _platform_settings(name, options, where, environ))

    content = Path(str(pelican.get("PATH", "content")))
    root = content.resolve().parent

    def path_setting(key: str, variable: str | None = None) -> Path:
        if variable and environ.get(variable):
            return Path(environ[variable]).resolve()
        return (root / str(merged[key])).resolve()

    return Settings(
        where=where,
        root=root,
        content_path=content.resolve(),
        siteurl=str(pelican.get("SITEURL") or ""),
        sitename=str(pelican.get("SITENAME") or ""),
        author=str(pelican.get("AUTHOR") or ""),
        default_lang=str(pelican.get("DEFAULT_LANG") or "en"),
        ledger_path=path_setting("ledger", "SYNDICATE_LEDGER"),
        manifest_path=path_setting("manifest", "SYNDICATE_MANIFEST"),
        templates_path=path_setting("templates"),
        max_per_run=positive_int(merged["max_per_run"], where, "max_per_run"),
        hashtags=positive_int(merged["hashtags"], where, "hashtags") if merged["hashtags"]
        else 0,
        hashtag_map=hashtag_map(merged["hashtag_map"], where),
        check_live=live_check(merged["check_live"], where),
        alt_text=choice(merged["alt_text"], ("error", "warn", "off"), where, "alt_text"),
        max_image_bytes=positive_int(merged["max_image_bytes"], where, "max_image_bytes"),
        require_approval=bool(merged["require_approval"]),
        approvals_path=path_setting("approvals", "SYNDICATE_APPROVALS"),
        preview_html=path_setting("preview_html") if merged["preview_html"] else None,
        responses_path=path_setting("responses", "SYNDICATE_RESPONSES"),
        delay_minutes=positive_int(merged["delay_minutes"], where, "delay_minutes")
        if merged["delay_minutes"] else 0,
        webmentions=bool(merged["webmentions"]),
        allow_private_addresses=allowance(merged["allow_private_addresses"], where, environ),
        feed_url=str(merged["feed"]) if merged["feed"] else None,
        feed_urls=_feed_urls(pelican),
        append_to_content=append_to_content_choice(merged["append_to_content"], where),
        parallel_drafting=boolean(merged["parallel_drafting"], where, "parallel_drafting"),
        platforms=platforms,
    )


EDITS_IN_PLACE = frozenset(name for name, cls in PLATFORM_CLASSES.items() if cls.can_edit)
DELETES = frozenset(name for name, cls in PLATFORM_CLASSES.items() if cls.can_delete)


def on_edit_choices(platform: str) -> tuple[str, ...]:
    """The on_edit values this platform can carry out."""
    cls = PLATFORM_CLASSES[platform]
    return ("ignore", *(("edit",) if cls.can_edit else ()),
            *(("repost",) if cls.can_delete else ()))


def _on_edit(platform: str, value: Any, where: str) -> None:
    choices = on_edit_choices(platform)
    if value not in choices:
        label = PLATFORM_CLASSES[platform].label
        cannot = {"edit": f"{label} posts cannot be edited through its API",
                  "repost": f"{label} posts cannot be deleted through its API"}.get(
                      str(value), f"{value!r} is not an on_edit choice")
        raise SettingsError(where, f"SYNDICATE['platforms']['{platform}']['on_edit'] is "
                            f"{value!r}: {cannot}",
                            "use " + " or ".join(f'"{c}"' for c in choices))


# What a hashtag may hold once its "#" is taken off: letters with their marks, digits, _.
FEED_SETTINGS = ("FEED_ALL_ATOM", "FEED_ALL_RSS", "FEED_ATOM", "FEED_RSS")


def _feed_urls(pelican: Mapping[str, Any]) -> tuple[str, ...]:
    """Where the deployed site's feeds are, as Pelican writes their links."""
    domain = str(pelican.get("FEED_DOMAIN") or pelican.get("SITEURL") or "").rstrip("/")
    paths = [str(pelican[key]) for key in FEED_SETTINGS if pelican.get(key)]
    return tuple(f"{domain}/{path.lstrip('/')}" for path in dict.fromkeys(paths))


def read_settings_file(path: Path) -> dict[str, Any]:
    """The upper-case names a Pelican settings file defines, with PATH made absolute.

    Pelican's own reader would do, but importing Pelican costs a third of a second that
    every `syndicate` command would pay; this follows the same rules for what we read.
    """
    # Under a name of its own: a settings file called syndicate.py or pelican.py must not
    # stand in for the package of that name.
    name = f"_syndicate_settings_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SettingsError(str(path), "is not a Python settings file",
                            "pass a .py file to -s/--settings")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    values = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    syndicate = values.get("SYNDICATE")
    if not values.get("PATH") and isinstance(syndicate, dict) and syndicate.get("feed"):
        # A blog read from its feed has no content folder: the project is where the
        # settings file is.
        values["PATH"] = "content"
    content = values.get("PATH") or os.curdir
    values["PATH"] = os.path.abspath(os.path.join(path.parent, content))
    return values


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read a Pelican settings file (as `pelican -s` does) and its SYNDICATE dict."""
    if not path.is_file():
        raise SettingsError(str(path), "settings file not found",
                            "run from your project folder or pass -s/--settings FILE")
    try:
        pelican = read_settings_file(path)
    except SyntaxError as error:
        raise SettingsError(f"{path}:{error.lineno}", f"syntax error: {error.msg}",
                            "fix the Python syntax of the settings file") from None
    except SettingsError:
        raise
    except Exception as error:  # the settings file is user code: report, don't trace
        raise SettingsError(str(path), f"cannot be loaded: {type(error).__name__}: {error}",
                            "fix the settings file so that `pelican -s` can read it") from None
    return settings_from_pelican(pelican, str(path), environ)


def on_edit_of(settings: Settings, platform: str) -> str:
    """What the platform does to a posted draft whose text changed (its on_edit)."""
    found = settings.platforms.get(platform)
    return str(found.option("on_edit")) if found else "ignore"


def is_absolute_siteurl(siteurl: str) -> bool:
    return siteurl.startswith(("http://", "https://")) and len(siteurl) > len("https://")


def siteurl_problem(platforms: Iterable[Platform], siteurl: str) -> SettingsError | None:
    """Why posts to these platforms would carry broken links: a remote platform with an
    empty or relative SITEURL (None when there is no such problem)."""
    if is_absolute_siteurl(siteurl):
        return None
    for platform in platforms:
        if platform.remote:
            return SettingsError(
                "SITEURL", f"is empty or relative ({siteurl!r}): posts to {platform.name} "
                "would carry broken links",
                "build with an absolute SITEURL (pelican -s publishconf.py) before posting")
    return None
