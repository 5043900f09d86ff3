"""End-to-end: the demo network and small sites built for real."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import vobject

from tests.sitekit import build_folders_left, make_site, read_tree, stable_tree, vetted
from vouch.problems import ValidationFailed
from vouch_site.build import build

PUBLISHED = {
    "24-7-locksmiths-devon",
    "avon-valley-accountants",
    "bolt-head-carpentry",
    "dart-valley-builders",
    "estuary-electrical",
    "fairweather-solicitors",
    "harbour-plumbing",
    "salcombe-garden-care",
    "start-bay-roofing",
    "tidewater-cleaning",
}
UNPUBLISHED = {"crystal-clear-windows", "moorview-landscapes", "quayside-drainage", "thurlestone-thatching"}


def test_demo_builds_every_public_url(demo_output: Path) -> None:
    for rel in (
        "index.html",
        "directory/index.html",
        "directory/plumbing/index.html",
        "areas/index.html",
        "areas/kingsbridge/index.html",
        "vetting/index.html",
        "partners.json",
        "404.html",
        "robots.txt",
        "theme/site.css",
    ):
        assert (demo_output / rel).is_file(), rel
    for slug in PUBLISHED:
        assert (demo_output / "partners" / slug / "index.html").is_file()
        assert (demo_output / "partners" / f"{slug}.vcf").is_file()


def test_unpublished_demo_partners_appear_in_no_file(demo_output: Path, demo_site: Path) -> None:
    import yaml

    needles = set(UNPUBLISHED)
    for slug in UNPUBLISHED:
        profile = yaml.safe_load((demo_site / "partners" / f"{slug}.yaml").read_text())
        needles.add(profile["name"])
    for rel, data in read_tree(demo_output).items():
        text = data.decode("utf-8", "replace")
        for needle in needles:
            assert needle not in text and needle.replace("&", "&amp;") not in text, f"{needle} in {rel}"


def test_partners_json_has_the_spec_shape_and_only_published(demo_output: Path) -> None:
    data = json.loads((demo_output / "partners.json").read_text())
    assert data["generated"] == "2026-11-25"
    assert {p["slug"] for p in data["partners"]} == PUBLISHED
    entry = next(p for p in data["partners"] if p["slug"] == "harbour-plumbing")
    assert set(entry) == {"slug", "name", "category", "summary", "areas", "services", "contact", "vetting", "url"}
    assert set(entry["vetting"]) == {"vetted_on", "review_by", "vouched_by", "checks"}
    assert entry["url"] == "https://trusted.southhams.example/partners/harbour-plumbing/"
    assert entry["contact"]["phone"].startswith("+44")


def test_profile_page_shows_contact_links_and_vetting_badge(demo_output: Path) -> None:
    html = (demo_output / "partners/harbour-plumbing/index.html").read_text()
    assert 'href="tel:+441174960100"' in html
    assert ">0117 496 0100<" in html
    assert 'href="mailto:fred@harbour-plumbing.example"' in html
    assert "Vouched for by" in html and "Next review" in html
    assert 'href="../../vetting/#check-references"' in html
    assert 'href="../../partners/harbour-plumbing.vcf"' in html
    assert '<link rel="canonical" href="https://trusted.southhams.example/partners/harbour-plumbing/">' in html


def test_vcard_is_version_3_with_the_contact_details(demo_output: Path) -> None:
    card = vobject.readOne((demo_output / "partners/harbour-plumbing.vcf").read_text())
    assert card.version.value == "3.0"
    assert card.fn.value == "Harbour Plumbing & Heating"
    assert card.tel.value == "+441174960100"
    assert card.email.value == "fred@harbour-plumbing.example"


def test_pages_link_relatively_so_output_works_from_any_folder(demo_output: Path) -> None:
    for rel in ("index.html", "directory/index.html", "partners/harbour-plumbing/index.html"):
        html = (demo_output / rel).read_text()
        links = re.findall(r'(?:href|src)="([^"]+)"', html)
        site_links = [u for u in links if not u.startswith(("http", "mailto:", "tel:", "#"))]
        assert site_links, rel
        assert not [u for u in site_links if u.startswith("/")], rel
        for url in site_links:
            target = (demo_output / rel).parent / url.split("#")[0]
            assert target.exists(), f"{rel} links to missing {url}"


def test_jsonld_cannot_close_its_script_element(tmp_path: Path) -> None:
    evil = "</script><script>alert(1)</script>"
    make_site(tmp_path, {"evil": vetted(f"Evil {evil}", summary=evil)})
    build(tmp_path)
    html = (tmp_path / "output/partners/evil/index.html").read_text()
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 1
    assert "<" not in scripts[0]
    assert json.loads(scripts[0])["name"] == f"Evil {evil}"
    assert "<script>alert(1)" not in html


def test_markdown_description_is_sanitised(tmp_path: Path) -> None:
    description = "Hello <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    make_site(tmp_path, {"p": vetted("P", description=description)})
    build(tmp_path)
    html = (tmp_path / "output/partners/p/index.html").read_text()
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_same_inputs_give_byte_identical_output(tmp_path: Path, demo_site: Path) -> None:
    first = build(demo_site, tmp_path / "one")
    second = build(demo_site, tmp_path / "two")
    assert stable_tree(first.output) == stable_tree(second.output)
    assert any(rel.startswith("pagefind/fragment/") for rel in stable_tree(first.output))


def test_rebuild_into_existing_output_gives_the_same_bytes(tmp_path: Path, demo_site: Path) -> None:
    out = tmp_path / "out"
    build(demo_site, out)
    before = stable_tree(out)
    build(demo_site, out)
    assert stable_tree(out) == before


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    make_site(tmp_path, {"good": vetted("Good Plumbing")})
    build(tmp_path)
    before = read_tree(tmp_path / "output")
    (tmp_path / "partners" / "good.yaml").write_text("name: Good\nstatus: yes\ncategory: plumbing\n")
    (tmp_path / "partners" / "other.yaml").write_text("name: [\n")
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p) for p in failed.value.problems] == [
        f"{tmp_path}/partners/good.yaml:2: status: expected one of pending, vetted, suspended, retired; "
        "got True (YAML reads yes as a boolean: quote it)",
        f"{tmp_path}/partners/other.yaml:2: invalid YAML: did not find expected node content",
    ]
    assert read_tree(tmp_path / "output") == before
    assert not build_folders_left(tmp_path)


def test_crash_while_writing_leaves_previous_output_untouched(tmp_path: Path) -> None:
    make_site(tmp_path, {"good": vetted("Good Plumbing")})
    build(tmp_path)
    before = read_tree(tmp_path / "output")
    broken_theme = tmp_path / "theme" / "templates"
    broken_theme.mkdir(parents=True)
    (broken_theme / "partner.html").write_text("{% extends 'base.html' %}{% block content %}{{ nope() }}{% endblock %}")
    with pytest.raises(Exception, match="undefined"):
        build(tmp_path, overrides={"THEME_TEMPLATES_OVERRIDES": [str(broken_theme)]})
    assert read_tree(tmp_path / "output") == before
    assert not build_folders_left(tmp_path)


def test_logo_of_an_unpublished_partner_is_not_copied(tmp_path: Path) -> None:
    logo = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    pending = {
        "name": "Secret Co",
        "status": "pending",
        "category": "plumbing",
        "logo": {"src": "images/secret.svg", "alt": "S"},
    }
    make_site(
        tmp_path,
        {"secret": pending, "shown": vetted("Shown", logo={"src": "images/shown.svg", "alt": "Shown logo"})},
        {"content/images/secret.svg": logo, "content/images/shown.svg": logo},
    )
    build(tmp_path)
    assert (tmp_path / "output/images/shown.svg").exists()
    assert not (tmp_path / "output/images/secret.svg").exists()


def test_a_logo_anywhere_under_content_is_published_with_its_partner(tmp_path: Path) -> None:
    logo = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    hidden = {"name": "Hidden", "status": "pending", "category": "plumbing", "logo": {"src": "pics/h.svg", "alt": "H"}}
    make_site(
        tmp_path,
        {"a": vetted("A", logo={"src": "logo.svg", "alt": "A"}), "b": vetted("B", logo={"src": "pics/b.svg", "alt": "B"}),
         "h": hidden},
        {"content/logo.svg": logo, "content/pics/b.svg": logo, "content/pics/h.svg": logo},
    )  # fmt: skip
    build(tmp_path)
    out = tmp_path / "output"
    assert (out / "logo.svg").read_bytes() == logo and (out / "pics/b.svg").read_bytes() == logo
    assert not (out / "pics/h.svg").exists()
    assert 'src="../../pics/b.svg"' in (out / "partners/b/index.html").read_text()


def test_large_directory_splits_by_letter(tmp_path: Path) -> None:
    profiles = {f"p{i}": vetted(f"{'AB9'[i % 3]}firm {i}") for i in range(7)}
    make_site(tmp_path, profiles)
    build(tmp_path, overrides={"DIRECTORY_PAGE_SIZE": 5, "LISTING_PAGE_SIZE": 2})
    out = tmp_path / "output"
    assert (out / "directory/a/index.html").exists()
    assert (out / "directory/a/page/2/index.html").exists()  # letters paginate too: no page grows without end
    assert (out / "directory/0-9/index.html").exists()
    assert (out / "directory/plumbing/page/4/index.html").exists()
    assert not (out / "directory/plumbing/page/5/index.html").exists()
    assert "firm" not in (out / "directory/index.html").read_text().split("<main")[1].split("By trade")[0]


def test_rebuild_after_an_edit_reuses_current_files_and_never_serves_stale_ones(tmp_path: Path) -> None:
    profiles = {f"p{i}": vetted(f"Firm {i}", description=f"Works with {{partner}}p{(i + 1) % 4}.") for i in range(4)}
    make_site(tmp_path, profiles, {"content/articles/a.md": "Title: A\nDate: 2026-01-01\nPartners: p1\n\nx\n"})
    build(tmp_path)
    before = read_tree(tmp_path / "output")
    inode = (tmp_path / "output/partners/p3/index.html").stat().st_ino
    make_site(tmp_path, profiles | {"p1": profiles["p1"] | {"name": "Renamed Firm"}})
    build(tmp_path)
    after = read_tree(tmp_path / "output")
    assert not [rel for rel, data in after.items() if b"Firm 1<" in data or b'Firm 1"' in data]
    assert b"Renamed Firm" in after["partners/p0/index.html"]  # p0's description links p1 by name
    assert b"Renamed Firm" in after["articles/a/index.html"]
    assert after["partners/p2/index.html"] == before["partners/p2/index.html"]
    assert (tmp_path / "output/partners/p3/index.html").stat().st_ino == inode  # reused, not rewritten


def test_pelican_reader_cache_does_not_carry_the_site(demo_site: Path) -> None:
    """Pelican pickles its settings into its cache; the build's state must not ride along."""
    cache = b"".join(p.read_bytes() for p in (demo_site / ".cache/pelican").glob("*/ArticlesGenerator-Readers"))
    assert cache and b"+441174960100" not in cache  # a phone number only partner pages show
    assert b"vouch.public" not in cache and b"vouch.site" not in cache


