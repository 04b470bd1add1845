"""syndicate: a Pelican blog that syndicates itself.

The library turns published articles into platform-sized drafts, previews them,
and posts each one exactly once, recording where it went in a ledger.
"""

__version__ = "0.2.0"

import sys

# httpx imports its own command-line tool, and with it rich and pygments, a tenth of a
# second at every start of every command. We never use that tool: when httpx is not
# loaded yet, mark it missing, which httpx handles (its `main` then only explains).
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def register() -> None:
    """Pelican's entry point, for `PLUGINS = ["syndicate"]` in an editable install.

    An installed wheel puts the plugin where Pelican looks for namespace plugins
    (pelican.plugins.syndicate). An editable install (`pip install -e`) cannot: Pelican
    then imports the package of that name, this one, and calls its register().
    """
    from pelican.plugins.syndicate import register as register_plugin

    register_plugin()
