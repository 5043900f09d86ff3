"""End-to-end: the demo network and small sites built for real."""

from __future__ import annotations

import gc
import json
import re
import shutil
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


def test_a_card_rendered_once_is_the_same_card_on_every_listing(demo_output: Path) -> None:
    """Cards are rendered once per partner and look (``vouch_card``), links still relative to each page."""
    az = (demo_output / "directory/index.html").read_text()
    area = next((demo_output / "areas").glob("*/index.html")).read_text()
    for html, depth in ((az, ".."), (area, "../..")):
        cards = re.findall(r'<li class="card">.*?</li>', html)
        assert cards and html.count('</li>\n<li class="card">') == len(cards) - html.count('<ul class="cards">')
        assert all(f'href="{depth}/partners/' in card for card in cards)
    for card in re.findall(r'<li class="card">.*?</li>', area):
        slug = re.search(r"partners/([^/]+)/", card)[1]  # type: ignore[index]
        same_look = card.replace("../../", "../").replace("<h2 ", "<h3 ").replace("</h2>", "</h3>")
        assert same_look in az, slug  # the A-Z page shows it one heading level down


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
    shutil.rmtree(demo_site / ".cache/vouch/search")  # Pagefind runs again, not the first run's parts reused
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
    broken_theme = tmp_path / "overrides" / "templates"  # not theme/: that would be the whole theme
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


def test_a_rebuild_of_the_same_inputs_finds_every_render_key_unchanged(tmp_path: Path) -> None:
    """Nothing of one run (its staging folder, its copy of Pelican's cache) may enter the keys, or
    no rebuild would ever reuse a file."""
    from vouch.writer import render_cache

    make_site(tmp_path, {"a": vetted("A Firm"), "b": vetted("B Firm")})
    keys = tmp_path / ".output.builds/render-keys.pickle"
    build(tmp_path, search=False)
    first = render_cache.load(keys)
    build(tmp_path, search=False)
    assert first and render_cache.load(keys) == first  # the same keys, and the very files they recorded


def _listing(root: Path) -> str:
    return (root / "output/directory/plumbing/index.html").read_text()


def _put_back(backup: Path, folder: Path) -> None:
    """``rsync -a --delete backup/ folder/``: every file copied back with its mtime, into the same folder."""
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    shutil.copytree(backup, folder, dirs_exist_ok=True)  # copy2: mtimes kept


def test_a_restored_older_output_never_keeps_a_suspended_partner_listed(tmp_path: Path) -> None:
    """The render cache must not trust output/: an older copy put back (cp -a keeps mtimes) is not current."""
    firms = {"a": vetted("A Firm"), "b": vetted("B Firm")}
    make_site(tmp_path, firms)
    build(tmp_path)  # with its search index: the copy put back has Vouch's shape
    keys = tmp_path / ".output.builds/render-keys.pickle"
    shutil.copytree(tmp_path / "output", tmp_path / "backup")  # copy2: mtimes kept, as cp -a or rsync -a
    shutil.copy2(keys, tmp_path / "backup-keys")
    make_site(tmp_path, firms | {"b": firms["b"] | {"status": "suspended"}})
    build(tmp_path, search=False)
    assert "B Firm" not in _listing(tmp_path)
    for keys_too in (False, True):  # the live keys say what the listing is now; or they are put back as well
        _put_back(tmp_path / "backup", tmp_path / "output")
        if keys_too:
            shutil.copy2(tmp_path / "backup-keys", keys)
        assert "B Firm" in _listing(tmp_path)
        result = build(tmp_path, search=False)
        assert [p.slug for p in result.site.partners] == ["a"]
        assert "B Firm" not in _listing(tmp_path), keys_too
        assert not [rel for rel, data in read_tree(tmp_path / "output").items() if b"B Firm" in data]


