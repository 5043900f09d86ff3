"""What a Pagefind (1.5) index folder holds, read back from its files: which language a search page loads, the
text Pagefind read, and which page each fragment is. No Pagefind run: a fragment is gzip, a ``pagefind_dcd``
signature, then JSON."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


def decoded(path: Path) -> bytes:
    """A Pagefind file's bytes: gunzipped, its signature removed."""
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
    """Every distinct token (text between spaces) Pagefind read from the language's pages, as written: each page's
    fragment holds the text it indexed and the metadata values it searches. Indexed again, on their own, in the
    same language, they give the same stored words, where the stored words indexed again need not: a stem stemmed
    again can change ("agre" -> "agr"), a lone mark is dropped. Which words a token gives depends on its marks
    ("3pm." gives 3pm and pm, "3pm" before another word 3pm alone) and on whether it ends a text (as if marked): so
    tokens keep their marks, and the last token of each text gets a full stop."""
    found: set[str] = set()
    for path in (index / "fragment").glob(f"{lang}_*.pf_fragment"):
        fragment = json.loads(decoded(path))
        for text in [fragment["content"], *fragment.get("meta", {}).values()]:
            tokens = text.split()
            if tokens:
                found.update(tokens)
                found.add(tokens[-1] + ".")
    return frozenset(found)


def fragment_urls(index: Path) -> dict[str, str]:
    """Each page's URL by the id a search result gives it (its fragment file's name)."""
    return {path.stem: json.loads(decoded(path))["url"] for path in (index / "fragment").glob("*.pf_fragment")}
