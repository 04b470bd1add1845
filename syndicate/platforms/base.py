"""The one small interface every platform implements.

A platform knows its limit and how it counts (used at build time, with no network and
no secrets), how the previews show its posts (class attributes: its accent colour, its
links, its card), and how to open a poster that sends parts and recognises parts it
already sent (used only by `syndicate post`). A poster that can also edit or delete
what it posted says so by having those methods (Editor, Deleter; ask supports_edit and
supports_delete), and its platform declares the same in can_edit and can_delete, which
settings read to refuse an on_edit the platform cannot carry out. Its own options are
typed: a nested Options dataclass (a PlatformOptions), read once into self.options.
"""

from __future__ import annotations

import hashlib
import types
import typing
from collections.abc import Mapping, Set
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, Self, runtime_checkable

from syndicate.draft import PostedPart
from syndicate.errors import SettingsError
from syndicate.text.graphemes import count_graphemes

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # annotations only: not needed at run time

    from syndicate.http import Http
    from syndicate.responses import Response


@dataclass(frozen=True)
class OutgoingPart:
    """One post about to be sent: a part of a draft, and what it replies to."""

    article_key: str
    article_url: str
    platform: str
    index: int
    count: int
    text: str
    text_hash: str
    lang: str | None = None
    # The part this one answers (the previous part), and the first part of its thread.
    reply_to: PostedPart | None = None
    root: PostedPart | None = None
    # Rich-text annotations of text (Bluesky's link and hashtag facets, UTF-8 offsets).
    facets: tuple[Mapping[str, Any], ...] = ()
    # Fields the post carries besides its text (Draft.extras).
    extras: Mapping[str, Any] = field(default_factory=dict)
    # The article's link card (Draft.card): url, title, description, and when the
    # article has one, image (its URL), image_alt and image_file (relative to the
    # project root). Sent with the first part only.
    card: Mapping[str, str] | None = None
    # When an earlier run recorded this part "pending" (ISO time, UTC), if one did: that
    # run may have posted it. A platform whose deduplication expires (Mastodon's
    # Idempotency-Key lives an hour) looks the part up once that is long enough ago.
    pending_since: str | None = None

    @property
    def idempotency_key(self) -> str:
        """The same for every retry of this exact part, different for any other."""
        made_from = "\x1f".join((self.article_key, self.platform, str(self.index), self.text))
        return hashlib.sha256(made_from.encode("utf-8")).hexdigest()[:40]


class ResponseReader(Protocol):
    """Reads what people answered to a posted part: replies, reposts, likes."""

    def responses(self, part: PostedPart, own: set[str]) -> list[Response]:
        """The responses to part, leaving out the account's own posts (ids in own)."""
        ...


class Poster(Protocol):
    """Sends parts for one run; knows whether a part already went out."""

    def post(self, part: OutgoingPart) -> PostedPart: ...

    def find_posted(self, part: OutgoingPart) -> PostedPart | None:
        """The already-posted copy of part, or None when there is none or no way to know
        (a PostingError when the platform could not be asked)."""
        ...

    def close(self) -> None: ...


class BasePoster:
    """What most posters share: no way to look a part up, nothing to close. A poster
    subclasses it, writes post, and overrides what else its platform can do."""

    def find_posted(self, part: OutgoingPart) -> PostedPart | None:
        """None: no way to know (a webhook cannot list what it sent)."""
        return None

    def close(self) -> None:
        """Nothing to release (the HTTP client is the run's, closed by it)."""


@runtime_checkable
class Editor(Protocol):
    """A poster that can change what it posted, in place (on_edit "edit")."""

    def edit(self, part: OutgoingPart, posted: PostedPart) -> PostedPart:
        """Replace posted's text with part's, in place."""
        ...


@runtime_checkable
class Deleter(Protocol):
    """A poster that can delete what it posted (on_edit "repost", `syndicate retract`)."""

    def delete(self, posted: PostedPart) -> None: ...


def supports_edit(poster: object) -> TypeIs[Editor]:
    """Whether poster can edit a post in place (has an edit method); after it, a type
    checker knows poster.edit."""
    return isinstance(poster, Editor)


def supports_delete(poster: object) -> TypeIs[Deleter]:
    """Whether poster can delete a post (has a delete method); after it, a type checker
    knows poster.delete."""
    return isinstance(poster, Deleter)


@dataclass(frozen=True)
class PlatformSettings:
    """One platform's settings after environment overrides; secrets kept apart."""

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)


