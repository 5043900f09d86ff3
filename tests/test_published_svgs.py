"""Every SVG that goes out is checked, wherever it goes out from: logos, files items link, the theme.

A file is an SVG by name (the link's or the file's, any case) or by content; a web server
serves it as image/svg+xml by its name, and a visitor who opens it runs what it holds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sitekit import REPO, make_site, read_tree, vetted
from vouch.problems import ValidationFailed
from vouch_site.build import build

HOSTILE = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
CLEAN = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>'
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
SCRIPT = "expected an SVG without script, event handlers, foreignObject, HTML or outside references; got {}: {}"
MISMATCH = "expected an image file whose extension matches its content; got {}: {}"


def _problems(root: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as failed:
        build(root)
    assert not (root / "output").exists()
    return [str(p).removeprefix(f"{root}/") for p in failed.value.problems]


def _logo_site(root: Path, src: str, files: dict[str, bytes]) -> Path:
    profile = vetted("Harbour", logo={"src": src, "alt": "H"})
    return make_site(root, {"harbour": profile}, {f"content/{rel}": data for rel, data in files.items()})


def _logo_line(root: Path) -> int:
    return next(
        n for n, line in enumerate((root / "partners/harbour.yaml").read_text().splitlines(), 1) if "src:" in line
    )


def test_a_logo_named_svg_that_links_a_txt_holding_script_is_refused_for_both(tmp_path: Path) -> None:
    root = _logo_site(tmp_path, "images/linked-logo.svg", {"images/evil2.txt": HOSTILE})
    (root / "content/images/linked-logo.svg").symlink_to("evil2.txt")
    line = _logo_line(root)
    assert _problems(root) == [
        f"partners/harbour.yaml:{line}: logo.src: "
        + SCRIPT.format("'images/linked-logo.svg'", "a <script> element on line 1"),
        f"partners/harbour.yaml:{line}: logo.src: "
        + MISMATCH.format("'images/linked-logo.svg'", "a link to images/evil2.txt, which is no image file's name"),
    ]


@pytest.mark.parametrize(
    ("src", "data", "what"),
    [
        ("images/logo.png", CLEAN, "a .png file holding an SVG image"),
        ("images/logo.svg", PNG, "a .svg file holding a PNG image"),
        ("images/logo.png", b"just text", "a .png file holding no PNG, JPEG, GIF, WebP, AVIF or SVG image"),
    ],
)
def test_a_logo_whose_extension_does_not_match_its_content_is_refused(
    tmp_path: Path, src: str, data: bytes, what: str
) -> None:
    root = _logo_site(tmp_path, src, {src: data})
    assert _problems(root) == [
        f"partners/harbour.yaml:{_logo_line(root)}: logo.src: {MISMATCH.format(repr(src), what)}"
    ]


def test_a_logo_in_a_png_named_file_holding_a_hostile_svg_is_checked_as_an_svg(tmp_path: Path) -> None:
    root = _logo_site(tmp_path, "images/logo.png", {"images/logo.png": HOSTILE})
    line = _logo_line(root)
    assert _problems(root) == [
        f"partners/harbour.yaml:{line}: logo.src: "
        + SCRIPT.format("'images/logo.png'", "a <script> element on line 1"),
        f"partners/harbour.yaml:{line}: logo.src: "
        + MISMATCH.format("'images/logo.png'", "a .png file holding an SVG image"),
    ]


def _article_site(root: Path, link: str, files: dict[str, bytes]) -> Path:
    article = f"Title: Charts\nDate: 2026-11-01\n\nSee the chart.\n\n![chart]({{static}}{link})\n"
    files = {f"content/{rel}": data for rel, data in files.items()}
    return make_site(root, {"harbour": vetted("Harbour")}, {"content/articles/charts.md": article, **files})


@pytest.mark.parametrize(
    ("link", "files"),
    [
        pytest.param("../images/evil.svg", {"images/evil.svg": HOSTILE}, id="by-name"),
        pytest.param("../images/EVIL.SVG", {"images/EVIL.SVG": HOSTILE}, id="by-name-in-capitals"),
        pytest.param(
            "../files/chart.txt", {"files/chart.txt": b"\xef\xbb\xbf <!-- c -->\n" + HOSTILE}, id="by-content"
        ),
        pytest.param(
            "../files/chart.txt",
            {"files/chart.txt": b'<?xml version="1.0"?>\n<!DOCTYPE x>\n' + HOSTILE},
            id="by-content-after-a-prolog",
        ),
    ],
)
def test_an_svg_linked_from_an_article_is_checked(tmp_path: Path, link: str, files: dict[str, bytes]) -> None:
    root = _article_site(tmp_path, link, files)
    [problem] = _problems(root)
    assert problem.startswith(f"content/articles/charts.md:6: {{static}}: {SCRIPT.format(repr(link), '')}")


def test_a_file_an_article_links_is_checked_as_an_svg_when_a_link_publishes_it_as_one(tmp_path: Path) -> None:
    root = _article_site(tmp_path, "../images/chart.txt", {"images/chart.txt": b"x" + HOSTILE})
    (root / "content/images/chart.svg").symlink_to("chart.txt")  # under STATIC_PATHS: it goes out too
    assert _problems(root) == [
        "content/articles/charts.md:6: {static}: "
        + SCRIPT.format("'../images/chart.txt' (also published as images/chart.svg)", "not well-formed XML: "
                        "not well-formed (invalid token) on line 1")
    ]  # fmt: skip


def test_a_clean_svg_linked_from_an_article_goes_out(tmp_path: Path) -> None:
    root = _article_site(tmp_path, "../images/chart.svg", {"images/chart.svg": CLEAN, "images/photo.png": PNG})
    build(root)
    assert read_tree(root / "output")["images/chart.svg"] == CLEAN


def test_a_hostile_svg_among_the_theme_static_files_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"harbour": vetted("Harbour")})
    shutil.copytree(REPO / "theme", root / "theme")
    (root / "theme/static/badge.svg").write_bytes(HOSTILE)
    (root / "theme/static/badge.txt").write_bytes(HOSTILE)
    (root / "theme/static/photo.png").write_bytes(PNG)
    assert _problems(root) == [
        "theme/static/badge.svg: svg: " + SCRIPT.format("'theme/static/badge.svg'", "a <script> element on line 1"),
        "theme/static/badge.txt: svg: " + SCRIPT.format("'theme/static/badge.txt'", "a <script> element on line 1"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("x.svg", b"", True),
        ("X.SvG", PNG, True),
        ("x.txt", b"  \n<svg/>", True),
        ("x.txt", b"\xef\xbb\xbf<svg/>", True),
        ("x.txt", "<svg/>".encode("utf-16"), True),
        ("x.txt", b'<?xml version="1.0"?><!-- a --><svg/>', True),
        ("x.txt", b'<?xml version="1.0"?><!DOCTYPE x><doc><svg/></doc>', True),  # XML that holds SVG
        ("x.txt", b"<!-- note --> <svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>", True),
        ("x.txt", b"SVG files are pictures", False),
        ("x.png", PNG, False),
        ("x.html", b"<html><svg/></html>", False),
    ],
)
def test_an_svg_is_known_by_its_name_or_its_content(name: str, data: bytes, expected: bool) -> None:
    from vouch.svg import looks_like_svg

    assert looks_like_svg(name, data) is expected


def test_the_daily_build_leaves_out_a_hostile_svg_and_the_article_that_links_it(tmp_path: Path) -> None:
    root = _article_site(tmp_path, "../images/evil.svg", {"images/evil.svg": HOSTILE, "images/ok.svg": CLEAN})
    (root / "content/articles/ok.md").write_text("Title: Fine\nDate: 2026-11-01\n\n![ok]({static}../images/ok.svg)\n")
    result = build(root, keep_going=True)
    assert [(p.path.name, p.line) for p in result.report.problems] == [("charts.md", 6)]
    tree = read_tree(root / "output")
    assert "images/ok.svg" in tree and "articles/ok/index.html" in tree
    assert not [rel for rel, data in tree.items() if b"alert(" in data or rel.startswith("articles/charts")]
