"""Pelican settings for a Vouch site: our defaults, the site's file, then fixed rules."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import markdown
from pelican import __version__ as pelican_version
from pelican.settings import DEFAULT_CONFIG, configure_settings, get_settings_from_file

from vouch.editor_files import EDITOR_TEMPORARY
from vouch.render.humanize import FILTERS
from vouch.settings import DEFAULTS, NEWSLETTER_FOLDER, VouchSettings
from vouch_site.guard import reading_settings

log = logging.getLogger("vouch")
PLUGIN, OLD_PLUGIN = "vouch_pages", "vouch_partners"
CODE_ROOT = Path(__file__).resolve().parent.parent  # a checkout; an installed wheel has no theme here

# Defaults a site may change in pelicanconf.py.
PELICAN_DEFAULTS: dict[str, Any] = {
    "PATH": "content",
    "RELATIVE_URLS": True,
    "ARTICLE_PATHS": ["articles"],
    "PAGE_PATHS": ["pages"],
    "STATIC_PATHS": ["images"],
    "ARTICLE_URL": "articles/{slug}/",
    "ARTICLE_SAVE_AS": "articles/{slug}/index.html",
    "PAGE_URL": "{slug}/",
    "PAGE_SAVE_AS": "{slug}/index.html",
    "DEFAULT_PAGINATION": 20,
    "SLUGIFY_SOURCE": "basename",
    "CACHE_PATH": ".cache/pelican",
    "MARKDOWN": {
        **DEFAULT_CONFIG["MARKDOWN"],
        "extension_configs": {**DEFAULT_CONFIG["MARKDOWN"]["extension_configs"], "markdown.extensions.smarty": {}},
    },
}

# What Vouch decides, whatever the file says: one way to make each output.
FIXED: dict[str, Any] = {
    "DELETE_OUTPUT_DIRECTORY": False,
    "FEED_ALL_ATOM": None,
    "FEED_ALL_RSS": None,
    "FEED_ATOM": None,
    "FEED_RSS": None,
    "CATEGORY_FEED_ATOM": None,
    "CATEGORY_FEED_RSS": None,
    "TAG_FEED_ATOM": None,
    "TAG_FEED_RSS": None,
    "AUTHOR_FEED_ATOM": None,
    "AUTHOR_FEED_RSS": None,
    "TRANSLATION_FEED_ATOM": None,
    "TRANSLATION_FEED_RSS": None,
    "DIRECT_TEMPLATES": [],
    "CATEGORY_SAVE_AS": "",
    "CATEGORIES_SAVE_AS": "",
    "TAG_SAVE_AS": "",
    "TAGS_SAVE_AS": "",
    "AUTHOR_SAVE_AS": "",
    "AUTHORS_SAVE_AS": "",
    "ARCHIVES_SAVE_AS": "",
    "YEAR_ARCHIVE_SAVE_AS": "",
    "MONTH_ARCHIVE_SAVE_AS": "",
    "DAY_ARCHIVE_SAVE_AS": "",
    "DRAFT_SAVE_AS": "",
    "DRAFT_PAGE_SAVE_AS": "",
    "ARTICLE_LANG_SAVE_AS": "",
    "PAGE_LANG_SAVE_AS": "",
    "DRAFT_LANG_SAVE_AS": "",
    "DRAFT_PAGE_LANG_SAVE_AS": "",
    "OUTPUT_SOURCES": False,
    "TEMPLATE_PAGES": {},
    # Pelican caches what its readers return (the Markdown, parsed); Content objects, and so
    # our partner links and withholding, are made anew on every build.
    "CACHE_CONTENT": True,
    "LOAD_CONTENT_CACHE": True,
    "CONTENT_CACHING_LAYER": "reader",
    "CHECK_MODIFIED_METHOD": "md5",
    "GZIP_CACHE": False,  # compressing the cache took longer than the Markdown it saves
}

_PATH_KEYS = ("PATH", "THEME", "CACHE_PATH")
# reStructuredText inserts no file from disk (``include``, ``raw`` or ``csv-table`` with ``:file:``/``:url:``
# would publish any file, private/ included), and no docutils.conf turns that back on. A warning (such as a
# directive refused) stops the reader, so it is a problem line, never a "system message" in the page.
# Inline ``raw`` HTML stays: it is Pelican content, checked after rendering like any HTML.
DOCUTILS_FIXED: dict[str, Any] = {"file_insertion_enabled": False, "_disable_config": True}
DOCUTILS_HALT_LEVEL = 2  # Pelican's default


def load_settings(
    root: Path, settings_file: str = "pelicanconf.py", overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Pelican's settings for the site in ``root``, Vouch's defaults merged in."""
    root = root.resolve()
    path = root / settings_file
    with reading_settings():
        from_file = get_settings_from_file(str(path)) if path.exists() else {}
    site_folders = {"THEME": str(_site_or_code(root, "theme")), "PLUGIN_PATHS": [str(_site_or_code(root, "plugins"))]}
    # A copy: Pelican's Markdown reader adds to MARKDOWN in place, which would change the next build's settings.
    defaults = copy.deepcopy(PELICAN_DEFAULTS)
    merged: dict[str, Any] = {**defaults, **site_folders, **from_file, **(overrides or {}), **FIXED}
    for key in _PATH_KEYS:
        merged[key] = str((root / merged[key]).resolve())
    merged["PLUGIN_PATHS"] = [str((root / p).resolve()) for p in merged["PLUGIN_PATHS"]]
    # Pelican reads these from the working folder: from the project's, wherever invoke runs.
    merged["THEME_TEMPLATES_OVERRIDES"] = [
        os.path.abspath(root / p) for p in merged.get("THEME_TEMPLATES_OVERRIDES", [])
    ]
    merged["PLUGINS"] = _plugins(merged.get("PLUGINS") or [])
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):  # issues are Vouch's, whatever ARTICLE_PATHS says ([""])
        merged[key] = [*dict.fromkeys([*(merged.get(key) or []), NEWSLETTER_FOLDER])]
    docutils = dict(merged.get("DOCUTILS_SETTINGS") or {})
    halt = min(int(docutils.get("halt_level", DOCUTILS_HALT_LEVEL)), DOCUTILS_HALT_LEVEL)
    merged["DOCUTILS_SETTINGS"] = {"raw_enabled": True, **docutils, **DOCUTILS_FIXED, "halt_level": halt}
    merged["JINJA_FILTERS"] = {**FILTERS, **(merged.get("JINJA_FILTERS") or {})}
    merged["IGNORE_FILES"] = [*merged.get("IGNORE_FILES", DEFAULT_CONFIG["IGNORE_FILES"]), *EDITOR_TEMPORARY]
    # Profile text is untrusted: every template escapes by default, whatever the site sets.
    merged["JINJA_ENVIRONMENT"] = {
        **DEFAULT_CONFIG["JINJA_ENVIRONMENT"],
        **merged.get("JINJA_ENVIRONMENT", {}),
        "autoescape": True,
    }
    merged = {**VouchSettings.of(merged).as_settings(), **merged}
    merged["VOUCH_SITEURL_SET"] = bool({**from_file, **(overrides or {})}.get("SITEURL"))
    merged["VOUCH_PELICAN_OVERRIDES"] = overridden(from_file)
    merged["SITEURL"] = str(merged.get("SITEURL") or DEFAULTS["SITEURL"]).rstrip("/")
    merged["VOUCH_ROOT"] = str(root)
    merged["VOUCH_SETTINGS_FILE"] = str(path)
    settings = configure_settings({**DEFAULT_CONFIG, **merged})
    # Pelican's reader cache knows file dates, not settings: one cache per reader configuration.
    settings["CACHE_PATH"] = str(Path(settings["CACHE_PATH"]) / _reader_fingerprint(settings))
    return settings


