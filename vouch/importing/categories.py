"""A spreadsheet's free-form trade values matched to the network's category keys, or new keys made from them."""

from __future__ import annotations

import re
from difflib import get_close_matches

from vouch.importing.clean import split_list
from vouch.slugs import slugify

UNCATEGORISED = "uncategorised"
UNCATEGORISED_ENTRY = ("Uncategorised", "Imported without a trade: give each of these partners a category.")
# Values that name no trade: OpenStreetMap's shop=yes, a checkbox column, a count.
NO_TRADE = frozenset({"yes", "no", "true", "false", "y", "n", "x", "none", "n-a", "na", "other", "unknown", "misc",
                      "vacant", "tbc", "tbd"})  # fmt: skip
MAX_KEY = 40  # characters: a key is a URL part, /directory/<key>/


def _stem(key: str) -> str:
    return re.sub(r"(ies|es|s|ing|er|ers)$", "", key) or key


class CategoryMatcher:
    """One per import, so a new key made for one row is matched by the next."""

    def __init__(self, titles: dict[str, str], fixed: str = "") -> None:
        self.titles = dict(titles)  # key -> title: the registry, then keys this import adds
        self.fixed = fixed  # --category: every row in this one
        self.added: dict[str, str] = {}  # new key -> title
        self._by_title = {slugify(title): key for key, title in titles.items()}

    def category(self, values: list[str], changes: list[str]) -> tuple[str, bool]:
        """The row's key, and whether it names no trade (listed for review). ``changes`` gets what was read how."""
        if self.fixed:
            return self.fixed, False
        raw = [item for value in values for item in split_list(value)]
        trades = [value for value in raw if self._is_trade(value)]
        if not trades:
            shown = f"{', '.join(repr(v) for v in raw)} names no trade" if raw else "none given"
            changes.append(f"category: {shown}: {UNCATEGORISED}, choose one")
            return self._add(UNCATEGORISED, UNCATEGORISED_ENTRY[0]), True
        key, how = self._resolve(trades[0])
        also = f" (also given: {', '.join(trades[1:])})" if trades[1:] else ""
        if how or also or len(raw) > 1:
            changes.append(f"category: {'; '.join(raw)!r} -> {key}{f' ({how})' if how else ''}{also}")
        return key, False

    @staticmethod
    def _is_trade(value: str) -> bool:
        key = slugify(value)
        return len(key) >= 2 and key not in NO_TRADE and not key.replace("-", "").isdigit()

    def _resolve(self, value: str) -> tuple[str, str]:
        """(key, how it was matched: "" when exact)."""
        key = slugify(value)[:MAX_KEY].strip("-")
        if key in self.titles:
            return key, "" if key == value else "same key"
        if key in self._by_title:
            return self._by_title[key], "same title"
        stems = {_stem(k): k for k in self.titles}
        if _stem(key) in stems:
            return stems[_stem(key)], "same word"
        close = get_close_matches(key, list(self.titles), n=1, cutoff=0.85)
        if close:
            return close[0], "closest key"
        title = re.sub(r"[_\s]+", " ", value).strip()
        return self._add(key, title[:1].upper() + title[1:]), "new key"

    def _add(self, key: str, title: str) -> str:
        if key not in self.titles:
            self.titles[key] = self.added[key] = title
            self._by_title[slugify(title)] = key
        return key
