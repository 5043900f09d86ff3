"""The core promise, as a property: nothing unpublished and nothing private leaks.

Every generated profile carries a unique canary token in every field. After a
real build, no byte of any output file may contain a canary or the slug of an
unpublished partner or of a private field, and every published partner has its
page, vCard, JSON entry, certificate, card and QR code (which encodes its profile's URL and
nothing else). Articles, pages, issues and descriptions also name
partners in hostile spellings (escaped or entity braces, percent-encoded, split
by a comment or a tag), in titles, summaries, bodies and descriptions. The
content around them is written the hostile ways an editor may write it: logo
paths in any spelling, symlinks, editors' backups, files attached to withheld
articles, notes in HTML comments.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sitekit import REFERENCE_SPELLINGS, make_site, read_tree, readable_tree, vetted
from vouch import search_parts
from vouch.problems import ValidationFailed
from vouch.render.qr import qr_svg
from vouch_site.build import build

TODAY = dt.date(2026, 11, 25)  # DEMO_EPOCH, pinned by conftest
PHONES = [f"+44 117 496 0{n:03d}" for n in range(100, 200)]
# Text that HTML, JSON, Markdown, vCard and YAML all treat specially.
FILLER = st.text(alphabet=st.sampled_from(list("ab <>&\"'*_`[]()#;:,\\é—")), max_size=12)


@st.composite
def profile(draw: st.DrawFn, index: int) -> dict:
    def canary(field: str) -> str:
        return f"zq{index}{field}q"

    def text(field: str) -> str:
        return f"{draw(FILLER)} {canary(field)} {draw(FILLER)}".strip()

    status = draw(st.sampled_from(["pending", "vetted", "vetted", "vetted", "suspended", "retired"]))
    data: dict = {
        "name": text("name"),
        "status": status,
        "category": draw(st.sampled_from(["plumbing", "electrical"])),
        "summary": text("summary")[:160],
        "description": text("description"),
        "services": [text("service")],
        "areas": [f"Area {canary('area')}", "Shared Town"],  # one area for all: its "Trusted near" block
        "established": 1990,
        "opening_hours": ["Mo-Fr 08:00-17:30"],
        "contact": {
            "person": text("person"),
            "phone": PHONES[index],
            "email": f"{canary('email')}@example.org",
            "website": f"https://{canary('website')}.example",
            "social": [f"https://social.example/{canary('social')}"],
            "address": {"street": text("street"), "locality": text("locality"), "postcode": canary("postcode")},
        },
        "referrals": {"good_fit": [text("goodfit")], "how_to_refer": text("howto")},
        "testimonials": [{"quote": text("quote"), "by": text("by")}],
        "private": {"owner": canary("private"), "nested": [canary("privatelist")]},
    }
    if draw(st.booleans()):
        folder = draw(st.sampled_from(["images/", "", "logos/"]))  # Pelican copies images/; Vouch the rest
        data["logo"] = {"src": f"{folder}{canary('logo')}.svg", "alt": text("alt")}
    if status != "pending" or draw(st.booleans()):
        vetted_on = TODAY + dt.timedelta(days=draw(st.integers(-800, 30)))
        vetting: dict = {
            "vetted_on": vetted_on,
            "vouched_by": text("voucher"),
            "checks": ["references"],
            "notes": text("notes"),
        }
        if draw(st.booleans()):
            vetting["review_by"] = vetted_on + dt.timedelta(days=draw(st.integers(0, 900)))
        data["vetting"] = vetting
    return data


def is_published(p: dict) -> bool:
    vet = p.get("vetting")
    if p["status"] != "vetted" or vet is None:
        return False
    review_by = vet.get("review_by", vet["vetted_on"] + dt.timedelta(days=365))
    return vet["vetted_on"] <= TODAY <= review_by


@dataclass(frozen=True, slots=True)
class Mention:
    """Item ``m<n>`` of ``kind``, or profile ``owner``'s description, names ``target`` in a hostile spelling."""

    kind: str  # articles | pages | newsletter | partners
    field: str  # title | summary | body | description
    owner: int
    target: int
    spelling: str
    fmt: str = "md"  # the file's extension: every format Pelican reads, for articles and pages

    @property
    def reference(self) -> str:
        return self.spelling.replace("SLUG", f"firm{self.target}")


