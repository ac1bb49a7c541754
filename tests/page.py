"""Reading the page in AppTest as a reader sees it."""

import html
import re


def shown(markdown: str) -> str:
    """The text of Markdown whose untrusted parts are code spans: the fences removed."""
    return re.sub(r"(`+) (.*?) \1", r"\2", markdown)


def sentence(at) -> str:
    """The filter sentence ("Showing N of M deployments…"), unescaped."""
    body = next(h.value for h in at.get("html") if "atlas-sentence" in h.value)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def multiselect(at, label):
    """The sidebar multiselect with this label."""
    return next(w for w in at.multiselect if w.label == label)
