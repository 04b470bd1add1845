"""syndicate: a Pelican blog that syndicates itself.

The library turns published articles into platform-sized drafts, previews them,
and posts each one exactly once, recording where it went in a ledger.
"""

__version__ = "0.1.0"