def test_spellings_of_one_area_are_one_area_everywhere(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "a": vetted("A Firm", areas=["Saint-Étienne"]),
            "b": vetted("B Firm", areas=["saint etienne", "Kingsbridge"]),
            "c": vetted("C Firm", areas=["Saint-Étienne"]),
        },
    )
    build(tmp_path)
    out = tmp_path / "output"
    for slug in ("a", "b", "c"):
        page = (out / f"partners/{slug}/index.html").read_text()
        assert "saint etienne" not in page and 'data-pagefind-filter="area">Saint-Étienne<' in page
    assert "saint etienne" not in (out / "areas/index.html").read_text()
    assert (out / "areas/saint-etienne/index.html").read_text().count("Firm</a>") == 3


def test_theme_words_come_from_the_network_and_its_settings_not_the_demo(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"a": vetted("A", services=["Rewiring", "fuse boxes"], areas=["Totnes"]),
         "b": vetted("B", services=["rewiring"], areas=["Totnes", "Dartmouth"])},
        {"content/articles/x.md": "Title: X\nDate: 2026-01-01\nCategory: Home care\n\nBody\n",
         "content/pages/about.md": "Title: About us\n\nWe meet every Tuesday.\n"},
    )  # fmt: skip
    build(tmp_path, overrides={"NEWSLETTER_CADENCE_DAYS": 7})
    out = tmp_path / "output"
    home = (out / "index.html").read_text()
    assert 'placeholder="e.g. plumbing, Totnes"' in home and "Salcombe" not in home  # biggest trade, commonest area
    assert "Once a week: newly vetted partners" in home
    assert "practical advice, once a week." in (out / "newsletter/index.html").read_text()
    assert " · filed under Home care</p>" in (out / "articles/x/index.html").read_text()
    # Content pages and the vetting standard are searchable too.
    assert "data-pagefind-body" in (out / "about/index.html").read_text()
    assert "data-pagefind-body" in (out / "vetting/index.html").read_text()