# How an option of type bool may be written in the environment (or as text in settings).
_TRUE = ("yes", "true", "on", "1")
_FALSE = ("no", "false", "off", "0", "")


@dataclass(frozen=True)
class PlatformOptions:
    """A platform's own options, typed. A platform declares them as its nested Options:
    a frozen dataclass, one field per option, typed str, bool or int (each maybe
    `| None`), with its default; the platform's option_defaults are made from it.

    Read once, when the platform is made, from its settings (environment overrides
    included, so text for a bool or an int is read as one: "true"/"false", "23"); a
    value of the wrong type is a SettingsError. The platform's code reads self.options.
    """

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Each option's default, by name (the platform's option_defaults)."""
        return {option.name: option.default for option in fields(cls)}

    @classmethod
    def names(cls) -> Set[str]:
        """The options' names."""
        return _option_types(cls).keys()

    @classmethod
    def read(cls, platform: str, values: Mapping[str, Any]) -> Self:
        """The options in values (the others keep their defaults), each of its type."""
        kinds = _option_types(cls)
        return cls(**{name: _typed(platform, name, values[name], kind)
                      for name, kind in kinds.items() if name in values})


_OPTION_TYPES: dict[type[PlatformOptions], dict[str, tuple[type, bool]]] = {}


def _option_types(cls: type[PlatformOptions]) -> dict[str, tuple[type, bool]]:
    """Each option's type (str, bool or int) and whether it may be None."""
    if cls in _OPTION_TYPES:
        return _OPTION_TYPES[cls]
    hints = typing.get_type_hints(cls)
    found = {}
    for option in fields(cls):
        hint = hints[option.name]
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        allowed = typing.get_args(hint) if union else (hint,)
        kinds = [kind for kind in allowed if kind is not type(None)]
        if len(kinds) != 1 or kinds[0] not in (str, bool, int):
            raise TypeError(f"{cls.__qualname__}.{option.name}: an option is str, bool or "
                            f"int, maybe | None, not {hint}")
        found[option.name] = (kinds[0], len(kinds) < len(allowed))
    _OPTION_TYPES[cls] = found
    return found


def _typed(platform: str, name: str, value: Any, kind: tuple[type, bool]) -> Any:
    """value as an option of kind (its type, whether None is allowed), or a SettingsError."""
    wanted, optional = kind
    if value is None and optional:
        return None
    if wanted is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        expected, example = "true or false", "True"
    elif wanted is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        expected, example = "a whole number", "23"
    else:
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # a numeric id written as a number
        expected, example = "text", "\"...\""
    raise SettingsError(
        f"{platform} settings", f"{name} must be {expected}, got {value!r}",
        f"set SYNDICATE['platforms']['{platform}']['{name}'] (or "
        f"SYNDICATE_{platform.upper()}_{name.upper()}) to {expected}, e.g. {example}")


