"""What a visitor finds: a fixed seeded network, a fixed list of queries, and the result URLs the search page's
own engine returns for them in a real browser (Debian's chromium driven by Playwright).

The recording in ``tests/fixtures/search_queries.json`` was made against the index built before the search
was reworked (issue 20); ``tests/test_search_equivalence.py`` checks every later index against it. Record again
only on purpose (a change to the generator or to what is indexed), and say why in the commit::

    python -m tests.searchkit            # rebuilds the network in a temporary folder, rewrites the fixture
"""

from __future__ import annotations

import functools
import http.server
import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.generate import generate
from tests.sitekit import demo_clock
from vouch_site.build import build

FIXTURE = Path(__file__).parent / "fixtures" / "search_queries.json"
NETWORK = {"partners": 400, "articles": 60, "issues": 4, "seed": 7}
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"]

# Words a visitor types: trades, services, areas, words from articles and pages, two-word queries, filters.
# Exact partner names are added from the built network (every NAME_STEP-th published partner).
WORDS = [
    "plumbing", "electrical", "locksmiths", "pest control", "accountancy", "roofing",
    "boiler servicing", "decking", "kitchen fitting", "sash window repair", "payroll", "PAT testing",
    "Exeter", "Newton Abbot", "Totnes", "Dawlish", "Ivybridge",
    "boiler", "gutter", "warranty", "deposit", "hedge", "coosdel", "Advice 12", "newsletter", "about", "join",
    "roof repair", "trusted plumber", "repairs", "Granite Solar",
]  # fmt: skip
FILTERED = [
    (None, {"category": "Plumbing"}),
    (None, {"area": "Exeter"}),
    (None, {"category": "Accountancy", "area": "Torquay"}),
    ("boiler", {"category": "Heating"}),
    ("repair", {"area": "Paignton"}),
]
NAME_STEP = 40
NAME_SORT = {"name": "asc"}  # as the search page lists filters alone: A to Z

# The page's own engine (search.js's ``engine()``, whatever indexes it merges), asked as the page asks it.
RUN_QUERIES = """async (queries) => {
  const page = await import(new URL("../theme/search.js", location.href).href);
  const pagefind = await page.engine();
  const found = [];
  for (const q of queries) {
    const options = { filters: q.filters || {} };
    if (q.sort) options.sort = q.sort;
    const search = await pagefind.search(q.query, options);
    const data = await Promise.all(search.results.map((r) => r.data()));
    found.push(data.map((d) => d.url));
  }
  return found;
}"""


def build_network(root: Path) -> Path:
    """The seeded network, built as ``invoke build`` builds it; returns its output folder."""
    generate(root, **NETWORK)
    with demo_clock():
        return build(root).output


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` over http on a free local port; yields the search page's URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/search/"
    finally:
        server.shutdown()


def queries_for(output: Path) -> list[dict[str, Any]]:
    """The fixed words and filters, plus exact names of published partners (``name_of``: their profile URL)."""
    partners = json.loads((output / "partners.json").read_text())["partners"]
    asked: list[dict[str, Any]] = [{"query": w, "filters": {}} for w in WORDS]
    for query, filters in FILTERED:
        asked.append({"query": query, "filters": filters} | ({} if query else {"sort": NAME_SORT}))
    for p in partners[::NAME_STEP]:
        asked.append(
            {"query": p["name"], "filters": {}, "name_of": "/" + p["url"].split("://", 1)[-1].split("/", 1)[1]}
        )
    return asked


def ask(browser: Any, search_page: str, queries: list[dict[str, Any]]) -> list[list[str]]:
    """Each query's result URLs, in the engine's order."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(search_page)
    found = page.evaluate(RUN_QUERIES, queries)
    context.close()
    assert not errors, errors
    return found


def record() -> None:
    """Build the network, ask every query, write the fixture."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        output = build_network(Path(folder))
        queries = queries_for(output)
        with served(output) as search_page, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            found = ask(browser, search_page, queries)
            browser.close()
    recorded = [q | {"urls": urls} for q, urls in zip(queries, found, strict=True)]
    lines = ",\n".join(json.dumps(q, ensure_ascii=False) for q in recorded)  # a query a line: reviewable diffs
    FIXTURE.write_text(f'{{"network": {json.dumps(NETWORK)},\n"queries": [\n{lines}\n]}}\n')
    print(f"{FIXTURE}: {len(recorded)} queries, {sum(len(q['urls']) for q in recorded)} results")


if __name__ == "__main__":
    record()
