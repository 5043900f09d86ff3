"""Generator-level tests, each without a Pelican run: the page plan, the render cache, the staged
writer and the feeds, on small objects made here."""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest

from tests.sitekit import REPO, make_site, vetted
from vouch.render import feeds, pages
from vouch.render.files import OutputFile, root_of, url_of
from vouch.settings import VouchSettings
from vouch.site import PublicSite, prepare
from vouch.writer import render_cache
from vouch.writer.staged import StagedWriter, file_id

TODAY = dt.date(2026, 11, 25)
SETTINGS = VouchSettings.of({"SITEURL": "https://test.example", "LISTING_PAGE_SIZE": 2, "SITENAME": "Test"})


class Named:
    """A stand-in template: renders its name and the keys it was given, so a test can read what it got."""

    def __init__(self, name: str) -> None:
        self.name = name

    def render(self, *args: Any, **kwargs: Any) -> str:
        context = {**(args[0] if args else {}), **kwargs}
        return f"{self.name}:{context.get('SITEURL')}:{sorted(k for k in context if k.islower())}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> PublicSite:
    root = make_site(
        tmp_path_factory.mktemp("plan"),
        {
            "harbour": vetted("Harbour Plumbing", vetted_on="2026-03-01", description="Works with {partner}quay."),
            "quay": vetted("Quay Drains", vetted_on="2026-05-01"),
            "moor": vetted("Moor Pipes", vetted_on="2026-04-01"),
            "gone": vetted("Gone Ltd") | {"status": "suspended"},
        },
    )
    public, report = prepare(root / "partners", root / "content", SETTINGS, TODAY)
    assert report.problems == []
    return public


def plan_of(site: PublicSite, **sources: Any) -> pages.PagePlan:
    given = pages.Sources(site, SETTINGS, REPO / "theme", Path("content"), **sources)
    return pages.plan(given, Named)


def test_the_plan_names_every_page_once_and_only_published_partners(site: PublicSite) -> None:
    plan = plan_of(site)
    paths = [f.relpath for f in plan.files]
    assert len(paths) == len(set(paths))
    assert {"index.html", "404.html", "robots.txt", "partners.json", "sitemap.xml"} - set(paths) == {"sitemap.xml"}
    assert [p for p in paths if p.startswith("partners/") and p.endswith(".vcf")] == [
        "partners/harbour.vcf", "partners/moor.vcf", "partners/quay.vcf",
    ]  # fmt: skip
    assert not [p for p in paths if "gone" in p]
    # Three plumbers, two to a listing page: a second page, linked both ways.
    first, second = (f for f in plan.html if f.relpath.startswith("directory/plumbing/"))
    assert second.relpath == "directory/plumbing/page/2/index.html"
    assert first.context["pagination"]["next"] == "directory/plumbing/page/2/"
    assert second.context["pagination"]["previous"] == "directory/plumbing/"
    assert {f.relpath: f.lastmod for f in plan.html}["areas/index.html"] == dt.date(2026, 5, 1)


def test_a_profile_page_key_changes_with_the_partner_and_the_names_it_links(site: PublicSite) -> None:
    plan = plan_of(site)
    harbour = next(p for p in site.partners if p.slug == "harbour")
    page = plan.profile_page(harbour)
    assert page.relpath == "partners/harbour/index.html" and page.template == "partner.html"
    assert ("quay", "Quay Drains") in page.inputs[-1]  # a renamed partner re-renders those that link it
    renamed = replace(site, partners=tuple(replace(p, name="Quay & Co") if p.slug == "quay" else p
                                           for p in site.partners))  # fmt: skip
    assert plan_of(renamed).profile_page(harbour).inputs != page.inputs
    assert plan.profile_page(harbour).inputs == page.inputs  # the same inputs, the same key


