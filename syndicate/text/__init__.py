"""Text as the platforms measure it: grapheme clusters and UTF-8 bytes, twitter-text's
weights and URL extractor, Bluesky's rich text, the fitting of a draft into a limit, and
the excerpts made from an article's HTML. Knows no platform API, no article, no file.
"""
