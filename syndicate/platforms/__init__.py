"""Every platform syndicate knows, by the name used in settings and on the command line.

The nine built in, and any a distribution adds through the `syndicate.platforms` entry
point group (name = "module:PlatformClass"), registered when this module is imported,
so settings, the ledger and the command line know them from the start. A platform
needs only its module: its class (a Platform subclass: limit, counting, presentation,
can_edit and can_delete) and its poster (a BasePoster subclass).
"""

from __future__ import annotations

import os
import re
import sys

from syndicate.platforms.base import Platform
from syndicate.platforms.bluesky import Bluesky
from syndicate.platforms.discord import Discord
from syndicate.platforms.linkedin import LinkedIn
from syndicate.platforms.mastodon import Mastodon
from syndicate.platforms.outbox import Outbox
from syndicate.platforms.slack import Slack
from syndicate.platforms.telegram import Telegram
from syndicate.platforms.threads import Threads
from syndicate.platforms.x import X

ENTRY_POINT_GROUP = "syndicate.platforms"

PLATFORM_CLASSES: dict[str, type[Platform]] = {
    cls.name: cls
    for cls in (Mastodon, Bluesky, X, Threads, LinkedIn, Discord, Telegram, Slack, Outbox)
}

# A platform's name: in settings, on the command line, in SYNDICATE_<NAME>_<KEY>, in the
# ledger and as the preview's CSS class.
_NAME = re.compile(r"[a-z][a-z0-9]*")
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def register_platform(cls: type[Platform]) -> type[Platform]:
    """Add a platform class to PLATFORM_CLASSES (also as a class decorator). A name
    already taken by another class, or presentation the previews cannot show, is a
    ValueError naming what to fix."""
    if not (isinstance(cls, type) and issubclass(cls, Platform)):
        raise TypeError(f"{cls!r} is not a subclass of syndicate.platforms.base.Platform")
    where = f"platform {cls.__module__}.{cls.__qualname__}"
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"{where}: name {name!r} must be lower-case letters and digits")
    for attribute in ("label", "default_limit"):
        if not hasattr(cls, attribute):
            raise ValueError(f"{where}: set the class attribute {attribute}")
    for attribute in ("accent", "link_colour"):
        value = getattr(cls, attribute)
        if not (value is None and attribute == "link_colour") \
                and not (isinstance(value, str) and _COLOUR.fullmatch(value)):
            raise ValueError(f"{where}: {attribute} {value!r} must be a colour as #rrggbb")
    if cls.card_style not in ("box", "embed"):
        raise ValueError(f"{where}: card_style {cls.card_style!r} must be \"box\" or "
                         "\"embed\"")
    taken = PLATFORM_CLASSES.get(name)
    if taken is not None and taken is not cls:
        raise ValueError(f"{where}: the name {name!r} is taken by "
                         f"{taken.__module__}.{taken.__qualname__}")
    PLATFORM_CLASSES[name] = cls
    return cls


def _declares_platforms() -> bool:
    """Whether an installed distribution on sys.path declares the entry point group: a
    look at each one's entry_points.txt (under a millisecond), so a run without such a
    distribution never imports importlib.metadata (about 15 ms)."""
    header = f"[{ENTRY_POINT_GROUP}]"
    for folder in sys.path:
        try:
            entries = os.scandir(folder or ".")
        except OSError:
            continue
        with entries:
            for entry in entries:
                if not entry.name.endswith((".dist-info", ".egg-info")):
                    continue
                try:
                    with open(os.path.join(entry.path, "entry_points.txt"),
                              encoding="utf-8") as declared:
                        if header in declared.read():
                            return True
                except OSError:
                    continue
    return False


def load_entry_points() -> None:
    """Register the platforms installed distributions declare (entry point group
    syndicate.platforms); one that cannot be loaded is a RuntimeError naming it."""
    if not _declares_platforms():
        return
    from importlib.metadata import entry_points

    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = point.load()
            if getattr(cls, "name", None) != point.name:
                raise ValueError(f"its class is named {getattr(cls, 'name', None)!r}")
            register_platform(cls)
        except Exception as error:
            raise RuntimeError(
                f"the platform {point.name!r} ({point.value}, entry point group "
                f"{ENTRY_POINT_GROUP}) cannot be loaded: {error}; fix or uninstall "
                f"{point.dist.name if point.dist else 'its distribution'}") from error


load_entry_points()

__all__ = ["ENTRY_POINT_GROUP", "PLATFORM_CLASSES", "Platform", "load_entry_points",
           "register_platform"]