def test_render_keys_of_another_build_never_keep_a_suspended_partner(tmp_path: Path) -> None:
    """The keys move into place after output/ and mail/ are swapped: after a kill between, output/ is the
    new site while the keys still describe the one before."""
    firms = {"a": vetted("A Firm"), "b": vetted("B Firm") | {"status": "suspended"}}
    make_site(tmp_path, firms)
    build(tmp_path, search=False)
    keys = tmp_path / ".output.builds/render-keys.pickle"  # the live site's keys, at a fixed path
    before = keys.read_bytes()
    make_site(tmp_path, firms | {"b": vetted("B Firm")})
    build(tmp_path, search=False)
    assert "B Firm" in _listing(tmp_path) and keys.read_bytes() != before
    keys.write_bytes(before)  # keys that describe another build's files, however they got there
    make_site(tmp_path, firms)
    build(tmp_path, search=False)
    assert "B Firm" not in _listing(tmp_path)
    assert not [rel for rel, data in read_tree(tmp_path / "output").items() if b"B Firm" in data]


def test_the_writer_reuses_only_the_very_file_the_render_cache_recorded(tmp_path: Path) -> None:
    from vouch.writer.staged import StagedWriter, file_id

    live = tmp_path / "live"
    live.mkdir()
    (live / "page.html").write_text("old")
    recorded = file_id(live / "page.html")
    assert StagedWriter(tmp_path / "one", live).reuse("page.html", recorded)
    assert (tmp_path / "one/page.html").stat().st_ino == recorded[1]
    shutil.copy2(live / "page.html", live / "copy.html")  # same bytes and mtime, another file (cp -a)
    (live / "copy.html").replace(live / "page.html")
    assert not StagedWriter(tmp_path / "two", live).reuse("page.html", recorded)
    assert not (tmp_path / "two/page.html").exists()


def test_pelican_reader_cache_does_not_carry_the_site(demo_site: Path) -> None:
    """Pelican pickles its settings into its cache; the build's state must not ride along."""
    cache = b"".join(p.read_bytes() for p in (demo_site / ".cache/pelican").rglob("ArticlesGenerator-Readers"))
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
    from vouch.render.humanize import cadence

    assert cadence(days) == words


@pytest.mark.parametrize(
    ("url", "label"),
    [("https://www.instagram.com/harbourplumbingkb", "Instagram"), ("https://m.facebook.com/x", "Facebook"),
     ("https://x.com/quay", "X"), ("https://social.example/@quay", "social.example")],
)  # fmt: skip
def test_social_links_are_named_by_their_site(url: str, label: str) -> None:
    from vouch.render.humanize import social_label

    assert social_label(url) == label


def test_long_addresses_may_wrap_only_at_their_dots_and_at_sign() -> None:
    from vouch.render.humanize import breakable

    assert str(breakable("fred@harbour-plumbing.example")) == "fred@<wbr>harbour-plumbing.<wbr>example"
    assert str(breakable("<b>@x")) == "&lt;b&gt;@<wbr>x"  # still escaped


def test_a_reader_setting_change_is_not_hidden_by_pelicans_cache(tmp_path: Path) -> None:
    make_site(tmp_path, {}, {"content/articles/a.md": "Title: A\nDate: 2026-01-01\n\nWe don't guess.\n"})
    build(tmp_path)
    assert "don’t" in (tmp_path / "output/articles/a/index.html").read_text()  # smart quotes by default
    plain = {"extension_configs": {"markdown.extensions.extra": {}}, "output_format": "html5"}
    build(tmp_path, overrides={"MARKDOWN": plain})
    assert "don't" in (tmp_path / "output/articles/a/index.html").read_text()  # re-read, not served from the cache


