"""syndicate: a Pelican blog that syndicates itself.

The library turns published articles into platform-sized drafts, previews them,
and posts each one exactly once, recording where it went in a ledger.
"""

__version__ = "0.1.0"

import sys

# httpx imports its own command-line tool, and with it rich and pygments, a tenth of a
# second at every start of every command. We never use that tool: when httpx is not
# loaded yet, mark it missing, which httpx handles (its `main` then only explains).
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
