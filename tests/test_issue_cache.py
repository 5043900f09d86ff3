"""Newsletter e-mails are rendered once per content (``vouch_site/issue_cache.py``): a build with nothing changed
renders none, and after any change that could change an e-mail the previews equal a build without the cache's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sitekit import REPO, make_site, read_tree, vetted
from vouch_site import mailout
from vouch_site.build import build
from vouch_site.issue_cache import CACHE_FILE

PROFILES = {"harbour": vetted("Harbour Plumbing", vetted_on="2026-11-01"), "anchor": vetted("Anchor Roofing")}
FILES = {
    "content/newsletter/november.md": "Title: November\nDate: 2026-11-20\n\nAsk {partner}harbour about boilers.\n",
    "content/newsletter/welcome/01-hello.md": "Title: Hello\nDelay: 0\n\nWelcome aboard.\n",
    "content/articles/frost.md": "Title: Frost\nDate: 2026-11-10\n\nLag your pipes.\n",
}


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The subject of every e-mail rendered."""
    done: list[str] = []
    real = mailout.render_issue
    monkeypatch.setattr(mailout, "render_issue", lambda view, *rest: (done.append(view.subject), real(view, *rest))[1])
    return done


def mail_of_a_cold_build(root: Path, cold: Path) -> dict[str, bytes]:
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns(".cache", "output", "mail", ".output.builds"))
    return read_tree(build(cold).output.parent / "mail")


def test_a_build_with_nothing_changed_renders_no_e_mail(tmp_path: Path, renders: list[str]) -> None:
    root = make_site(tmp_path, PROFILES, FILES)
    first = read_tree(build(root).output.parent / "mail")
    assert sorted(renders) == ["Hello", "November"] and (root / ".cache" / "vouch" / CACHE_FILE).is_file()
    renders.clear()
    assert read_tree(build(root).output.parent / "mail") == first
    assert renders == []


def test_every_change_an_e_mail_shows_renders_it_again(tmp_path: Path, renders: list[str]) -> None:
    """The issue's text, a partner's name it links, its digest (a new article in its window), a setting, the
    e-mail template and style sheet: each renders again, and mail/ equals a cold build's."""
    root = make_site(tmp_path / "site", PROFILES, FILES)
    shutil.copytree(REPO / "theme", root / "theme")
    build(root)
    changes = {
        "text": lambda: (root / "content/newsletter/november.md").write_text(FILES["content/newsletter/november.md"]
                                                                              + "\nAnd gutters.\n"),
        "a name": lambda: make_site(root, {**PROFILES, "harbour": vetted("Harbour Heating", vetted_on="2026-11-01")}),
        "the digest": lambda: (root / "content/articles/ice.md").write_text("Title: Ice\nDate: 2026-11-15\n\nSalt.\n"),
        "a setting": lambda: (root / "pelicanconf.py").write_text((root / "pelicanconf.py").read_text()
                                                                  + '\nNEWSLETTER_REPLY_TO = "desk@test.example"\n'),
        "the template": lambda: (root / "theme/templates/email/issue.html").write_text(
            (root / "theme/templates/email/issue.html").read_text().replace("</body>", "<p>Zqfooter.</p></body>")),
        "the style sheet": lambda: (root / "theme/static/email.css").write_text(
            (root / "theme/static/email.css").read_text() + "\np { letter-spacing: 0.01em; }\n"),
    }  # fmt: skip
    for change, make in changes.items():
        make()
        renders.clear()
        warm = read_tree(build(root).output.parent / "mail")
        assert "November" in renders, f"not rendered again after {change}"
        assert warm == mail_of_a_cold_build(root, tmp_path / change.replace(" ", "-")), change


@pytest.mark.parametrize("damage", [b"", b"junk", None])
def test_a_damaged_or_foreign_cache_renders_again(tmp_path: Path, renders: list[str], damage: bytes | None) -> None:
    root = make_site(tmp_path, PROFILES, FILES)
    first = read_tree(build(root).output.parent / "mail")
    cache = root / ".cache" / "vouch" / CACHE_FILE
    if damage is None:  # kept entries of another shape
        import pickle

        from vouch_site.issue_cache import VERSION

        _, kept = pickle.loads(cache.read_bytes())
        cache.write_bytes(pickle.dumps((VERSION, dict.fromkeys(kept, ("not", "rendered")))))
    else:
        cache.write_bytes(damage)
    renders.clear()
    assert read_tree(build(root).output.parent / "mail") == first
    assert sorted(renders) == ["Hello", "November"]


def test_templates_in_a_linked_folder_are_in_the_key_and_linked_stylesheets_never_load(tmp_path: Path) -> None:
    """Jinja follows a link to a folder of e-mail templates, so the key does (review of stop 29: an edit there
    left every warm e-mail as it was); a ``<link>`` stylesheet is not fetched at build time (it was inlined, and
    the key could not know it changed): the theme's email.css is the e-mail's style."""
    root = make_site(tmp_path / "site", PROFILES, FILES)
    shutil.copytree(REPO / "theme", root / "theme")
    (root / "theme/parts").mkdir()
    (root / "theme/parts/sig.html").write_text('<p class="sig">Signed: the editors</p>')
    (root / "theme/templates/email/parts").symlink_to("../../parts")
    (root / "theme/static/extra.css").write_text(".sig { color: #ee0000; }")
    issue = root / "theme/templates/email/issue.html"
    link = f'<link rel="stylesheet" href="file://{root}/theme/static/extra.css">'
    text = (
        issue.read_text()
        .replace("</body>", '{% include "parts/sig.html" %}</body>')
        .replace("<style", link + "<style", 1)
    )
    issue.write_text(text)
    build(root)
    (root / "theme/parts/sig.html").write_text('<p class="sig">Signed: the new editors</p>')
    warm = read_tree(build(root).output.parent / "mail")
    assert b"the new editors" in warm["november/message.html"] and b"#ee0000" not in warm["november/message.html"]
    assert warm == mail_of_a_cold_build(root, tmp_path / "cold")