FORMATS = ("md", "markdown", "mkd", "mdown", "rst", "html")  # every reader Pelican has by default
# reStructuredText's own ways to a reference: a link target, an escaped space, a substitution, raw HTML.
RST_SPELLINGS = (
    "{partner}SLUG",
    "`them <{partner}SLUG>`_",
    "`them <%7Bpartner%7DSLUG>`_",
    r"\{partner\}SLUG",
    r"{partner}\ SLUG",
    "|p|\n\n.. |p| replace:: {partner}SLUG",
    '.. raw:: html\n\n   <a href="&#x7b;partner&#x7d;SLUG">them</a>',
    "`them <|partner|SLUG>`_",
    "`them <{PARTNER}SLUG>`_",
    "`them <{ partner }SLUG>`_",
)
# HTML has no Markdown links; Pelican's HTML reader reads nothing of a file with "&#125S" (a problem line instead).
# reStructuredText that would insert a file from disk (PRIVATE: private/subscribers.csv); refused, whatever the
# site's DOCUTILS_SETTINGS or a docutils.conf say.
INSERTIONS = (
    ".. include:: PRIVATE",
    ".. include:: PRIVATE\n   :literal:",
    ".. raw:: html\n   :file: PRIVATE",
    ".. raw:: html\n   :url: file://PRIVATE",
    ".. csv-table:: t\n   :file: PRIVATE",
    ".. csv-table:: t\n   :url: file://PRIVATE",
)
HTML_SPELLINGS = tuple(s for s in REFERENCE_SPELLINGS if "[" not in s and "&#125S" not in s)
PLACES = [(kind, field) for kind in ("articles", "pages", "newsletter") for field in ("title", "summary", "body")]
PLACES.append(("partners", "description"))


@st.composite
def mention(draw: st.DrawFn, count: int) -> Mention:
    kind, field = draw(st.sampled_from(PLACES))
    fmt = draw(st.sampled_from(FORMATS)) if kind in ("articles", "pages") else "md"
    one_line = field in ("title", "summary")
    spellings = {"rst": RST_SPELLINGS, "html": HTML_SPELLINGS}.get(fmt, REFERENCE_SPELLINGS)
    spelling = draw(st.sampled_from([s for s in spellings if not (one_line and "\n" in s)]))
    return Mention(kind, field, draw(st.integers(0, count - 1)), draw(st.integers(0, count - 1)), spelling, fmt)


@st.composite
def network(draw: st.DrawFn) -> tuple[list[dict], list[int], list[Mention], list[str], str | None]:
    """Profiles, which of them an article features, hostile mentions, how each logo path is written, and
    perhaps an attempt to insert a private file into an article."""
    count = draw(st.integers(1, 5))
    profiles = [draw(profile(i)) for i in range(count)]
    featured = draw(st.lists(st.integers(0, count - 1), unique=True, max_size=count))
    mentions = draw(st.lists(mention(count), max_size=4))
    for m in mentions:
        if m.kind == "partners":
            profiles[m.owner]["description"] += f"\n\n{m.reference}"
    spellings = [draw(st.sampled_from(LOGO_SPELLINGS)) for _ in range(count)]
    return profiles, featured, mentions, spellings, draw(st.none() | st.sampled_from(INSERTIONS))


LOGO_SPELLINGS = ("plain", "dot", "double", "updown", "absolute")
BACKUPS = ("{}~", "#{}#", ".{}.swp")


def spelled(src: str, how: str, content: Path) -> str:
    """``src`` as an editor may also write it; all name the one file."""
    folder, _, name = src.rpartition("/")
    return {
        "plain": src,
        "dot": f"./{src}",
        "double": f"{folder}//{name}" if folder else f".//{name}",
        "updown": f"{folder}/../{folder}/{name}" if folder else f"./../{content.name}/{name}",
        "absolute": str(content / src),
    }[how]


def svg(i: int) -> bytes:
    return f"<svg xmlns='http://www.w3.org/2000/svg'><desc>zq{i}logoq</desc></svg>".encode()


