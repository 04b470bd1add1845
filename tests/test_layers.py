"""The layers of the library, checked on its imports (ARCHITECTURE.md draws them).

A module may import from its own layer and the layers below it, never above: the ledger
and the other shared records know no platform, text knows no platform API, platforms
know no article or template, the previews never import the publishing side (they never
post), and nothing but the command line (and the terminal view, for its colours) imports click;
nothing imports the command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "syndicate"

# Lowest first. A module not named here by prefix is in the shared layer (0).
LAYERS = [
    ("shared", ()),
    ("text", ("syndicate.text",)),
    ("platforms", ("syndicate.platforms",)),
    ("settings", ("syndicate.settings",)),
    ("compose", ("syndicate.compose",)),
    ("preview", ("syndicate.preview",)),
    ("publish", ("syndicate.publish",)),
    ("cli", ("syndicate.cli", "syndicate.cli_support")),
]
# Side by side, not one above the other: neither may import the other.
PEERS = {"preview": "publish", "publish": "preview"}
# click: the command line, and the terminal view's styling (ANSI colours, unstyle).
USES_CLICK = {"syndicate.cli", "syndicate.cli_support", "syndicate.preview.display"}


def layer_of(module: str) -> int:
    for rank, (_, prefixes) in reversed(list(enumerate(LAYERS))):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return 0


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path) -> set[str]:
    """Every syndicate module (and click) the file imports, at the top or inside a
    function, type-checking imports included."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.split(".")[0] in ("syndicate", "click")}


ALL = modules()


@pytest.mark.parametrize("module", sorted(ALL))
def test_a_module_imports_only_its_layer_and_those_below(module: str) -> None:
    rank = layer_of(module)
    name = LAYERS[rank][0]
    wrong = []
    for imported in sorted(imports(ALL[module])):
        if imported.split(".")[0] == "click":
            if module not in USES_CLICK:
                wrong.append(f"{imported} (only the command line and terminal view use click)")
            continue
        if imported not in ALL:
            continue  # a name imported from a module, not a module
        if imported == "syndicate":
            continue  # the package's __version__
        other = LAYERS[layer_of(imported)][0]
        if layer_of(imported) > rank or PEERS.get(name) == other:
            wrong.append(f"{imported} ({other})")
    assert wrong == [], f"{module} ({name}) imports from above: {wrong}"


def test_the_layers_cover_the_library_and_the_shared_layer_is_small() -> None:
    shared = sorted(m for m in ALL if layer_of(m) == 0)
    assert shared == ["syndicate", "syndicate.approval", "syndicate.collector", "syndicate.draft",
                      "syndicate.errors", "syndicate.files", "syndicate.http",
                      "syndicate.images", "syndicate.ledger", "syndicate.ledger_format",
                      "syndicate.notes",
                      "syndicate.responses", "syndicate.safe_fetch", "syndicate.setting_values",
                      "syndicate.states"]


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    """The checker itself can fail: a ledger importing a platform is caught."""
    bad = tmp_path / "ledger.py"
    bad.write_text("from syndicate.platforms import PLATFORM_CLASSES\n", encoding="utf-8")
    assert "syndicate.platforms" in imports(bad)
    assert layer_of("syndicate.platforms") > layer_of("syndicate.ledger")
