"""Partner references in Markdown: links, unknown slugs, withheld items."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.sitekit import REFERENCE_SPELLINGS as SPELLINGS
from tests.sitekit import make_site, read_tree, readable_tree, vetted
from vouch.problems import ValidationFailed
from vouch.references import link_partners, references
from vouch_site.build import build

ARTICLE = """\
Title: Boilers in winter
Date: 2026-10-01
Partners: harbour

Call {partner}harbour or [the quay people]({partner}quay).
"""


def test_references_are_found_in_metadata_and_text_with_lines() -> None:
    found = [(r.slug, r.line, r.field) for r in references(ARTICLE)]
    assert found == [("harbour", 3, "Partners"), ("harbour", 5, ""), ("quay", 5, "")]


def test_links_resolve_relative_to_the_page_and_bare_ones_get_the_name() -> None:
    html = '<p>Call {partner}harbour or <a href="{partner}quay">them</a>.</p>'
    out = link_partners(html, "../..", {"harbour": "Harbour & Co", "quay": "Quay"})
    assert out == (
        '<p>Call <a href="../../partners/harbour/">Harbour &amp; Co</a> or <a href="../../partners/quay/">them</a>.</p>'
    )


def test_article_links_to_published_partners(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour Plumbing"), "quay": vetted("Quay Drains")},
        {"content/articles/boilers.md": ARTICLE},
    )
    build(tmp_path)
    html = (tmp_path / "output/articles/boilers/index.html").read_text()
    assert '<a href="../../partners/harbour/">Harbour Plumbing</a>' in html
    assert '<a href="../../partners/quay/">the quay people</a>' in html
    assert "{partner}" not in html


def test_unknown_slug_is_a_build_error_with_file_and_line(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/articles/boilers.md": ARTICLE})
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p) for p in failed.value.problems] == [
        f"{tmp_path}/content/articles/boilers.md:5: partner reference: "
        "expected the slug of a profile in partners/; got 'quay'"
    ]
    assert not (tmp_path / "output").exists()


def test_item_naming_an_unpublished_partner_is_withheld_everywhere(tmp_path: Path) -> None:
    suspended = vetted("Quay Drains") | {"status": "suspended"}
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour Plumbing"), "quay": suspended},
        {
            "content/articles/boilers.md": ARTICLE,
            "content/pages/about.md": "Title: About us\n\nWe recommend {partner}quay.\n",
            "content/articles/fine.md": "Title: Fine\nDate: 2026-10-02\n\nSee {partner}harbour.\n",
        },
    )
    build(tmp_path)
    tree = read_tree(tmp_path / "output")
    assert "articles/fine/index.html" in tree
    assert not [rel for rel in tree if "boilers" in rel or "about" in rel]
    blob = b"".join(tree.values())
    assert b"Boilers in winter" not in blob and b"About us" not in blob and b"Quay" not in blob


def test_profile_description_links_to_partners(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "harbour": vetted(
                "Harbour Plumbing", description="We work with {partner}quay and [others]({partner}quay)."
            ),
            "quay": vetted("Quay Drains"),
        },
    )
    build(tmp_path)
    html = (tmp_path / "output/partners/harbour/index.html").read_text()
    assert '<a href="../../partners/quay/">Quay Drains</a>' in html
    assert '<a href="../../partners/quay/" rel="nofollow noopener">others</a>' in html


def test_description_naming_an_unpublished_partner_withholds_the_profile(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "harbour": vetted("Harbour Plumbing", description="Ask {partner}quay."),
            "mill": vetted("Mill Joinery", description="Friends of {partner}harbour."),
            "quay": vetted("Quay Drains") | {"status": "suspended"},
            "fine": vetted("Fine Electrics"),
        },
    )
    result = build(tmp_path)
    assert [p.slug for p in result.site.partners] == ["fine"]
    assert result.report.withheld_partners == {"harbour": ["quay"], "mill": ["harbour"]}
    blob = b"".join(read_tree(tmp_path / "output").values())
    assert b"Harbour" not in blob and b"Mill" not in blob and b"Quay" not in blob


def test_unknown_slug_in_a_description_is_an_error_on_its_line(tmp_path: Path) -> None:
    head = "name: H\nstatus: pending\ncategory: plumbing\n"
    make_site(
        tmp_path,
        {
            "harbour": head + "description: |\n  Family firm.\n\n  Ask {partner}ghost.\n",
            "quay": head + "description: Ask {partner}spook.\n",
        },
    )
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        "partners/harbour.yaml:7: description: expected the slug of a profile in partners/; got 'ghost'",
        "partners/quay.yaml:4: description: expected the slug of a profile in partners/; got 'spook'",
    ]


def test_a_mistyped_slug_gets_a_suggestion(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour-plumbing": vetted("Harbour")},
        {"content/pages/p.md": "Title: P\n\nAsk {partner}harbour-plumbin.\n"},
    )
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert str(failed.value.problems[0]).endswith("got 'harbour-plumbin' (did you mean 'harbour-plumbing'?)")


def test_references_inside_attributes_and_link_text_keep_the_markup_valid() -> None:
    html = (
        '<p><a href="https://h.example/?via={partner}quay" title="by {partner}quay" rel="nofollow noopener">'
        "see {partner}quay</a> or {partner}quay</p>"
    )
    out = link_partners(html, "../..", {"quay": 'Quay "&" <Sons>'})
    assert out == (
        '<p><a href="https://h.example/?via=../../partners/quay/" title="by Quay &quot;&amp;&quot; &lt;Sons&gt;"'
        ' rel="nofollow noopener">see Quay "&amp;" &lt;Sons&gt;</a>'
        ' or <a href="../../partners/quay/">Quay "&amp;" &lt;Sons&gt;</a></p>'
    )


def test_a_partner_name_is_never_written_into_a_url() -> None:
    out = link_partners('<a href="{partner}quay" title="{partner}quay">x</a>', "..", {"quay": "javascript:alert(1)"})
    assert out == '<a href="../partners/quay/" title="javascript:alert(1)">x</a>'


def test_references_in_a_link_title_or_href_keep_the_description_nofollow(tmp_path: Path) -> None:
    description = '[Our site](https://h.example/?via={partner}quay "Partner of {partner}quay")'
    make_site(tmp_path, {"harbour": vetted("Harbour", description=description), "quay": vetted("Quay & Sons")})
    build(tmp_path)
    html = (tmp_path / "output/partners/harbour/index.html").read_text()
    assert (
        '<p><a href="https://h.example/?via=../../partners/quay/" title="Partner of Quay &amp; Sons"'
        ' rel="nofollow noopener">Our site</a></p>'
    ) in html


def spelled(spelling: str, slug: str) -> str:
    return spelling.replace("SLUG", slug)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_reference_is_found_on_its_line(spelling: str) -> None:
    text = f"Title: T\nDate: 2026-10-01\n\nAsk {spelled(spelling, 'quay')} today.\n"
    assert [(r.slug, r.line, r.field) for r in references(text)] == [("quay", 4, "")]


@pytest.mark.parametrize("spelling", [s for s in SPELLINGS if "\n" not in s])
def test_every_spelling_in_a_title_or_summary_is_found(spelling: str) -> None:
    text = f"Title: Ask {spelled(spelling, 'quay')}\nSummary: {spelled(spelling, 'harbour')}\n\nBody.\n"
    assert [(r.slug, r.line) for r in references(text)] == [("quay", 1), ("harbour", 2)]


@pytest.mark.parametrize(
    "spelling", ["{partner}Quay-Drains", "|partner|Quay-Drains", "<a href='{PARTNER}Quay-Drains'>"]
)
def test_a_capitalised_slug_names_no_profile(tmp_path: Path, spelling: str) -> None:
    article = f"Title: T\nDate: 2026-10-01\n\nAsk {spelling} today.\n"
    make_site(tmp_path, {"quay-drains": vetted("Quay")}, {"content/articles/a.md": article})
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).rsplit("content/", 1)[1] for p in failed.value.problems] == [
        "articles/a.md:4: partner reference: expected the slug of a profile in partners/; got 'Quay-Drains'"
        " (did you mean 'quay-drains'?)"
    ]


def test_link_partners_resolves_what_a_browser_reads_as_a_reference() -> None:
    html = '<p>&#123;partner&#125;harbour or <a href="%7Bpartner%7Dharbour" title="&lbrace;partner}harbour">x</a></p>'
    assert link_partners(html, "..", {"harbour": "Harbour"}) == (
        '<p><a href="../partners/harbour/">Harbour</a> or <a href="../partners/harbour/" title="Harbour">x</a></p>'
    )


def test_link_partners_never_links_or_shows_a_slug_it_is_not_given() -> None:
    html = (
        '<p>Ask {partner}quay, &#123;partner&#125;quay or <a href="{partner}quay" title="by {partner}quay">them</a>'
        '<a href="%7Bpartner%7Dquay">us</a><!-- {partner}quay --></p>'
    )
    assert link_partners(html, "..", {"harbour": "Harbour"}) == "<p>Ask ,  or <a>them</a><a>us</a><!--  --></p>"


def test_every_spelling_naming_an_unpublished_partner_withholds_the_item_or_profile(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    profiles: dict[str, dict | str] = {"harbour": vetted("Harbour"), "quay": vetted("Quay") | {"status": "suspended"}}
    files: dict[str, str | bytes] = {}
    for k, spelling in enumerate(SPELLINGS):
        ref = spelled(spelling, "quay")
        files[f"content/articles/a{k:02}.md"] = f"Title: Article {k}\nDate: 2026-10-01\n\nAsk {ref}.\n"
        files[f"content/pages/p{k:02}.md"] = f"Title: Page {k}\n\nAsk {ref}.\n"
        files[f"content/newsletter/n{k:02}.md"] = f"Title: Issue number {k}\nDate: 2026-10-01\n\nAsk {ref}.\n"
        profiles[f"d{k:02}"] = vetted(f"Firm {k}", description=f"Ask {ref}.")
    make_site(tmp_path, profiles, files)
    with caplog.at_level("WARNING", logger="vouch"):
        result = build(tmp_path)
    assert sorted(str(p.relative_to(tmp_path)) for p in result.report.content.withheld) == sorted(files)
    assert result.report.withheld_partners == {f"d{k:02}": ["quay"] for k in range(len(SPELLINGS))}
    # said once, in the summary's "withheld" line: no page is written to leave the reference out of (each build of
    # a 10,000-partner network logged 149 such lines, and invoke serve again on every edit)
    assert [r.getMessage() for r in caplog.records if "was left out" in r.getMessage()] == []
    tree = readable_tree(tmp_path / "output") | read_tree(tmp_path / "mail")
    assert [rel for rel, data in tree.items() if b"quay" in data.lower()] == []


def test_every_spelling_of_an_unknown_slug_is_an_error_on_its_line(tmp_path: Path) -> None:
    pages = {f"content/pages/p{k:02}.md": f"Title: P\n\nSee\n{spelled(s, 'ghost')}.\n" for k, s in enumerate(SPELLINGS)}
    head = "name: S\nstatus: pending\ncategory: plumbing\ndescription: |\n  One.\n\n"
    profiles = {f"s{k:02}": head + textwrap.indent(spelled(s, "spook"), "  ") for k, s in enumerate(SPELLINGS)}
    make_site(tmp_path, profiles, pages)
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    expected = "expected the slug of a profile in partners/; got"
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        *(f"{rel}:4: partner reference: {expected} 'ghost'" for rel in pages),
        *(f"partners/{slug}.yaml:7: description: {expected} 'spook'" for slug in profiles),
    ]


def test_a_left_out_reference_is_logged_once_naming_the_file(caplog: pytest.LogCaptureFixture) -> None:
    html = '<p>{partner}quay, {partner}quay <a href="{partner}quay" title="{partner}quay">x</a></p>'
    with caplog.at_level("WARNING", logger="vouch"):
        link_partners(html, "..", {"harbour": "Harbour"}, source="content/articles/a.md")
    assert [r.getMessage() for r in caplog.records] == [
        "vouch: content/articles/a.md: a reference to quay was left out: that partner is not published"
    ]