def shown_partners(profiles: list[dict], mentions: list[Mention]) -> set[int]:
    """Published, and not withheld by a description naming one that is not (until nothing changes)."""
    shown = {i for i, p in enumerate(profiles) if is_published(p)}
    named = [(m.owner, m.target) for m in mentions if m.kind == "partners"]
    while dropped := {owner for owner, target in named if owner in shown and target not in shown}:
        shown -= dropped
    return shown


def issue(i: int) -> str:
    return f"Title: Issue zqn{i}titleq here\nDate: 2026-07-0{i + 1}\nStatus: published\n\nNews of {{partner}}firm{i}.\n"


def welcome_step(i: int) -> str:
    return f"Title: Welcome zqw{i}titleq here\nDelay: {i}\n\nMeet {{partner}}firm{i}.\n"


def article(i: int) -> str:
    return (
        f"Title: Advice zqa{i}titleq\nDate: 2026-06-0{i + 1}\nSummary: zqa{i}summaryq\nPartners: firm{i}\n\n"
        f"Call {{partner}}firm{i} or [them]({{partner}}firm{i}). zqa{i}bodyq\n\n<!-- zqa{i}noteq -->\n\n"
        f"The [quote]({{attach}}../files/quote{i}.txt).\n"
    )


def mentioning(n: int, m: Mention) -> str:
    """An item whose fields carry canary ``zqm<n>``; one of them names a partner in a hostile spelling."""
    title, summary, body = (f"Note zqm{n}{field}q" + (f" {m.reference}" if field == m.field else "")
                            for field in ("title", "summary", "body"))  # fmt: skip
    date = f"2026-08-0{n + 1}"
    if m.fmt == "rst":
        return f"{title}\n{'#' * (len(title) + 4)}\n\n:date: {date}\n:summary: {summary}\n\n{body}\n"
    if m.fmt == "html":
        meta = f'<meta name="date" content="{date}">\n<meta name="summary" content="{html.escape(summary)}">'
        return f"<html><head><title>{title}</title>\n{meta}</head>\n<body>\n<p>{body}</p>\n</body></html>\n"
    return f"Title: {title}\nDate: {date}\nSummary: {summary}\n\n{body}\n"


PRIVATE_FIELDS = ("notes", "private", "privatelist")


def personal_messages(root: Path, profiles: list[dict]) -> bytes:
    """Every issue and welcome step as sent to a subscriber in each area any profile names (published or not),
    "Trusted near" blocks and all."""
    from vouch.mailing.subscribers import Subscriber
    from vouch.settings import VouchSettings
    from vouch_site.build import validate
    from vouch_site.config import load_settings
    from vouch_site.mailout import personal_message, prepare_newsletter

    settings = load_settings(root)
    site, report = validate(root, settings)
    typed = VouchSettings.of(settings)
    newsletter = prepare_newsletter(site, report, typed, Path(settings["THEME"]), Path(settings["PATH"]))
    areas = {area for p in profiles for area in p["areas"]}
    people = [Subscriber(f"r{n}@example.org", "R", None, area) for n, area in enumerate(sorted(areas))]
    rendered = newsletter.rendered | newsletter.welcome
    return b"".join(personal_message(r, typed, s, near=newsletter.near) for r in rendered.values() for s in people)


@pytest.mark.slow  # 30 networks, each built whole (search index included)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network())
def test_nothing_unpublished_or_private_reaches_any_output(
    generated: tuple[list[dict], list[int], list[Mention], list[str], str | None],
) -> None:
    check_network(generated)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network())
def test_nothing_unpublished_or_private_reaches_any_output_of_a_few_networks(
    generated: tuple[list[dict], list[int], list[Mention], list[str], str | None],
) -> None:
    """The same promise on fewer networks, for ``invoke test --quick``; the full run checks 30 more."""
    check_network(generated)