class Platform:
    """Base for all platforms. Subclasses set the class constants and override count()."""

    name: ClassVar[str]
    label: ClassVar[str]
    remote: ClassVar[bool] = True
    default_limit: ClassVar[int]
    # Non-secret settings this platform accepts, with their defaults. A platform that
    # declares its Options (below) has them made from it.
    option_defaults: ClassVar[Mapping[str, Any]] = {}
    # Its own options, typed: a subclass of PlatformOptions (nested, named Options), read
    # once into self.options. A platform without one reads option(key) instead.
    Options: ClassVar[type[PlatformOptions]] = PlatformOptions
    options: PlatformOptions
    # Settings that may only come from the environment (SYNDICATE_<PLATFORM>_<KEY>).
    secret_keys: ClassVar[tuple[str, ...]] = ()
    # Whether the client sends the link card (the platform does not read the page's tags).
    builds_card: ClassVar[bool] = False
    # True when re-sending a part whose earlier attempt is in doubt cannot duplicate it
    # (the platform deduplicates, or find_posted always knows).
    retry_is_safe: ClassVar[bool] = False
    # Keys every platform accepts.
    # thread: a long draft becomes a reply chain; numbering: e.g. "{n}/{total}" after
    # each part of a thread (no numbers unless asked).
    # on_edit: what a changed draft of a posted article does: "ignore", "edit" (change
    # the post in place, where the platform can) or "repost" (delete, post again).
    common_options: ClassVar[Mapping[str, Any]] = {"limit": None, "template": None,
                                                   "thread": False, "numbering": None,
                                                   "per_hour": None, "on_edit": "ignore"}
    # The platform's published posting quota: (posts, in this many seconds), or None.
    quota: ClassVar[tuple[int, int] | None] = None
    # How the HTML preview shows the account (no effect on posting): its name, its
    # handle, and an avatar image file relative to the project root.
    preview_options: ClassVar[Mapping[str, Any]] = {"display_name": None, "account": None,
                                                    "avatar": None}
    # What its poster can do to a post already made (the poster's edit and delete
    # methods): on_edit "edit" needs the first, "repost" the second. Settings refuse an
    # on_edit the platform cannot carry out.
    can_edit: ClassVar[bool] = False
    can_delete: ClassVar[bool] = False

    # How the previews show its posts (no effect on drafts or posting).
    # Its colour: the name, the avatar, links, hashtags and mentions, a thread's line.
    accent: ClassVar[str] = "#555555"
    # Links in another colour than the accent (hashtags and mentions keep it), if so.
    link_colour: ClassVar[str | None] = None
    # Whether it links an address written without http(s):// (example.com/page), as
    # twitter-text finds them.
    links_bare_addresses: ClassVar[bool] = False
    # Whether the links, hashtags and mentions it shows are the draft's facets (Bluesky),
    # rather than found in the text.
    links_from_facets: ClassVar[bool] = False
    # Whether a post shows the article's link card (the outbox is a file: none).
    shows_card: ClassVar[bool] = True
    # The card's look: "box" (a bordered box) or "embed" (a bar in the accent colour
    # along its left edge, as chat apps show one).
    card_style: ClassVar[Literal["box", "embed"]] = "box"
    # Whether the avatar is a rounded square rather than a circle.
    square_avatar: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "Options" in cls.__dict__:
            defaults = cls.Options.defaults()
            if "option_defaults" in cls.__dict__ and dict(cls.option_defaults) != defaults:
                raise TypeError(f"{cls.__qualname__}: option_defaults and Options disagree; "
                                "declare only Options")
            cls.option_defaults = defaults

    def __init__(self, settings: PlatformSettings) -> None:
        self.settings = settings
        limit = settings.options.get("limit")
        self.limit: int = int(limit) if limit is not None else self.default_limit
        self.options = self.Options.read(self.name, settings.options)
        self._own_options = _option_types(self.Options)  # option() is asked per draft

    def option(self, key: str) -> Any:
        """Any option by name, as settings hold it: the platform's own (its Options) typed,
        the common and preview ones as written. The platform's code reads self.options."""
        if key in self._own_options:
            return getattr(self.options, key)
        if key in self.settings.options:
            return self.settings.options[key]
        if key in self.option_defaults:
            return self.option_defaults[key]
        return self.common_options.get(key, self.preview_options.get(key))

    def count(self, text: str) -> int:
        """The length of text as this platform counts it."""
        return count_graphemes(text)

    def extras_for(self, lang: str, metadata: Mapping[str, str]) -> dict[str, Any]:
        """Fields the post carries besides its text (language, content warning, ...)."""
        return {}

    def measure(self, text: str, extras: Mapping[str, Any]) -> int:
        """The length as counted with those fields (Mastodon counts the warning too)."""
        return self.count(text)

    def problems(self, text: str) -> list[str]:
        """What the platform would refuse in text besides its length (none by default)."""
        return []

    def facets(self, text: str) -> list[dict[str, Any]]:
        """Rich-text annotations the platform needs alongside the text (Bluesky only)."""
        return []

    def prepare(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        """The text exactly as sent, and its facets (Bluesky shortens the links it shows)."""
        return text, self.facets(text)

    def missing_secrets(self) -> list[str]:
        """The environment variables of this platform's secrets that are not set."""
        return [f"SYNDICATE_{self.name.upper()}_{key.upper()}" for key in self.secret_keys
                if not self.settings.secrets.get(key)]

    def missing_settings(self) -> list[tuple[str, str]]:
        """Settings posting needs that are absent or unusable: (problem, fix) each.

        Read without the network or the secrets, so `check` can say it in a pull request.
        """
        return []

    def open_poster(self, project_root: str, http: Http) -> Poster:
        """A poster for this run, sharing its HTTP client. Platforms whose client is not
        written yet refuse."""
        raise NotImplementedError(self.name)

    def doctor(self, project_root: str, http: Http) -> list[tuple[bool, str]]:
        """Read-only checks of the settings and credentials: (fine, what was found)."""
        return [(True, "no read-only check exists for this platform; `post --dry-run` "
                       "shows what would go out")]

    def open_reader(self, http: Http) -> ResponseReader:
        """A reader of responses (`syndicate backfeed`); platforms without one refuse."""
        raise NotImplementedError(self.name)
