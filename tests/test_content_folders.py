"""ARTICLE_PATHS and PAGE_PATHS are read from the settings wherever content is found, not assumed."""

from __future__ import annotations

from pathlib import Path

from tests.sitekit import make_site, vetted
from vouch.content_folders import Folders
from vouch_site.build import build


def test_articles_in_the_folder_article_paths_names_are_built(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"harbour": vetted("Harbour Plumbing")},
        {
            "content/posts/boilers.md": "Title: Servicing a boiler\nDate: 2026-10-01\n\nAsk {partner}harbour.\n",
            "content/info/about.md": "Title: About us\n\nWho we are.\n",
        },
    )
    with (root / "pelicanconf.py").open("a") as conf:
        conf.write('ARTICLE_PATHS = ["posts"]\nPAGE_PATHS = ["info"]\n')
    result = build(root)
    kinds = sorted(item.kind for item in result.report.content.shown)
    assert kinds == ["articles", "pages"]
    article = (root / "output" / "articles" / "boilers" / "index.html").read_text()
    assert "Servicing a boiler" in article and 'href="../../partners/harbour/"' in article
    assert (root / "output" / "about" / "index.html").is_file()
    assert "Servicing a boiler" in (root / "output" / "feeds" / "articles.atom.xml").read_text()


def test_the_deepest_folder_decides_the_kind_and_other_files_are_not_items(tmp_path: Path) -> None:
    folders = Folders(articles=("",), pages=("pages",))
    content = tmp_path / "content"
    assert folders.kind_of(content / "a.md", content) == "articles"
    assert folders.kind_of(content / "pages" / "p.md", content) == "pages"
    assert folders.kind_of(content / "newsletter" / "n.md", content) == "newsletter"
    assert folders.kind_of(content / "images" / "x.svg", content) is None
    assert Folders().kind_of(content / "a.md", content) is None  # articles/ only, by default