def test_a_warm_build_equals_a_cold_build_after_a_list_dict_or_filter_setting_changes(tmp_path: Path) -> None:
    """Settings a template shows are lists, dicts and functions too, not only strings and numbers."""
    shows = "{% for name, url in LINKS %}[{{ name }} {{ url }}]{% endfor %}{% for name in MENUITEMS %}({{ name }}){% endfor %}"
    templates = tmp_path / "overrides"
    templates.mkdir()
    (templates / "partner.html").write_text(shows + "{{ partner.name|shout }}")
    (templates / "listing.html").write_text(shows + "{{ group.title|shout }}")
    make_site(tmp_path / "site", {"a": vetted("A Firm"), "b": vetted("B Firm")})
    settings = {
        "THEME_TEMPLATES_OVERRIDES": [str(templates)],
        "LINKS": [("Old link", "https://old.example/")],
        "MENUITEMS": {"Old menu": "/old/"},
        "JINJA_FILTERS": {"shout": lambda text: text.upper()},
    }
    build(tmp_path / "site", search=False, overrides=settings)
    changes = [
        ("LINKS", [("New link", "https://new.example/")]),
        ("MENUITEMS", {"New menu": "/new/"}),
        ("JINJA_FILTERS", {"shout": lambda text: text.upper() + "!"}),
    ]
    for number, (name, value) in enumerate(changes):
        settings = {**settings, name: value}
        warm = build(tmp_path / "site", search=False, overrides=settings).output
        cold = build(tmp_path / "site", tmp_path / f"cold-{number}", search=False, overrides=settings).output
        assert stable_tree(warm) == stable_tree(cold), f"{name} changed, but the warm build kept the old pages"
    page = tmp_path / "site/output/partners/a/index.html"
    assert page.read_text() == "[New link https://new.example/](New menu)A FIRM!"
    inode = page.stat().st_ino
    build(tmp_path / "site", search=False, overrides=settings)
    assert page.stat().st_ino == inode  # nothing changed: still reused, functions and all


