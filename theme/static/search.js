// Static search with Pagefind: the index lives in /pagefind/ beside this theme.
// Works from any sub-path: every URL is resolved against this script's own location.
const root = new URL("../", import.meta.url);
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const category = document.getElementById("category");
const area = document.getElementById("area");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const PAGE = 20;

// A big site's index comes in parts (an edit re-indexes its own), listed in vouch-parts.json: partners A to Z,
// then the other pages, merged with Pagefind's mergeIndex (one worker, one WASM), each part's results marked with
// its number as a filter. A part alone would back off to a prefix of a word it lacks (pagefind#599), so the word
// index (page k: the words of part k, stored as part k stores them) is asked first which parts hold the query's
// words, and only those give results: what one index would find. A word ranks by score across the parts; filters
// alone list each part A to Z, one part after another.
const PART = "vouch-part";
let merged;
export function engine() { // exported: the search-equivalence test asks the very engine this page asks
  merged ||= load().catch((error) => { merged = null; throw error; }); // a failed load is tried again
  return merged;
}

async function load() {
  const listed = await (await fetch(new URL("pagefind/vouch-parts.json", root))).json();
  const path = (part) => new URL(`pagefind/${part ? `${part}/` : ""}`, root).pathname;
  const pagefind = await import(new URL(`${path(listed.parts[0])}pagefind.js`, location.href).href);
  if (listed.parts.length === 1) {
    const single = pagefind.createInstance({ basePath: path(""), baseUrl: root.pathname });
    return { search: (term, options = {}) => single.search(term, options) };
  }
  const mark = (name) => ({ baseUrl: root.pathname, mergeFilter: { [PART]: name } });
  const all = pagefind.createInstance({ basePath: path(listed.parts[0]), ...mark(listed.parts[0]) });
  for (const part of [...listed.parts.slice(1), listed.words]) await all.mergeIndex(path(part), mark(part));
  const within = (options, parts) => ({ ...options, filters: { ...(options.filters || {}), [PART]: { any: parts } } });
  return {
    async search(term, options = {}) {
      if (!term) { // filters alone: each part in its turn
        const each = await Promise.all(listed.parts.map((part) => all.search(null, within(options, [part]))));
        return { ...each[0], results: each.flatMap((found) => found.results) };
      }
      // A "quoted phrase" asks for words side by side, which the word index's A to Z pages never have: it is asked
      // for the words alone (the parts holding them all), and those parts for the phrase.
      const holding = await all.search(term.replaceAll('"', " "), within({}, [listed.words]));
      const parts = holding.results.map((found) => listed.part_of[found.id]);
      if (!parts.length) return holding;
      return all.search(term, within(options, parts));
    },
  };
}

function filters() {
  const chosen = {};
  if (category.value) chosen.category = category.value;
  if (area.value) chosen.area = area.value;
  return chosen;
}

const KINDS = { Partner: "Vetted partner", Advice: "Advice", Newsletter: "Newsletter", Page: "Page" };

// The page's own card (the one the directory shows), filled in: a partner listed by filters alone.
const cardTemplate = document.getElementById("card-template");
function card(data) {
  const li = cardTemplate.content.firstElementChild.cloneNode(true);
  const meta = data.meta;
  const link = li.querySelector(".card-title a");
  link.href = data.url;
  link.textContent = meta.title || data.url;
  const badge = li.querySelector(".card-logo");
  if (meta.logo) {
    const img = document.createElement("img");
    Object.assign(img, { className: "card-logo", src: new URL(meta.logo, new URL(data.url, location.href)).href, alt: "", width: 48, height: 48 });
    badge.replaceWith(img);
  } else {
    badge.textContent = meta.mono || "";
  }
  const areas = data.filters.area || []; // as the card says it everywhere: three, then "and N more"
  const where = areas.length <= 4 ? areas.join(", ") : `${areas.slice(0, 3).join(", ")} and ${areas.length - 3} more`;
  const facts = [...(data.filters.category || []), where];
  li.querySelector(".card-meta").textContent = facts.filter(Boolean).join(" · ");
  const summary = li.querySelector(".card-summary");
  if (meta.summary) summary.textContent = meta.summary;
  else summary.remove();
  const time = document.createElement("time"); // made here: an empty <time> in the template is not valid HTML
  time.dateTime = meta.vetted_on || "";
  time.textContent = meta.vetted || "";
  li.querySelector(".tick").append(time);
  return li;
}

// Pagefind's excerpt is a window of whole words: say "…" only at an end where the page's text goes on.
const squeeze = (text) => text.replace(/\s+/g, " ").trim();
function excerptHtml(data) {
  const holder = document.createElement("p");
  holder.innerHTML = data.excerpt; // Pagefind escapes the page's text and adds only <mark>
  const plain = squeeze(holder.textContent);
  const content = squeeze(data.content || "");
  const head = content.startsWith(plain) ? "" : "…";
  const tail = content.endsWith(plain) || /[.!?]$/.test(plain) ? "" : "…";
  return head + (tail ? data.excerpt.replace(/[\s,;:]+$/, "") : data.excerpt) + tail;
}

function item(data, query) {
  const partner = (data.filters.type || [])[0] === "Partner";
  if (!query && partner) return card(data);
  const li = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  // What it is, and for a partner their trade and areas: a result is judged before it is opened.
  const facts = [KINDS[(data.filters.type || [])[0]], ...(data.filters.category || [])];
  if (data.filters.area) facts.push(data.filters.area.join(", "));
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = facts.filter(Boolean).join(" · ");
  const text = document.createElement("p");
  if (query || !data.meta.summary) {
    text.innerHTML = excerptHtml(data);
  } else {
    text.textContent = data.meta.summary;
  }
  li.append(heading, meta, text);
  return li;
}

let latest = 0;
let shownFor = null; // the search whose results are on screen: never redrawn for nothing (keeps focus)
async function run() {
  const query = input.value.trim();
  const chosen = filters();
  const key = JSON.stringify([query, chosen]);
  if (key === shownFor) return;
  const ticket = ++latest;
  if (!query && !Object.keys(chosen).length) {
    status.textContent = "";
    list.replaceChildren();
    shownFor = key;
    return;
  }
  // Filters alone list partners A to Z; a search word ranks by relevance.
  const options = query ? { filters: chosen } : { filters: chosen, sort: { name: "asc" } };
  let search, data;
  try {
    search = await (await engine()).search(query || null, options);
    data = await Promise.all(search.results.slice(0, PAGE).map((r) => r.data()));
  } catch {
    if (ticket === latest) status.textContent = "Search could not load its index. Reload the page, or browse the directory.";
    return;
  }
  if (ticket !== latest) return; // a newer search has started
  const count = search.results.length;
  const shown = count > PAGE ? `, showing the first ${PAGE}` : "";
  status.textContent = count ? `${count} result${count === 1 ? "" : "s"}${shown}.` : "No results. Try another word or fewer filters.";
  list.className = query ? "results" : "results cards"; // filters alone: a list of partner cards
  list.replaceChildren(...data.map((d) => item(d, query)));
  shownFor = key;
}

function remember() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  for (const [key, value] of Object.entries(filters())) params.set(key, value);
  history.replaceState(null, "", params.size ? `?${params}` : location.pathname);
}

let timer;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  remember();
  run();
});
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => { remember(); run(); }, 250);
});
for (const select of [category, area]) select.addEventListener("change", () => { remember(); run(); });

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
category.value = params.get("category") || "";
area.value = params.get("area") || "";
run();