def check_network(generated: tuple[list[dict], list[int], list[Mention], list[str], str | None]) -> None:
    """Build the generated network; no unpublished name, slug or field and no private value in any byte."""
    profiles, featured, mentions, spellings, insertion = generated
    shown = shown_partners(profiles, mentions)
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        if len(profiles) % 2:  # the search index in parts of 2 pages, and its word index
            patch.setattr(search_parts, "PART_PAGES", 2)
        root = Path(tmp).resolve()
        content = root / "content"
        files: dict[str, str | bytes] = {}
        written = []
        for i, p in enumerate(profiles):
            logo = p.get("logo")
            if logo:
                folder, _, name = logo["src"].rpartition("/")
                files[f"content/{logo['src']}"] = svg(i)
                files |= {f"content/{folder}/{backup.format(name)}".replace("//", "/"): svg(i) for backup in BACKUPS}
                logo = {**logo, "src": spelled(logo["src"], spellings[i], content)}
            written.append({**p, "logo": logo} if logo else p)
        files |= {f"content/articles/art{i}.md": article(i) for i in featured}
        files |= {f"content/newsletter/issue{i}.md": issue(i) for i in featured}
        files |= {f"content/newsletter/welcome/{i:02d}-step.md": welcome_step(i) for i in featured}
        files["content/newsletter/plain.md"] = "Title: A plain issue for all\nDate: 2026-07-20\n\nNews.\n"
        files |= {f"content/files/quote{i}.txt": f"zqa{i}attachq" for i in featured}
        files |= {
            f"content/{m.kind}/m{n}.{m.fmt}": mentioning(n, m) for n, m in enumerate(mentions) if m.kind != "partners"
        }
        files["private/subscribers.csv"] = "email,name\nzqsubscriberq@example.org,Sub\n"
        make_site(root, {f"firm{i}": p for i, p in enumerate(written)}, files)
        if insertion is not None:  # refused, however the site asks docutils to insert files; nothing written
            attempt = insertion.replace("PRIVATE", str(root / "private" / "subscribers.csv"))
            inserting = content / "articles" / "inserting.rst"
            inserting.parent.mkdir(exist_ok=True)
            inserting.write_text(f"Inserting\n#########\n\n:date: 2026-08-01\n\n{attempt}\n", encoding="utf-8")
            with (root / "pelicanconf.py").open("a") as conf:
                conf.write('DOCUTILS_SETTINGS = {"file_insertion_enabled": True, "halt_level": 5}\n')
            with pytest.raises(ValidationFailed) as refused:
                build(root)
            assert [p for p in refused.value.problems if p.path == inserting and "no file inserted" in p.message]
            assert not (root / "output").exists() or b"zqsubscriberq" not in b"".join(
                read_tree(root / "output").values()
            )
            inserting.unlink()
        (content / "aliases").mkdir()
        for i, p in enumerate(profiles):
            if "logo" in p:  # a link to each logo, and an Emacs lock link beside it
                (content / f"aliases/alias{i}.svg").symlink_to(content / p["logo"]["src"])
                (content / p["logo"]["src"]).with_name(f".#zq{i}logoq.svg").symlink_to("editor@host.1:1")
        build(root)
        tree = readable_tree(root / "output") | {f"mail/{k}": v for k, v in read_tree(root / "mail").items()}
        blob = b"\n".join(tree.values()) + b"\n" + "\n".join(tree).encode()
        assert str(root).encode() not in blob
        assert not [rel for rel in tree if "alias" in rel or "#" in rel or rel.endswith(("~", ".swp"))]
        assert b"noteq" not in blob  # editors' comments, in no page or feed
        assert b"zqsubscriberq" not in blob  # a private file, whatever an article inserts

        for i, p in enumerate(profiles):
            for field in PRIVATE_FIELDS:
                assert f"zq{i}{field}q".encode() not in blob, f"private {field} of p{i} leaked"
            digits = p["contact"]["phone"].replace(" ", "")[-7:]
            slug = f"firm{i}"
            if i in shown:
                assert f"partners/{slug}/index.html" in tree
                assert f"partners/{slug}.vcf" in tree
                assert f"zq{i}nameq".encode() in tree[f"partners/{slug}/certificate/index.html"]
                assert f"zq{i}nameq".encode() in tree["print/cards/index.html"]
                assert f"zq{i}nameq".encode() in tree[f"partners/{slug}/index.html"]
                assert "logo" not in p or p["logo"]["src"] in tree  # wherever under content/ it lives
            else:
                leaked = [rel for rel, data in tree.items() if f"zq{i}".encode() in data or f"zq{i}" in rel]
                assert not leaked, f"unpublished p{i} ({p['status']}) appears in {leaked}"
                assert not [rel for rel in tree if slug in rel]
                assert slug.encode() not in blob, f"slug of unpublished p{i} leaked"
                assert digits.encode() not in blob

        for i in featured:
            article_canaries = [f"zqa{i}{part}q".encode() for part in ("title", "summary", "body")]
            article_canaries.append(f"zqn{i}titleq".encode())  # the newsletter issue naming them
            article_canaries.append(f"zqw{i}titleq".encode())  # the welcome step naming them
            if i in shown:
                assert f"articles/art{i}/index.html" in tree
                assert all(c in tree["feeds/articles.atom.xml"] for c in article_canaries[:3])
                assert f"mail/issue{i}/message.eml" in tree
                assert f"mail/welcome/{i:02d}-step/message.eml" in tree
                assert f"zqa{i}attachq".encode() in blob  # its attachment goes out with it
            else:  # withheld: nothing of the article either, nor the file it attaches
                assert not [c for c in [*article_canaries, f"zqa{i}attachq".encode()] if c in blob]
                assert not [rel for rel in tree if f"art{i}" in rel or f"issue{i}" in rel or f"{i:02d}-step" in rel]

        for n, m in enumerate(mentions):
            if m.kind != "partners":  # withheld, or shown in full, whatever the spelling
                assert (f"zqm{n}bodyq".encode() in blob) == (m.target in shown), f"m{n} ({m})"

        in_parts = json.loads(tree["pagefind/vouch-parts.json"])["parts"]
        indexed = len([k for k in tree if re.match(r"pagefind/(\d+/)?fragment/", k)])  # not the word index's
        parted = len(profiles) % 2 and indexed > 2 and len(shown) > 1  # parts are ranges of partners' names
        assert (len(in_parts) > 1) == bool(parted), in_parts  # both layouts are checked
        fragments = b"".join(v for k, v in tree.items() if re.match(r"pagefind/(\d+/)?fragment/", k))
        for i in range(len(profiles)):
            assert (f"zq{i}nameq".encode() in fragments) == (i in shown)  # the search index, decompressed

        sent = personal_messages(root, profiles)
        for i in range(len(profiles)):
            for field in PRIVATE_FIELDS:
                assert f"zq{i}{field}q".encode() not in sent, f"private {field} of p{i} sent"
            if i not in shown:
                assert f"zq{i}".encode() not in sent and f"firm{i}/".encode() not in sent, f"unpublished p{i} sent"
        assert (b"Trusted near Shared Town" in sent) == bool(shown)

        # Print pages: a code for each shown partner and no other, each encoding just its profile's URL.
        codes = {rel: data for rel, data in tree.items() if rel.endswith("qr.svg")}
        assert codes == {f"partners/firm{i}/qr.svg": qr_svg(f"https://test.example/partners/firm{i}/") for i in shown}
        cards = [rel for rel in tree if rel.startswith("print/cards/")]
        assert all(tree[rel].count(b'class="print-card"') <= 100 for rel in cards)
        assert sum(tree[rel].count(b'class="print-card"') for rel in cards if rel.count("/") == 3) == len(shown)

        data = json.loads(tree["partners.json"])
        assert sorted(e["slug"] for e in data["partners"]) == sorted(f"firm{i}" for i in shown)


