"""Root-relative links an item writes to files the site does not publish are named (review 1, finding 4)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.sitekit import make_site, vetted
from vouch_site.build import build

ARTICLE = (
    "Title: Travels\nDate: 2026-10-01\n\nSee ![a photo](/static/images/DSC1.JPG), [the list](/directory/),\n"
    "[notes][n] and [all articles](/articles/).\n\n[n]: /static/plain/notes.txt\n"
)


def test_a_root_relative_link_to_a_file_not_published_is_a_warning_naming_page_link_and_fix(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/travels.md": ARTICLE,
            "content/static/images/DSC1.JPG": b"jpeg",
            "content/articles/fine.md": "Title: Fine\nDate: 2026-10-02\n\n[Home](/) and [us](/directory/).\n",
        },
    )
    lines = [line for line in build(tmp_path).summary().splitlines() if "does not publish" in line]
    assert lines == [
        "warning: content/articles/travels.md:4: links /static/images/DSC1.JPG and 1 more (/static/plain/notes.txt), "
        "which the site does not publish: link a file under content/ with {static} (such as "
        "{static}/static/images/DSC1.JPG), and it is published with the page"
    ]


def test_a_link_into_the_search_index_is_judged_once_the_index_is_written(tmp_path: Path) -> None:
    """Dead links are looked for while Pagefind indexes: one into /pagefind/ is judged once the index is there
    (a real one is not dead, a missing one is), and the file count is the whole site's, index included."""
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/how.md": "Title: How search works\nDate: 2026-10-01\n\n"
            "[Its script](/pagefind/pagefind.js) and [no such file](/pagefind/none.js).\n",
        },
    )
    result = build(tmp_path)
    lines = [line for line in result.summary().splitlines() if "does not publish" in line]
    assert len(lines) == 1 and "links /pagefind/none.js, which" in lines[0]
    assert result.files == sum(len(names) for _, _, names in os.walk(result.output))
    assert (result.output / "pagefind" / "pagefind.js").is_file()


def test_a_link_into_the_search_index_spelt_with_escapes_is_judged_once_the_index_is_written(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/how.md": "Title: How\nDate: 2026-10-01\n\n[a](/%70agefind/pagefind.js) [b](/pagefind%2Fpagefind.js)\n"
        },
    )
    assert "does not publish" not in build(tmp_path).summary()