def test_the_settings_fingerprint_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Every build is a new process: a fingerprint that changed with the hash seed would never reuse a file."""
    import os
    import subprocess
    import sys

    from vouch.writer import render_cache
    from vouch_site.config import load_settings

    make_site(tmp_path, {})
    with (tmp_path / "pelicanconf.py").open("a") as conf:
        conf.write("MENUITEMS = {'About': '/about/'}\nTAGS = {'a', 'b', 'c'}\n")
        conf.write("JINJA_FILTERS = {'odd': lambda word: word in {'x', 'y', 'z'}}\n")
    script = (
        "import sys; from pathlib import Path; from vouch.writer import render_cache; from vouch_site.config import load_settings;"
        "print(render_cache.fingerprint(render_cache.canonical(load_settings(Path(sys.argv[1])))), end='')"
    )
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    there = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True, text=True, check=True
    )
    assert there.stdout == render_cache.fingerprint(render_cache.canonical(load_settings(tmp_path))), there.stderr


def test_keep_going_never_publishes_a_profile_with_any_problem_nor_what_names_it(tmp_path: Path) -> None:
    """Not only a file that fails to parse: a missing logo or a link to no partner leaves the profile out too."""
    make_site(
        tmp_path,
        {"shown": vetted("Shown Firm"), "logo": vetted("Logo Firm", logo={"src": "images/none.svg", "alt": "L"}),
         "links": vetted("Links Firm", description="See {partner}nobody."),
         "fan": vetted("Fan Firm", description="Ask {partner}logo.")},
        {"content/pages/about.md": "Title: About\n\nAsk {partner}links.\n"},
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        build(tmp_path, search=False)
    result = build(tmp_path, search=False, keep_going=True)
    assert [str(p.path.relative_to(tmp_path)) for p in result.report.problems] == [
        "partners/links.yaml",
        "partners/logo.yaml",
    ]
    assert [p.slug for p in result.site.partners] == ["shown"]
    assert result.report.withheld_partners == {"fan": ["logo"]}
    tree = read_tree(tmp_path / "output")
    assert "about/index.html" not in tree  # it names links, which is left out
    assert not [rel for rel, data in tree.items() if re.search(rb"Logo Firm|Links Firm|Fan Firm", data)]


def test_a_build_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path) -> None:
    """Validation pauses the collector and the build freezes the validated site: neither outlives the build,
    failed or not (``invoke serve`` builds again and again in one process)."""
    root = make_site(tmp_path, {"a": vetted("Anchor Roofing")})
    build(root)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    (root / "partners" / "b.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        build(root)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own freeze (before forking workers, say) is left as it was
    try:
        build(make_site(tmp_path / "again", {"a": vetted("Anchor Roofing")}))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _content_network(root: Path) -> Path:
    article = "Title: {title}\nDate: 2026-03-01\n\nAsk {{partner}}{slug} about gutters.\n"
    profiles = {"anchor": vetted("Anchor Roofing"), "beacon": vetted("Beacon Plumbing", status="suspended"),
                "Bad_Name": vetted("Bad Name"), "drains": "name: [unclosed\n"}  # fmt: skip
    files = {
        "content/articles/known.md": article.format(title="Known", slug="anchor"),
        "content/articles/suspended.md": article.format(title="Withheld", slug="beacon"),
        "content/articles/broken.md": article.format(title="Broken partner", slug="drains"),
        "content/articles/badly-named.md": article.format(title="Badly named", slug="Bad_Name"),
        "content/articles/unknown.md": article.format(title="Unknown", slug="nobody"),
        "partners/notes.txt": "not a profile",
        "partners/anchor.yaml~": "an editor's backup",
    }
    return make_site(root, profiles, files)


def test_articles_read_beside_profile_validation_make_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a big network content/ is read in a second child while the profiles are validated, with the slugs the
    partners folder lists; what the editor is told is the same as when it is read after them."""
    from vouch.writer import parallel

    def problems_of(root: Path) -> list[str]:
        with pytest.raises(ValidationFailed) as failed:
            build(root)
        return [f"{p.path.name}:{p.line}:{p.field}:{p.message}" for p in failed.value.problems]

    after = problems_of(_content_network(tmp_path / "after"))
    started = tmp_path / "started"  # written by each process that starts a child (the second is itself one)
    real = parallel.Started
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "Started", lambda work: (started.open("a").write(".\n"), real(work))[1])
    beside = problems_of(_content_network(tmp_path / "beside"))
    assert started.read_text() == ".\n.\n"  # the validation child, and content/ read beside the profiles
    assert beside == after
    assert any("nobody" in p for p in after) and not any("anchor" in p for p in after if p.startswith("known.md"))


def test_the_listing_tells_the_slugs_validation_will_know(tmp_path: Path) -> None:
    """``known_slugs`` from the partners folder's listing alone equals what validating it finds (else content/
    is read twice): valid and invalid profiles, a folder and a dangling link named like profiles, editor files."""
    from vouch.profiles import known_slugs, load_partners

    root = _content_network(tmp_path)
    (root / "partners" / "folder.yaml").mkdir()
    (root / "partners" / "dangling.yaml").symlink_to(root / "nowhere.yaml")
    (root / "partners" / ".anchor.yaml.swp").write_text("swap")
    (root / "partners" / "upper.YML").write_text("name: x\n")
    loaded = load_partners(root / "partners", root / "content")
    assert known_slugs(root / "partners") == loaded.known_slugs
    assert {"anchor", "beacon", "drains", "Bad_Name", "folder", "dangling"} <= loaded.known_slugs