# Review 3, findings 1-3 and 7: a link to a withheld item counts wherever the source holds it (in code too, erring
# on the safe side), however the renderer of the page, feed or e-mail would read it.
LINKS_TO_WITHHELD = {
    "tilde": "How to write a link:\n\n~~~\n[the survey]({filename}/articles/zqt1.md)\n~~~\n",
    "blankfence": "```\nintro\n\n[the survey]({filename}/articles/zqt1.md)\n```\n",
    "indent": '- a list\n    - nested item\n\n<a HREF="{filename}/articles/zqt1.md">the survey</a>\n',
    "htmlinline": 'Inline: `<img src="{static}/images/zqt4.png">` and [the survey]({filename}/articles/zqt1.md).\n',
    "inline": "Write `{filename}/articles/zqt1.md ` like this.\n",
}
# Links the source pattern cannot read whole: refused with a problem line (nothing built), never published.
LINKS_REFUSED = {
    "inlinetick": "Write `{filename}/articles/zqt1.md` like this.\n",
    "paren": "See the `survey`: [the survey]({filename}/articles/zqt2_(survey).md).\n",
    "space": "See the `survey`: [the survey](<{filename}/articles/zqt3 survey.md>).\n",
    "indentparen": "- a list\n    - nested item\n\n[the survey]({filename}/articles/zqt2_(survey).md)\n",
}
NO_FENCED_CODE = (
    'MARKDOWN = {"extension_configs": {"markdown.extensions.codehilite": {"css_class": "highlight"}, '
    '"markdown.extensions.meta": {}}, "output_format": "html5"}\n'
)


