"""What a Pagefind (1.5) index folder holds, read back from its files: which language a search page loads, the
text Pagefind read, and which page each fragment is. No Pagefind run: a fragment is gzip, a ``pagefind_dcd``
signature, then JSON."""

from __future__ import annotations

import gzip
import json
import string
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


def _decoded(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()).removeprefix(SIGNATURE)


def loaded_language(index: Path, wanted: str) -> str | None:
    """The language index a search page of language ``wanted`` loads from this folder, as Pagefind's
    ``findIndex`` picks it: the same tag, else its first subtag, else the language with the most pages."""
    languages: dict[str, dict] = json.loads((index / "pagefind-entry.json").read_text())["languages"]
    wanted = wanted.lower()
    if wanted in languages:
        return wanted
    if (base := wanted.split("-")[0]) in languages:
        return base
    ranked = sorted(languages, key=lambda lang: -languages[lang]["page_count"])  # stable, as JS's sort
    return ranked[0] if ranked else None


def indexed_tokens(index: Path, lang: str) -> frozenset[str]:
    """Every distinct token (text between spaces) Pagefind read from the language's pages: each page's fragment
    holds the text it indexed and the metadata it searches. Indexed again, on their own, in the same language,
    they give the same stored words (a stored word indexed again need not: a stem stemmed again can change,
    "agre" -> "agr", and a mark inside a word splits it: "“quote”" adds "quote"; tests read both back)."""
    found: set[str] = set()
    for path in (index / "fragment").glob(f"{lang}_*.pf_fragment"):
        fragment = json.loads(_decoded(path))
        found.update(fragment["content"].split())
        for value in fragment.get("meta", {}).values():
            found.update(value.split())
    return frozenset(spelt for token in found if (spelt := pagefind_spelling(token)))


def pagefind_spelling(token: str) -> str:
    """The shortest spelling that Pagefind turns into the same index words as ``token`` (its splitting.rs), so
    that an edit in case or punctuation ("Roofs." for "roofs") leaves a part's tokens as they were: ASCII marks at
    either end change nothing, nor does case, unless a capital inside the word splits it ("aB" -> a, b). Other
    marks stay: "a–" is a word of its own to Pagefind."""
    word = token.strip(string.punctuation)
    rest = word[1:]
    if rest.isascii():  # most words: a capital is then what lower() changes
        return word if rest != rest.lower() else word.lower()
    return word if any(c.isupper() for c in rest) else word.lower()


def fragment_urls(index: Path) -> dict[str, str]:
    """Each page's URL by the id a search result gives it (its fragment file's name)."""
    return {path.stem: json.loads(_decoded(path))["url"] for path in (index / "fragment").glob("*.pf_fragment")}