@pytest.mark.parametrize(
    ("days", "words"),
    [(7, "once a week"), (14, "every two weeks"), (30, "once a month"), (91, "once a quarter"), (21, "every 3 weeks"),
     (10, "every 10 days")],
)  # fmt: skip
def test_the_newsletter_cadence_in_words(days: int, words: str) -> None:
    from vouch.humanize import cadence

    assert cadence(days) == words


@pytest.mark.parametrize(
    ("url", "label"),
    [("https://www.instagram.com/harbourplumbingkb", "Instagram"), ("https://m.facebook.com/x", "Facebook"),
     ("https://x.com/quay", "X"), ("https://social.example/@quay", "social.example")],
)  # fmt: skip
def test_social_links_are_named_by_their_site(url: str, label: str) -> None:
    from vouch.humanize import social_label

    assert social_label(url) == label


def test_long_addresses_may_wrap_only_at_their_dots_and_at_sign() -> None:
    from vouch.humanize import breakable

    assert str(breakable("fred@harbour-plumbing.example")) == "fred@<wbr>harbour-plumbing.<wbr>example"
    assert str(breakable("<b>@x")) == "&lt;b&gt;@<wbr>x"  # still escaped


def test_a_reader_setting_change_is_not_hidden_by_pelicans_cache(tmp_path: Path) -> None:
    make_site(tmp_path, {}, {"content/articles/a.md": "Title: A\nDate: 2026-01-01\n\nWe don't guess.\n"})
    build(tmp_path)
    assert "don’t" in (tmp_path / "output/articles/a/index.html").read_text()  # smart quotes by default
    plain = {"extension_configs": {"markdown.extensions.extra": {}}, "output_format": "html5"}
    build(tmp_path, overrides={"MARKDOWN": plain})
    assert "don't" in (tmp_path / "output/articles/a/index.html").read_text()  # re-read, not served from the cache
