"""Validated profiles cached by content hash, in 256 small files: a rebuild after one edit
validates, and rewrites, only what changed. A damaged file costs its profiles a revalidation."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from vouch.cache_files import read_stamped

Entry = tuple[str, Any]  # (content hash, Profile or problems)


def _shard(key: str) -> str:
    """Which of the cache's 256 files holds ``key``: an edit rewrites one small file, not all."""
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:2]


def read_cache(cache_dir: Path | None, fingerprint: str) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    if cache_dir is None or not cache_dir.is_dir():
        return entries
    for shard in sorted(cache_dir.glob("*.pickle")):
        entries.update(read_stamped(shard, fingerprint))  # a damaged shard only costs its files a revalidation
    return entries


def write_cache(cache_dir: Path, fingerprint: str, entries: dict[str, Entry], changed: set[str]) -> None:
    """Rewrite the shards holding ``changed`` keys (new, edited or deleted files)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    shards = {_shard(key) for key in changed}
    grouped: dict[str, dict[str, Entry]] = {shard: {} for shard in shards}
    for key, entry in entries.items():
        shard = _shard(key)
        if shard in grouped:
            grouped[shard][key] = entry
    for shard, part in grouped.items():
        target = cache_dir / f"{shard}.pickle"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps((fingerprint, part), protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(target)