def overridden(from_file: dict[str, Any]) -> tuple[str, ...]:
    """The settings a site (one coming from Pelican, say) sets that Vouch decides otherwise (``FIXED``)."""
    return tuple(sorted(key for key, value in from_file.items() if key in FIXED and value != FIXED[key]))


def _plugins(listed: list[Any]) -> list[Any]:
    """Vouch's plugin first; the name it had until 2026-12 (``vouch_partners``) still means it, with a note."""
    plugins = []
    for written in listed:
        name = PLUGIN if written == OLD_PLUGIN else written
        if written == OLD_PLUGIN:
            log.warning("vouch: PLUGINS names %s, now called %s: rename it in pelicanconf.py", OLD_PLUGIN, PLUGIN)
        if name not in plugins:
            plugins.append(name)
    return plugins if PLUGIN in plugins else [PLUGIN, *plugins]


def code_files(*folders: str | Path) -> list[Path]:
    """Vouch's own Python files and those under ``folders`` (plugin folders), each once: what a cached result
    depends on besides its inputs (a fixed bug must not stay in a kept page, reading or e-mail)."""
    import vouch
    import vouch_site

    every = {Path(vouch.__file__).parent, Path(vouch_site.__file__).parent, *map(Path, folders)}
    return sorted({path for folder in every for path in folder.rglob("*.py")})


def _site_or_code(root: Path, name: str) -> Path:
    """The site's own ``theme/`` or ``plugins/``; a site without one borrows the checkout's."""
    return root / name if (root / name).is_dir() else CODE_ROOT / name


READER_SETTINGS = (
    "MARKDOWN", "TIMEZONE", "DEFAULT_LANG", "DEFAULT_DATE", "DEFAULT_CATEGORY", "USE_FOLDER_AS_CATEGORY",
    "FILENAME_METADATA", "PATH_METADATA", "EXTRA_PATH_METADATA", "READERS", "SLUGIFY_SOURCE",
    "SLUG_REGEX_SUBSTITUTIONS", "TYPOGRIFY", "TYPOGRIFY_IGNORE_TAGS", "FORMATTED_FIELDS", "SUMMARY_MAX_LENGTH",
    "DOCUTILS_SETTINGS",
)  # fmt: skip


def _reader_fingerprint(settings: dict[str, Any]) -> str:
    """What Pelican's readers' output depends on besides the file: the settings above and the versions."""
    wanted = {key: settings.get(key) for key in READER_SETTINGS}
    text = json.dumps([wanted, pelican_version, markdown.__version__], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
