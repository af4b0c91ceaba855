"""Markdown pages and partials: python-markdown with fenced code, tables and heading ids.

Heading ids follow PocketPages' rule (lower case, drop all but [a-z0-9 _-], spaces → "-").
"""
from __future__ import annotations

import re

import markdown


def slugify(text: str, separator: str = "-") -> str:
    slug = re.sub(r"[^a-z0-9\-_ ]", "", text.lower().strip())
    return re.sub(r"\s+", separator, slug).strip("-")


class MarkdownRenderer:
    def __init__(self):
        self._md = markdown.Markdown(
            extensions=["fenced_code", "tables", "toc", "sane_lists"],
            extension_configs={"toc": {"slugify": slugify}},
        )

    def __call__(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text) + "\n"
