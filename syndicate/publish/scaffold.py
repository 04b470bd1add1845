"""Setting up syndicate on an existing Pelican blog: the settings, .gitignore, workflows.

Each step looks at what is there and adds only what is missing, so running it again
changes nothing. Nothing is rewritten: the settings file gets lines appended (it is the
user's Python code), .gitignore gets lines appended, a workflow is written only where
there is none of that name.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndicate import __version__
from syndicate.platforms import PLATFORM_CLASSES

# What posting to a platform needs besides its secret, as the block shows it: an empty
# value is "not set yet" (post skips that platform and says why).
NEEDED_SETTINGS: dict[str, dict[str, str]] = {
    "mastodon": {"url": "https://mastodon.social"},
    "bluesky": {"url": "https://bsky.social", "handle": ""},
    "linkedin": {"author": ""},
    "telegram": {"chat_id": ""},
    "discord": {"guild_id": ""},
}
IGNORED = (".syndicate/", "outbox/")
WORKFLOWS = {"syndicate-publish.yml": "publish.yml", "syndicate-preview.yml": "preview.yml"}


@dataclass(frozen=True)
class Change:
    """One file syndicate set up: which, and what it did there."""

    path: Path
    what: str


def secret_variables(platforms: Iterable[str]) -> list[str]:
    return [f"SYNDICATE_{name.upper()}_{key.upper()}" for name in platforms
            for key in PLATFORM_CLASSES[name].secret_keys]


def settings_block(platforms: Iterable[str]) -> str:
    """The lines that load the plugin and configure the chosen platforms."""
    lines = ["", "# syndicate: status updates for every new article "
             "(https://pypi.org/project/pelican-syndicate/).",
             "# Secrets never go here: they come from the environment "
             "(SYNDICATE_<PLATFORM>_<KEY>).",
             "SYNDICATE = {", '    "platforms": {']
    for name in platforms:
        needed = NEEDED_SETTINGS.get(name, {})
        inner = ", ".join(f'"{key}": "{value}"' for key, value in needed.items())
        empty = [key for key, value in needed.items() if not value]
        comment = f"  # fill in {', '.join(empty)}" if empty else ""
        lines.append(f'        "{name}": {{{inner}}},{comment}')
    lines += ["    },", "}", ""]
    return "\n".join(lines)


def set_up_settings(path: Path, values: dict[str, Any], platforms: list[str],
                    dry_run: bool = False) -> list[Change]:
    """Load the plugin and add a SYNDICATE block, where the settings file has neither."""
    added: list[str] = []
    changes = []
    plugins = values.get("PLUGINS")
    names = [str(getattr(p, "__name__", p)) for p in plugins or []]
    if not any(name in ("syndicate", "pelican.plugins.syndicate") for name in names):
        added.append('\nPLUGINS = [*globals().get("PLUGINS", []), "syndicate"]\n'
                     if plugins else '\nPLUGINS = ["syndicate"]\n')
        changes.append(Change(path, 'loads the plugin (PLUGINS gets "syndicate")'))
    if "SYNDICATE" not in values:
        added.append(settings_block(platforms))
        changes.append(Change(path, f"configures {', '.join(platforms)} (a SYNDICATE block)"))
    if added and not dry_run:
        text = path.read_text(encoding="utf-8")
        path.write_text(text + ("" if text.endswith("\n") else "\n") + "".join(added),
                        encoding="utf-8")
    return changes


def set_up_gitignore(root: Path, dry_run: bool = False) -> list[Change]:
    """Ignore the build's drafts and the local outbox (the ledger is committed)."""
    path = root / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in IGNORED
               if line not in present and line.rstrip("/") not in present]
    if not missing:
        return []
    if dry_run:
        return [Change(path, f"ignores {', '.join(missing)}")]
    if text and not text.endswith("\n"):
        text += "\n"
    text += ("\n" if text else "") + "# syndicate: the build's drafts and the local outbox\n"
    path.write_text(text + "\n".join(missing) + "\n", encoding="utf-8")
    return [Change(path, f"ignores {', '.join(missing)}")]


def set_up_workflows(root: Path, publish_name: str, platforms: Iterable[str],
                     dry_run: bool = False) -> list[Change]:
    """The GitHub Actions workflows: preview on pull requests, publish and post on main."""
    folder = root / ".github" / "workflows"
    variables = secret_variables(platforms)
    post_env = "".join(["        env:\n", *(f"          {v}: ${{{{ secrets.{v} }}}}\n"
                                           for v in variables)]) if variables else ""
    changes = []
    for name, template in WORKFLOWS.items():
        path = folder / name
        if path.exists():
            continue
        if dry_run:
            changes.append(Change(path, "added"))
            continue
        text = (importlib.resources.files("syndicate") / "data" / "workflows" / template
                ).read_text(encoding="utf-8")
        text = (text.replace("{version}", __version__)
                .replace("{publish_settings}", publish_name)
                .replace("{post_env}\n", post_env))
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changes.append(Change(path, "added"))
    return changes
