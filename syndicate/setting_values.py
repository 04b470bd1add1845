"""The checks of single setting values, each a one-line SettingsError naming the
setting and the fix: numbers, flags, choices, secrets from the environment, the private
networks that may be fetched, the hashtag map. syndicate.settings puts them together."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any

import regex

from syndicate.errors import SettingsError

ENV_PREFIX = "SYNDICATE_"


_HASHTAG_BODY = regex.compile(r"[\p{L}\p{M}\p{N}_]+")


def suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}use one of: {', '.join(choices)}"


def positive_int(value: Any, where: str, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or isinstance(value, bool):
        raise SettingsError(where, f"{name} must be a positive whole number, got {value!r}",
                            f"set {name} to a number such as 5")
    return number


def secret_value(variable: str, value: str) -> str:
    """A secret without the whitespace a copy and paste (or `echo` into a file) adds; one
    that still holds a line break or another control character is refused before any
    request (it could only fail, or split an HTTP header)."""
    stripped = value.strip()
    if any(ord(c) < 0x20 or c == "\x7f" for c in stripped):
        raise SettingsError("environment", f"{variable} holds a line break or control "
                            "character inside it",
                            "set it again with the secret alone, as the platform shows it")
    return stripped


def allowance(value: Any, where: str, environ: Mapping[str, str]
               ) -> bool | tuple[IPv4Network | IPv6Network, ...]:
    """allow_private_addresses: True, False, or the networks to allow (from the settings,
    or SYNDICATE_ALLOW_PRIVATE_ADDRESSES: true/false or networks split by commas)."""
    variable = f"{ENV_PREFIX}ALLOW_PRIVATE_ADDRESSES"
    name = "SYNDICATE allow_private_addresses"
    if variable in environ:
        value, where, name = environ[variable].strip(), "environment", variable
        if value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
            return flag(value)
        value = value.replace(",", " ").split()
    if isinstance(value, bool) or value is None:
        return bool(value)
    fix = 'use True, False or a list of networks, e.g. ["127.0.0.1/32", "10.0.0.0/8"]'
    if not isinstance(value, list | tuple | set | frozenset):
        raise SettingsError(where, f"{name} is {value!r}", fix)
    networks: list[IPv4Network | IPv6Network] = []
    for item in value:
        try:
            if not isinstance(item, str):
                raise ValueError(item)
            networks.append(ip_network(item.strip(), strict=False))
        except ValueError:
            raise SettingsError(where, f"{name} holds {item!r}, not an IP address or "
                                "network", fix) from None
    return tuple(networks)


# What each platform's poster can do to a post already made (its edit and delete
# methods, declared by the platform's can_edit and can_delete): on_edit "edit" needs the
# first, "repost" the second. A test keeps them in step with the posters.


def hashtag_map(value: Any, where: str) -> dict[str, str | None]:
    """SYNDICATE hashtag_map: tag names (any case) to hashtags, or None / "" to drop."""
    fix = 'write it as {"C++": "#cpp", "Meta": None}: a hashtag, or None to leave the tag out'
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SettingsError(where, f"SYNDICATE hashtag_map is {value!r}, not a dict", fix)
    mapping: dict[str, str | None] = {}
    for tag, tagged in value.items():
        if not isinstance(tag, str) or not tag.strip():
            raise SettingsError(where, f"SYNDICATE hashtag_map has the key {tag!r}, not a "
                                "tag name", fix)
        if tagged is None or tagged == "":
            mapping[" ".join(tag.split()).lower()] = None
            continue
        body = tagged.strip().removeprefix("#") if isinstance(tagged, str) else ""
        if not _HASHTAG_BODY.fullmatch(body) or body.replace("_", "").isdigit():
            raise SettingsError(where, f"SYNDICATE hashtag_map[{tag!r}] is {tagged!r}, not "
                                "a hashtag (letters, digits and _, not only digits)", fix)
        mapping[" ".join(tag.split()).lower()] = f"#{body}"
    return mapping


def flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def boolean(value: Any, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(where, f"SYNDICATE {key} is {value!r}", f"set {key} to True or "
                            "False")
    return value


def choice(value: Any, choices: tuple[str, ...], where: str, key: str) -> str:
    if value not in choices:
        raise SettingsError(where, f"SYNDICATE {key} is {value!r}",
                            "use " + ", ".join(f'"{c}"' for c in choices))
    return str(value)


def append_to_content_choice(value: Any, where: str) -> bool | str:
    if isinstance(value, bool):
        return value
    if value == "auto":
        return "auto"
    raise SettingsError(where, f"SYNDICATE append_to_content is {value!r}",
                        'use "auto", True or False')


def live_check(value: Any, where: str) -> str:
    if value is True or value == "page":
        return "page"
    if value == "feed":
        return "feed"
    if value is False or value is None:
        return ""
    raise SettingsError(where, f"SYNDICATE check_live is {value!r}",
                        'use "page" (or True), "feed", or False')
