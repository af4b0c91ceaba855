"""Markdown pages and partials: python-markdown with fenced code, tables and heading ids, and
YAML front matter (PocketPages reads it with the front-matter package, i.e. YAML).

Heading ids follow PocketPages' rule (lower case, drop all but [a-z0-9 _-], spaces → "-").
"""
from __future__ import annotations

import datetime
import json
import re

import markdown
import yaml
from markdown.treeprocessors import Treeprocessor


def slugify(text: str, separator: str = "-") -> str:
    slug = re.sub(r"[^a-z0-9\-_ ]", "", text.lower().strip())
    return re.sub(r"\s+", separator, slug).strip("-")


class FrontMatterError(ValueError):
    """Front matter that is not a YAML mapping; ``line`` is the file line (the block starts on line 2)."""

    def __init__(self, message: str, line: int = 2):
        super().__init__(message)
        self.message, self.line = message, line


def parse_front_matter(block: str) -> dict:
    """The YAML between the ``---`` lines as meta values; dates become ISO strings (meta travels as JSON)."""
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or "cannot be parsed"
        raise FrontMatterError(f"front matter is not valid YAML: {problem}", 2 + (mark.line if mark else 0)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be 'key: value' lines")
    return json.loads(json.dumps({str(k): v for k, v in data.items()}, default=_plain))


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


class _ImageAssets(Treeprocessor):
    """``![alt](/logo.png)`` gets the fingerprinted ``asset()`` URL, as PocketPages' image renderer does."""

    asset = None  # set for each document

    def run(self, root):
        if self.asset is None:
            return None
        for img in root.iter("img"):
            src = img.get("src")
            if src:
                img.set("src", self.asset(src))
        return None


class MarkdownRenderer:
    def __init__(self):
        self._md = markdown.Markdown(
            extensions=["fenced_code", "tables", "toc", "sane_lists"],
            extension_configs={"toc": {"slugify": slugify}},
        )
        self._images = _ImageAssets(self._md)
        self._md.treeprocessors.register(self._images, "pagesvm-assets", 0)

    def __call__(self, text: str, asset=None) -> str:
        """HTML for ``text``; ``asset(url)`` rewrites image URLs (fingerprints) when given."""
        self._md.reset()
        self._images.asset = asset
        try:
            return self._md.convert(text) + "\n"
        finally:
            self._images.asset = None