def test_a_planned_file_renders_with_its_relative_root_and_the_sitemap_lists_pages(site: PublicSite) -> None:
    plan = plan_of(site)
    listing = next(f for f in plan.html if f.relpath == "directory/plumbing/index.html")
    assert plan.render(listing, {"SITENAME": "Test"}).decode().startswith("listing:../..:")
    assert plan.render(next(f for f in plan.data if f.relpath == "robots.txt"), {}) == (
        b"User-agent: *\nAllow: /\nSitemap: https://test.example/sitemap.xml\n"
    )
    assert b"<loc>https://test.example/partners/quay/</loc><lastmod>2026-05-01</lastmod>" in plan.sitemap()
    assert (root_of("partners/x/index.html"), url_of("partners/x/index.html")) == ("../..", "partners/x/")


# -- the render cache ---------------------------------------------------------------------------


def test_keys_differ_for_any_input_and_canonical_settings_compare_by_value() -> None:
    assert render_cache.key("s", "a.html", ("x",)) == render_cache.key("s", "a.html", ("x",))
    assert render_cache.key("s", "a.html", ("x",)) != render_cache.key("t", "a.html", ("x",))
    assert render_cache.key("s", "a.html", ("x",)) != render_cache.key("s", "a.html", ("y",))

    def shout(text: str) -> str:
        return text.upper()

    same = {"FILTERS": {"shout": shout}, "SET": {"b", "a"}, "P": functools.partial(shout, "x")}
    again = {"FILTERS": {"shout": shout}, "SET": {"a", "b"}, "P": functools.partial(shout, "x")}
    assert repr(render_cache.canonical(same)) == repr(render_cache.canonical(again))
    changed = {**same, "P": functools.partial(shout, "y")}
    assert repr(render_cache.canonical(changed)) != repr(render_cache.canonical(same))


def files_of(inputs: str) -> list[OutputFile]:
    return [OutputFile("a/index.html", "t", inputs=(inputs,)), OutputFile("b.txt", inputs=("b",)),
            OutputFile("always.txt")]  # fmt: skip


def render(file: OutputFile) -> bytes:
    return f"{file.relpath}:{file.inputs}".encode()


def write(tmp_path: Path, name: str, live: Path | None, files: list[OutputFile], previous: render_cache.Record):
    out = StagedWriter(tmp_path / name, live)
    return out, render_cache.write_all(files, render, out, "shared", previous)


def test_a_file_is_reused_only_when_its_key_and_the_very_file_written_are_unchanged(tmp_path: Path) -> None:
    _, (first, rendered, reused) = write(tmp_path, "one", None, files_of("x"), {})
    assert (rendered, reused, sorted(first)) == (3, 0, ["a/index.html", "b.txt"])  # no key: always rendered
    live = tmp_path / "one"
    _, (second, rendered, reused) = write(tmp_path, "two", live, files_of("x"), first)
    assert (rendered, reused, second) == (1, 2, first)  # a reused file keeps its key and identity
    assert os.path.samefile(tmp_path / "two/a/index.html", live / "a/index.html")
    _, (_, rendered, reused) = write(tmp_path, "three", live, files_of("changed"), first)
    assert (rendered, reused) == (2, 1)
    assert (tmp_path / "three/a/index.html").read_bytes() == b"a/index.html:('changed',)"
    # The live copy replaced by an older one put back (a new file): rendered again, never trusted.
    (live / "b.txt").unlink()
    (live / "b.txt").write_bytes(b"b.txt:('b',)")
    _, (_, rendered, reused) = write(tmp_path, "four", live, files_of("x"), first)
    assert (rendered, reused) == (2, 1)


def test_the_record_round_trips_and_a_damaged_one_reads_as_empty(tmp_path: Path) -> None:
    record = {"a.html": ("key", (1, 2, 3, 4))}
    render_cache.save(tmp_path / "keys.pickle", record)
    assert render_cache.load(tmp_path / "keys.pickle") == record
    (tmp_path / "keys.pickle").write_bytes(b"not a pickle")
    assert render_cache.load(tmp_path / "keys.pickle") == {}
    assert render_cache.load(None) == {}


