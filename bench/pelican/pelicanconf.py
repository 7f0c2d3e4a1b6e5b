"""Pelican settings the benchmark builds the same generated statements with.

Kinds become categories, publications authors, tags and entity ids tags, so Pelican makes
list pages comparable to the archive's; the default theme (notmyidea) renders them.
"""

AUTHOR = "Benchmark"
SITENAME = "Benchmark archive (Pelican)"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 50
RELATIVE_URLS = True

ARTICLE_URL = "statements/{slug}/"
ARTICLE_SAVE_AS = "statements/{slug}/index.html"

# A cold build each time: the benchmark measures full builds.
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False

# One site feed, as the archive has; no per-category or per-author feeds.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}