@pytest.mark.parametrize(
    "conf",
    ["", pytest.param(NO_FENCED_CODE, marks=pytest.mark.slow)],  # slow: a second build of the same site
    ids=["default-markdown", "markdown-without-fenced-code"],
)
def test_a_link_to_a_withheld_item_in_code_withholds_the_linking_article_and_issue(tmp_path: Path, conf: str) -> None:
    """Fences (``~~~``, with blank lines), inline code, indented lines, an upper-case HREF, a site MARKDOWN without
    fenced code: the linking article and issue are withheld, and the withheld target's path, slug and text are in
    no byte of output/ or mail/. A path with ( ) or a space is refused in one line per file, and nothing is built."""
    target = "Title: Our survey zqtitleq\nDate: 2026-11-20\nSummary: Why.\n\nWe are vetting {partner}quay.\n"
    files: dict[str, str | bytes] = {
        "content/articles/zqt1.md": target,
        "content/articles/zqt2_(survey).md": target,
        "content/articles/zqt3 survey.md": target,
        "content/articles/plain.md": "Title: Plain zqplainq\nDate: 2026-11-01\nSummary: x\n\nNothing hidden.\n",
        "content/newsletter/plain.md": "Title: Plain issue zqplainq\nDate: 2026-11-01\n\nNews.\n",
        "private/subscribers.csv": "email,name\nann@example.org,Ann\n",
    }
    for name, body in (LINKS_TO_WITHHELD | LINKS_REFUSED).items():
        files[f"content/articles/l{name}.md"] = f"Title: Linking zql{name}q\nDate: 2026-11-21\nSummary: L.\n\n{body}"
        files[f"content/newsletter/n{name}.md"] = f"Title: Issue zqn{name}q\nDate: 2026-11-22\n\n{body}"
    quay = vetted("Quay Drains") | {"status": "suspended"}
    make_site(tmp_path, {"harbour": vetted("Harbour"), "quay": quay}, files)
    with (tmp_path / "pelicanconf.py").open("a") as pelicanconf:
        pelicanconf.write(conf)
    with pytest.raises(ValidationFailed) as refused:
        build(tmp_path)
    named = {(p.path.parent.name, p.path.stem) for p in refused.value.problems}
    assert named == {(folder, f"{letter}{name}") for name in LINKS_REFUSED
                     for folder, letter in (("articles", "l"), ("newsletter", "n"))}  # fmt: skip
    assert not (tmp_path / "output").exists() and not (tmp_path / "mail").exists()
    for name in LINKS_REFUSED:
        (tmp_path / f"content/articles/l{name}.md").unlink()
        (tmp_path / f"content/newsletter/n{name}.md").unlink()
    build(tmp_path)
    tree = readable_tree(tmp_path / "output") | {f"mail/{k}": v for k, v in read_tree(tmp_path / "mail").items()}
    blob = b"\n".join(tree.values()) + b"\n" + "\n".join(tree).encode()
    assert b"zqplainq" in blob  # the build did publish what links nothing withheld
    assert "mail/plain/message.eml" in tree
    for canary in ("zqt1", "zqt2", "zqt3", "zqt4", "zqtitleq", "quay"):
        assert canary.encode() not in blob, (
            f"{canary} leaked: {[rel for rel, v in tree.items() if canary.encode() in v]}"
        )
    for name in LINKS_TO_WITHHELD:  # withheld: the linking article and the issue, in no page, feed or e-mail
        assert f"zql{name}q".encode() not in blob and f"zqn{name}q".encode() not in blob, name
        assert f"mail/n{name}/message.eml" not in tree