# -- the staged writer --------------------------------------------------------------------------


def test_bytes_equal_to_the_live_copy_are_linked_and_others_written(tmp_path: Path) -> None:
    live = tmp_path / "live"
    (live / "x").mkdir(parents=True)
    (live / "x/same.html").write_bytes(b"same")
    (live / "x/other.html").write_bytes(b"old")
    out = StagedWriter(tmp_path / "staging", live)
    out.put("x/same.html", b"same")
    out.put("x/other.html", b"new")
    out.put("x/new.html", b"new")
    assert os.path.samefile(tmp_path / "staging/x/same.html", live / "x/same.html")
    assert not os.path.samefile(tmp_path / "staging/x/other.html", live / "x/other.html")
    assert (tmp_path / "staging/x/other.html").read_bytes() == b"new"
    assert out.identity("x/same.html") == file_id(live / "x/same.html")


def test_reuse_links_only_the_file_identified_and_leaves_nothing_otherwise(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    (live / "a.html").write_bytes(b"a")
    out = StagedWriter(tmp_path / "staging", live)
    assert out.reuse("a.html", file_id(live / "a.html"))
    other = StagedWriter(tmp_path / "other", live)
    assert not other.reuse("a.html", (0, 0, 1, 0))
    assert not (tmp_path / "other/a.html").exists()
    assert not other.reuse("missing.html", (0, 0, 1, 0))
    assert not StagedWriter(tmp_path / "cold", None).reuse("a.html", file_id(live / "a.html"))


# -- the feeds ----------------------------------------------------------------------------------


def test_feeds_rendered_from_entries_read_back_newest_first_and_dated_by_content() -> None:
    zone = ZoneInfo("Europe/London")
    site_url = "https://test.example"
    partners = (
        SimpleNamespace(slug="quay", name="Quay", summary=None, vetting=SimpleNamespace(vetted_on=dt.date(2026, 5, 1),
                        vouched_by="Jim")),
        SimpleNamespace(slug="moor", name="Moor", summary="Pipes.", vetting=SimpleNamespace(
                        vetted_on=dt.date(2026, 4, 1), vouched_by="Ann")),
    )  # fmt: skip
    article = SimpleNamespace(url="articles/boilers/", title="Boilers", date=dt.datetime(2026, 6, 2, 9, tzinfo=zone),
                              summary="<p>Service <b>yearly</b>.</p>",
                              get_content=lambda _site_url: '<a href="../../partners/quay/">Q</a>')  # fmt: skip
    made = feeds.SiteFeeds(
        "Test", "en-GB", site_url,
        feeds.article_entries([article], site_url),
        feeds.partner_entries(partners, site_url, zone, limit=10),  # type: ignore[arg-type]
        [],
        feeds.midnight(dt.date(2026, 11, 25), zone),
    ).render()  # fmt: skip
    assert sorted(made) == [
        f"feeds/{n}.{k}.xml" for n in ("articles", "newsletter", "partners") for k in ("atom", "rss")
    ]
    vetted_feed = feedparser.parse(made["feeds/partners.atom.xml"])
    assert not vetted_feed.bozo
    assert [e.title for e in vetted_feed.entries] == ["Vetted: Quay", "Vetted: Moor"]
    assert vetted_feed.entries[0].id == "tag:test.example,2026-05-01:partners/quay/2026-05-01"
    assert vetted_feed.entries[1].summary == "Pipes. Vouched for by Ann."
    articles = feedparser.parse(made["feeds/articles.rss.xml"])
    assert articles.entries[0].summary == "Service yearly."
    assert 'href="https://test.example/partners/quay/"' in feedparser.parse(made["feeds/articles.atom.xml"]).entries[0].content[0].value  # fmt: skip
    empty = feedparser.parse(made["feeds/newsletter.atom.xml"])
    assert empty.entries == [] and empty.feed.updated == "2026-06-02T09:00:00+01:00"  # the newest content
