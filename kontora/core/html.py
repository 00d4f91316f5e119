"""User HTML is sanitized once, on the way in, by nh3 (the Rust ammonia sanitizer)."""

import html as _html
import re

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "span": {"data-user"}, "td": {"colspan", "rowspan"}}
_TAG = re.compile(r"<[^>]+>")


def sanitize(html: str) -> str:
    """Keep formatting, drop scripts, handlers, styles and unknown tags; links get rel="noopener noreferrer"."""
    if not html:
        return ""
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    ).strip()  # fmt: skip


def plain_text(html: str) -> str:
    """The text of sanitized HTML, for notifications and search."""
    return " ".join(_html.unescape(_TAG.sub(" ", html or "")).split())
