"""Files under content/: only what a published item or partner links goes out (not Pelican's STATIC_PATHS)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sitekit import REPO, make_site, read_tree, vetted
from vouch.problems import ValidationFailed
from vouch_site.build import build

SVG = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
PENDING = {"name": "Moorview Landscapes", "status": "pending", "category": "plumbing"}


def test_files_linked_only_by_withheld_or_draft_items_are_not_published(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour"), "moorview-landscapes": PENDING},
        {
            "content/articles/offer.md": "Title: Offer\nDate: 2026-11-01\n\n"
            "Ask {partner}moorview-landscapes for the [proposal]({static}../files/proposal.txt).\n",
            "content/articles/gripes.md": "Title: Gripes\nDate: 2026-11-01\nStatus: draft\n\n"
            "The [list]({attach}../files/complaints.txt).\n",
            "content/articles/guide.md": "Title: Guide\nDate: 2026-11-01\n\nThe [form]({static}../files/form.txt).\n",
            "content/files/proposal.txt": "PROPOSAL",
            "content/files/complaints.txt": "COMPLAINTS",
            "content/files/form.txt": "FORM",
            "content/files/stray.txt": "STRAY",
            "content/images/stray.svg": SVG,
        },
    )
    result = build(tmp_path)
    tree = read_tree(tmp_path / "output")
    assert tree["files/form.txt"] == b"FORM"
    assert 'href="../../files/form.txt"' in tree["articles/guide/index.html"].decode()
    leaked = [rel for rel, data in tree.items() if data in (b"PROPOSAL", b"COMPLAINTS", b"STRAY", SVG)]
    assert leaked == []
    assert (
        "warning: 2 files under content/ are linked by no published item or partner, so not published: "
        "content/files/stray.txt, content/images/stray.svg" in result.summary().splitlines()
    )


def test_the_summary_names_a_few_unlinked_files_and_counts_the_rest(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {f"content/files/f{i}.txt": "x" for i in range(7)})
    lines = [line for line in build(tmp_path).summary().splitlines() if "linked by no" in line]
    assert lines == [
        "warning: 7 files under content/ are linked by no published item or partner, so not published: "
        "content/files/f0.txt, content/files/f1.txt, content/files/f2.txt, content/files/f3.txt, "
        "content/files/f4.txt and 2 more (invoke check lists them)"
    ]


def test_an_unpublished_partners_logo_stays_out_however_its_path_is_written(tmp_path: Path) -> None:
    content = tmp_path / "content"
    spellings = {
        "dot": "./images/dot.svg",
        "double": "images//double.svg",
        "updown": "images/../images/updown.svg",
        "absolute": f"{content}/images/absolute.svg",
    }
    profiles: dict = {slug: {**PENDING, "logo": {"src": src, "alt": "x"}} for slug, src in spellings.items()}
    profiles["shown"] = vetted("Shown", logo={"src": "./images//shown.svg", "alt": "Shown logo"})
    profiles["abs"] = vetted("Abs", logo={"src": f"{content}/pics/../logos/abs.svg", "alt": "Abs logo"})
    files = {
        f"content/images/{slug}.svg": f"<svg xmlns='http://www.w3.org/2000/svg' id='zq{slug}q'/>" for slug in spellings
    }
    files |= {
        "content/images/shown.svg": "<svg xmlns='http://www.w3.org/2000/svg' id='shown'/>",
        "content/logos/abs.svg": "<svg xmlns='http://www.w3.org/2000/svg' id='abs'/>",
    }
    make_site(tmp_path, profiles, files)
    build(tmp_path)
    tree = read_tree(tmp_path / "output")
    assert not [rel for rel, data in tree.items() if any(f"zq{slug}q".encode() in data for slug in spellings)]
    assert (
        tree["images/shown.svg"] == b"<svg xmlns='http://www.w3.org/2000/svg' id='shown'/>"
        and tree["logos/abs.svg"] == b"<svg xmlns='http://www.w3.org/2000/svg' id='abs'/>"
    )
    assert 'src="../../images/shown.svg"' in tree["partners/shown/index.html"].decode()
    assert 'src="../../logos/abs.svg"' in tree["partners/abs/index.html"].decode()
    assert not [rel for rel, data in tree.items() if str(tmp_path).encode() in data]


def test_a_symlink_out_of_content_is_an_error_and_nothing_is_built(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "private/subscribers.csv": "email,name\nann@example.org,Ann\n",
            "content/articles/a.md": "Title: A\nDate: 2026-11-01\n\nThe [list]({static}../images/list.csv).\n",
        },
    )
    (tmp_path / "content/images").mkdir()
    (tmp_path / "content/images/list.csv").symlink_to("../../private/subscribers.csv")
    (tmp_path / "content/private").symlink_to("../private", target_is_directory=True)
    (tmp_path / "content/pages").mkdir()
    (tmp_path / "content/pages/notes").symlink_to(tmp_path / "private", target_is_directory=True)
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    outside = "expected a link to a file or folder inside content/; got a link to {} (nothing outside is published)"
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        f"content/images/list.csv:1: symlink: {outside.format(tmp_path / 'private/subscribers.csv')}",
        f"content/pages/notes:1: symlink: {outside.format(tmp_path / 'private')}",
        f"content/private:1: symlink: {outside.format(tmp_path / 'private')}",
    ]
    assert not (tmp_path / "output").exists()


def test_a_symlink_within_content_is_followed_like_the_file_itself(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour", logo={"src": "images/harbour.svg", "alt": "H"})},
        {
            "content/logos/harbour.svg": SVG,
            "content/logos/pending.svg": "<svg xmlns='http://www.w3.org/2000/svg' id='zqpendingq'/>",
        },
    )
    (tmp_path / "content/images").mkdir()
    (tmp_path / "content/images/harbour.svg").symlink_to("../logos/harbour.svg")
    (tmp_path / "content/images/pending.svg").symlink_to("../logos/pending.svg")
    (tmp_path / "content/more").symlink_to("logos", target_is_directory=True)
    build(tmp_path)
    tree = read_tree(tmp_path / "output")
    assert tree["logos/harbour.svg"] == SVG
    assert 'src="../../logos/harbour.svg"' in tree["partners/harbour/index.html"].decode()
    assert not [rel for rel, data in tree.items() if b"zqpendingq" in data]


def test_a_theme_symlink_out_of_the_theme_is_an_error(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"private/subscribers.csv": "email\nann@example.org\n"})
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    (tmp_path / "theme/static/list.csv").symlink_to(tmp_path / "private/subscribers.csv")
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path, overrides={"THEME": "theme"})
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        f"theme/static/list.csv:1: symlink: expected a link to a file or folder inside theme/; got a link to "
        f"{tmp_path / 'private/subscribers.csv'} (nothing outside is published)"
    ]


EDITOR_TEMPORARIES = ("{}~", ".{}.swp", "#{}#", ".{}.swo")


def test_editor_temporary_files_are_skipped_everywhere_and_counted(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "content/images/harbour.svg": SVG,
        "content/articles/a.md": "Title: A\nDate: 2026-11-01\n\nText.\n",
    }
    for spelling in EDITOR_TEMPORARIES:  # backups of a published logo, a pending partner's logo and an article
        files[f"content/images/{spelling.format('harbour.svg')}"] = (
            "<svg xmlns='http://www.w3.org/2000/svg' id='zqbackupq'/>"
        )
        files[f"content/images/{spelling.format('moorview.svg')}"] = (
            "<svg xmlns='http://www.w3.org/2000/svg' id='zqbackupq'/>"
        )
        files[f"content/articles/{spelling.format('a.md')}"] = "Title: zqbackupq\nDate: 2026-11-01\n\nOld.\n"
    make_site(
        tmp_path,
        {
            "harbour": vetted("Harbour", logo={"src": "images/harbour.svg", "alt": "H"}),
            "moorview": {**PENDING, "logo": {"src": "images/moorview.svg", "alt": "M"}},
        },
        files,
    )
    (tmp_path / "content/images/moorview.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' id='zqpendingq'/>")
    for name in ("images/.#harbour.svg", "articles/.#a.md"):  # Emacs's lock files: links to nowhere
        (tmp_path / "content" / name).symlink_to("editor@host.1234:1700000000")
    result = build(tmp_path)
    tree = read_tree(tmp_path / "output")
    assert not [rel for rel, data in tree.items() if b"zqbackupq" in data or b"zqpendingq" in data]
    assert tree["images/harbour.svg"] == SVG and "articles/a/index.html" in tree
    summary = result.summary().splitlines()
    assert "skipped: 14 editor temporary files under content/ (backups, swap and lock files)" in summary
    assert not [line for line in summary if "linked by no" in line]


def test_a_link_to_an_editor_temporary_file_is_an_error(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/a.md": "Title: A\nDate: 2026-11-01\n\nThe [old logo]({static}../images/x.svg~).\n",
            "content/images/x.svg~": SVG,
        },
    )
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        "content/articles/a.md:4: {static}: expected a file under content/; got '../images/x.svg~' "
        "(an editor's temporary file: never published)"
    ]