@pytest.mark.slow  # two builds in processes of their own
def test_articles_dated_and_named_alike_are_listed_alike_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Pelican lists files as a set; articles of one date and one slug (a blog's copies in folders of their own,
    written apart by ``PATH_METADATA``) kept that order, which every process drew anew (review of stop 27: 28 of
    157 files of Pelican's sample blog in 14 copies differed). Two builds with different hash seeds are identical."""
    import os
    import subprocess
    import sys

    files = {
        f"content/articles/c{n:02}/same.md": f"Title: Same {n}\nDate: 2026-05-01\n\nText {n}.\n" for n in range(30)
    }
    conf = 'PATH_METADATA = r"articles/(?P<copy>c\\d+)/.*"\nARTICLE_URL = "{copy}/{slug}.html"\nARTICLE_SAVE_AS = "{copy}/{slug}.html"\n'
    trees = []
    for seed in ("1", "2"):
        make_site(tmp_path / seed, {"harbour": vetted("Harbour")}, files)
        with (tmp_path / seed / "pelicanconf.py").open("a") as settings:
            settings.write(conf)
        subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; from vouch_site.build import build; "
             "build(Path(sys.argv[1]), search=False)", str(tmp_path / seed)],
            env={**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1795608000"}, check=True,
            capture_output=True,
        )  # fmt: skip
        trees.append(stable_tree(tmp_path / seed / "output"))
    assert sum(1 for rel in trees[0] if rel.endswith("/same.html")) == 30
    assert trees[0] == trees[1]


def test_a_process_that_builds_again_and_again_keeps_no_earlier_build(tmp_path: Path) -> None:
    """Pelican memoizes every article's content on its class: ``invoke serve`` kept each rebuild's articles and the
    site they were built with (54 MB a rebuild at 10,000 partners)."""
    from vouch.public import Partner

    article = "Title: Drains\nDate: 2026-10-25\n\nAsk {partner}anchor.\n"
    root = make_site(tmp_path, {"anchor": vetted("Anchor Roofing")}, {"content/articles/drains.md": article})

    def partners_alive() -> int:
        gc.collect()
        return sum(isinstance(o, Partner) for o in gc.get_objects())

    before = partners_alive()
    for _ in range(3):
        assert build(root).site.partners  # the result dropped at once, as serve drops each build's
    assert partners_alive() == before


def test_a_rebuild_for_a_preview_gets_back_only_the_partners_and_items_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``invoke serve``'s rebuild: the validation child sends each partner and shown article equal to the last
    build's as its number there (22 MB less to pickle at 10,000 partners), and the site is still the one a cold
    build makes after an edited summary, a suspension, a new partner and an edited article."""
    from vouch.writer import parallel
    from vouch.writer.run import Preview

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # validation in a child, as on a big network
    before = {slug: vetted(name) for slug, name in (("anchor", "Anchor Roofing"), ("beacon", "Beacon Drains"),
                                                    ("harbour", "Harbour Plumbing"), ("quay", "Quay Glass"))}  # fmt: skip
    after = before | {
        "harbour": vetted("Harbour Plumbing", summary="Heat pumps too."),
        "quay": vetted("Quay Glass") | {"status": "suspended"},
        "drains": vetted("Drains Direct"),
    }
    articles = {f"content/articles/{name}.md": f"Title: {name}\nDate: 2026-10-01\n\nAsk {{partner}}anchor.\n"
                for name in ("kept", "edited")}  # fmt: skip
    root, preview = make_site(tmp_path / "served", before, articles), Preview()
    first = build(root, preview=preview)
    edited = {"content/articles/edited.md": "Title: Edited\nDate: 2026-10-01\n\nAsk {partner}beacon.\n"}
    make_site(root, after, edited)
    again = build(root, preview=preview)
    cold = build(make_site(tmp_path / "cold", after, articles | edited))
    assert again.site.partners == cold.site.partners
    kept = {p.slug for p in again.site.partners if any(p is q for q in first.site.partners)}
    assert kept == {"anchor", "beacon"}
    kept_items = {i.slug for i in again.report.content.shown if any(i is j for j in first.report.content.shown)}
    assert kept_items == {"kept"} and {i.slug for i in again.report.content.shown} == {"kept", "edited"}
    assert stable_tree(again.output) == stable_tree(cold.output)
