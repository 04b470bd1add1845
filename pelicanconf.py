"""Pelican settings for the sample blog (local builds and previews)."""

AUTHOR = "Mira Okafor"
SITENAME = "Field Notes"
SITESUBTITLE = "Notes on walking, cities and the small web"
# Absolute, so that every status update links to a real address even in a local build.
SITEURL = "http://localhost:8000"
# The pages link to each other relatively, so output/index.html opens styled from disk
# (publishconf.py turns this off; drafts always use the absolute SITEURL above).
RELATIVE_URLS = True
# Where the theme's canonical links and card tags point: always absolute.
ABSOLUTE_SITEURL = SITEURL
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "Europe/Lisbon"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

THEME = "themes/fieldnotes"
STATIC_PATHS = ["images"]

ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
# Articles in another language than DEFAULT_LANG keep the same address scheme.
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"

# A future-dated article stays a draft until its date, and is never syndicated early.
WITH_FUTURE_DATES = False

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = 10

# The syndicate plugin (pip install pelican-syndicate): drafts for every new article.
PLUGINS = ["syndicate"]

# Everything syndication needs, in one dict. Secrets never go here: they come from
# the environment as SYNDICATE_<PLATFORM>_<KEY>, e.g. SYNDICATE_MASTODON_TOKEN.
SYNDICATE = {
    "platforms": {
        "outbox": {},
        "mastodon": {"url": "https://mastodon.social", "limit": 500},
        "bluesky": {"url": "https://bsky.social", "handle": "fieldnotes.example",
                    "thread": True, "numbering": "{n}/{total}"},
        "x": {},
        "threads": {},
        "linkedin": {},
        "discord": {},
        "telegram": {"chat_id": "@fieldnotes"},
        "slack": {},
    },
}
