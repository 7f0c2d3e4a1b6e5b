// The readers' search page: Pagefind's JavaScript API, driven by the page's URL.
//
// - The URL holds the whole search (?q=…&sort=newest&source=…&entity=…), so a search can be
//   shared or reloaded, and Back/Forward step through searches (pushState/popstate).
// - Everything shown comes from the index, which is made from hostile content: results are
//   built as DOM nodes with textContent; the only markup kept from an excerpt is <mark>,
//   re-created here, never parsed.
// - The index may be split into shards (pagefind/shards.json, oldest first): each is searched
//   on its own; best-match results are merged by score, dated orders by shard order.
// - Filter files are only fetched when the reader opens the filters (or the URL uses one):
//   they are as large as the rest of a first query together.

const GROUPS = [
  ["source", "Source"],
  ["kind", "Kind"],
  ["year", "Year"],
  ["speaker", "Speaker"],
  ["entity", "Entity"],
];
const SORTS = { newest: { date: "desc" }, oldest: { date: "asc" } };
const PAGE_SIZE = 10;
const VALUES_SHOWN = 8;
const FIND_FROM = 20; // groups with more values get a box to find one by name
const TYPING_DELAY_MS = 300;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
// Pagefind already gives a title match far more weight than body text; aliases of an entity
// should count like its name, Korean dictionary forms like body words. An entity page also
// has its name and aliases as `names`, which statements lack: its name's search shows it
// above a statement with the name in its title and text.
const RANKING = { metaWeights: { title: 5, aliases: 5, names: 5, terms: 1, source: 1, date: 1 } };

const root = document.getElementById("search");
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const filterPanel = document.getElementById("search-filters");
const filterGroups = document.getElementById("search-filter-groups");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");

let engine = null; // promise of { shards: [instance…] }
let filtersWanted = false;
let searchNumber = 0;
let shown = { results: [], next: 0 };
let typingTimer = 0;
// Whether the current history entry is a search being typed: typing updates it in place,
// but the first update after a finished search (submitted, or reached by Back) is a new entry,
// so that Back returns to it even when the reader waited for the live results before Enter.
let typingEntry = false;

// -- state <-> URL ------------------------------------------------------------------------

function stateFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const filters = {};
  for (const [group] of GROUPS) {
    const values = params.getAll(group).filter(Boolean);
    if (values.length) filters[group] = [...new Set(values)].sort();
  }
  const sort = Object.hasOwn(SORTS, params.get("sort")) ? params.get("sort") : "";
  return { q: (params.get("q") || "").trim(), sort, filters };
}

function urlOf(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.sort) params.set("sort", state.sort);
  for (const [group] of GROUPS) {
    for (const value of state.filters[group] || []) params.append(group, value);
  }
  const query = params.toString();
  return window.location.pathname + (query ? "?" + query : "");
}

function stateFromControls() {
  const filters = {};
  for (const box of filterGroups.querySelectorAll("input[type=checkbox]:checked")) {
    (filters[box.name] ||= []).push(box.value);
  }
  for (const group of Object.keys(filters)) filters[group] = [...new Set(filters[group])].sort();
  // Filters chosen in the URL but not yet on screen (panel closed) are kept.
  const current = stateFromUrl();
  const panelReady = filterGroups.dataset.ready === "true";
  return {
    q: input.value.trim(),
    sort: Object.hasOwn(SORTS, sortSelect.value) ? sortSelect.value : "",
    filters: panelReady ? filters : current.filters,
  };
}

function showState(state) {
  input.value = state.q;
  const header = document.getElementById("site-search");
  if (header) header.value = state.q;
  sortSelect.value = state.sort;
  for (const box of filterGroups.querySelectorAll("input[type=checkbox]")) {
    box.checked = (state.filters[box.name] || []).includes(box.value);
  }
}

function hasFilters(state) {
  return Object.values(state.filters).some((values) => values.length);
}

// -- Pagefind -----------------------------------------------------------------------------

function loadEngine() {
  engine ||= (async () => {
    const bundle = root.dataset.bundle;
    const base = root.dataset.base || "/";
    const manifest = await fetch(bundle + "shards.json").then((r) => {
      if (!r.ok) throw new Error(`${bundle}shards.json: HTTP ${r.status}`);
      return r.json();
    });
    const pagefind = await import(bundle + "pagefind.js");
    const shards = [];
    for (const shard of manifest.shards) {
      const options = { baseUrl: base, ranking: RANKING, excerptLength: 30 };
      let instance;
      if (pagefind.createInstance) {
        instance = pagefind.createInstance({ basePath: bundle + shard.path });
      } else if (manifest.shards.length === 1) {
        instance = pagefind; // Pagefind before createInstance: one index only
      } else {
        throw new Error("this Pagefind cannot search a split index");
      }
      await instance.options(options);
      shards.push(instance);
    }
    return { shards };
  })();
  engine.catch(() => {
    engine = null; // let a later search try again (a network hiccup is not forever)
  });
  return engine;
}

function pagefindFilters(chosen) {
  const filters = {};
  for (const [group, values] of Object.entries(chosen)) {
    if (values.length) filters[group] = { any: values };
  }
  return filters;
}

// English function words are in nearly every statement: as search terms they narrow nothing
// and change no ranking, but each costs a reader hundreds of kilobytes of index (measured:
// "of" is a 390 KB chunk at 10,000 statements). They are left out of the words sent to
// Pagefind, except in a quoted phrase or when nothing else is left.
const STOP_WORDS = new Set(("a an and are as at be by for from in into is it its of on or that the " +
  "this to was were with").split(" "));

function searchTerm(q) {
  if (!q) return null; // null: every page the filters allow
  if (!/^en\b/i.test(document.documentElement.lang || "") || /"/.test(q)) return q;
  const words = q.split(/\s+/).filter((word) => !STOP_WORDS.has(word.toLocaleLowerCase("en")));
  return words.length ? words.join(" ") : q;
}

// Pagefind also reads each word of a query as the start of a longer one ("Yo" finds
// "Young", "Youth"), so "Kim Yo Jong" alone would list every statement naming Kim Jong Un
// and a youth league. Words typed without quotes are searched as a phrase too, and the
// phrase's results come first (by relevance; a date order stays one list). Only where no
// function word was left out: a phrase must have them, and their index chunks are the
// largest there are.
function phraseOf(q, term) {
  if (!term || /"/.test(q)) return null;
  const words = q.trim().split(/\s+/);
  const phrase = words.join(" ");
  return words.length > 1 && phrase === term.trim().split(/\s+/).join(" ") ? `"${phrase}"` : null;
}

function ordered(answers, sort) {
  if (sort === "newest") return answers.slice().reverse().flatMap((a) => a.results);
  if (sort === "oldest") return answers.flatMap((a) => a.results);
  return answers.flatMap((a) => a.results).sort((a, b) => b.score - a.score);
}

async function search(state, withCounts) {
  const { shards } = await loadEngine();
  const term = searchTerm(state.q);
  const phrase = state.sort ? null : phraseOf(state.q, term); // a date order is one list
  const [answers, phraseAnswers] = await Promise.all([
    searchShards(shards, term, state.filters, state.sort),
    phrase ? searchShards(shards, phrase, state.filters, state.sort) : [],
  ]);
  const first = ordered(phraseAnswers, state.sort);
  const seen = new Set(first.map((r) => r.key));
  const results = [...first, ...ordered(answers, state.sort).filter((r) => !seen.has(r.key))];
  const counts = mergeCounts(answers.map((a) => a.filters || {}));
  if (withCounts) {
    // A group's own choices must not hide its other values (they widen, not narrow, the
    // search): count each chosen group as if nothing in it were chosen.
    for (const [group, values] of Object.entries(state.filters)) {
      if (!values.length) continue;
      const others = { ...state.filters, [group]: [] };
      const wider = await searchShards(shards, term, others, "");
      counts[group] = mergeCounts(wider.map((a) => a.filters || {}))[group] || {};
    }
  }
  return { results, counts };
}

function searchShards(shards, term, filters, sort) {
  const options = { filters: pagefindFilters(filters) };
  if (sort) options.sort = SORTS[sort];
  return Promise.all(
    shards.map(async (shard, index) => {
      const answer = await shard.search(term, options);
      for (const result of answer.results) result.key = `${index}:${result.id}`; // ids are a shard's own
      return answer;
    }),
  );
}

async function allFilterCounts() {
  const { shards } = await loadEngine();
  return mergeCounts(await Promise.all(shards.map((shard) => shard.filters())));
}

// Values are content (an entity may be named "__proto__"): counted in objects without a
// prototype, so that every name is an own key.
function mergeCounts(countsList) {
  const merged = Object.create(null);
  for (const counts of countsList) {
    for (const [group, values] of Object.entries(counts || {})) {
      const target = (merged[group] ||= Object.create(null));
      for (const [value, count] of Object.entries(values)) target[value] = (target[value] || 0) + count;
    }
  }
  return merged;
}

// -- running a search ---------------------------------------------------------------------

async function run(state) {
  const number = ++searchNumber;
  showState(state);
  if (!state.q && !hasFilters(state)) {
    list.replaceChildren();
    moreButton.hidden = true;
    statusLine.textContent = "Type words, names or dates to search the archive.";
    if (filtersWanted) await refreshFilters(state, null, number);
    return;
  }
  statusLine.textContent = "Searching…";
  let found;
  try {
    if (filtersWanted) await ensureFilterData();
    found = await search(state, filtersWanted);
  } catch (error) {
    if (number === searchNumber) failed(error);
    return;
  }
  if (number !== searchNumber) return; // a newer search has started
  shown = { results: found.results, next: 0 };
  list.replaceChildren();
  await showMore(number);
  // Checked again after each wait: a search overtaken meanwhile (a second tick) must not
  // redraw the status or the filters under the reader's finger with its older counts.
  if (number !== searchNumber) return;
  statusLine.textContent = describe(found.results.length, state);
  if (filtersWanted) await refreshFilters(state, found.counts, number);
}

function describe(count, state) {
  const what = count === 1 ? "1 result" : `${count.toLocaleString("en")} results`;
  const none = count === 0 ? "No results" : what;
  const filtered = hasFilters(state) ? " with the chosen filters" : "";
  return state.q ? `${none} for “${state.q}”${filtered}.` : `${none}${filtered}.`;
}

function failed(error) {
  console.error(error);
  statusLine.textContent =
    "Search is not available on this copy of the site (its index could not be loaded). " +
    "The browse pages still work.";
  list.replaceChildren();
  moreButton.hidden = true;
}

async function showMore(number) {
  const batch = shown.results.slice(shown.next, shown.next + PAGE_SIZE);
  shown.next += batch.length;
  const items = await Promise.all(batch.map((result) => result.data()));
  if (number !== searchNumber) return;
  list.append(...items.map(resultItem));
  moreButton.hidden = shown.next >= shown.results.length;
}

// -- rendering (text only: index data is never parsed as HTML) ------------------------------

function resultItem(data) {
  const meta = data.meta || {};
  const filters = data.filters || {};
  const item = el("li", "statement-card search-result");
  const heading = el("h3", "card-title");
  const link = el("a");
  link.setAttribute("href", safeHref(data.url));
  link.textContent = meta.title || data.url;
  link.dir = "auto"; // a title in Arabic or Hebrew reads right to left
  heading.append(link);
  item.append(heading);
  const line = el("p", "meta");
  if (meta.date) {
    // Statements always have a date; entity pages never do.
    const time = el("time");
    time.dateTime = meta.date;
    time.textContent = longDate(meta.date);
    line.append(time);
    for (const part of [meta.source, first(filters.kind), first(filters.speaker)]) {
      if (part) line.append(" · " + part);
    }
  } else {
    line.append("Entity");
    if (meta.aliases) line.append(" · also " + meta.aliases);
  }
  item.append(line);
  if (data.excerpt) {
    const excerpt = el("p", "excerpt");
    excerpt.append(...excerptNodes(data.excerpt));
    item.append(excerpt);
  }
  return item;
}

// Pagefind's excerpt is the indexed text with < and > escaped and matches wrapped in <mark>:
// split on the marks, decode the few entities, and make text nodes of the rest.
function excerptNodes(excerpt) {
  const nodes = [];
  let marked = false;
  for (const part of String(excerpt).split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) {
      const text = document.createTextNode(decodeEntities(part));
      if (marked) {
        const mark = el("mark");
        mark.append(text);
        nodes.push(mark);
      } else nodes.push(text);
    }
  }
  return nodes;
}

const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'", "&#x27;": "'" };
function decodeEntities(text) {
  return text.replace(/&(?:lt|gt|amp|quot|#39|#x27);/g, (entity) => ENTITIES[entity]);
}

function safeHref(url) {
  // Only links that resolve to http(s): never javascript: or data: from the index.
  const text = String(url);
  const parsed = new URL(text, window.location.href);
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? text : "#";
}

function longDate(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return day && month ? `${day} ${MONTHS[month - 1]} ${year}` : iso;
}

function first(values) {
  return Array.isArray(values) && values.length ? values[0] : "";
}

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

// -- filters ------------------------------------------------------------------------------

let filterData = null; // promise: counts over the whole index, loaded once
const expandedGroups = new Set(); // filter groups showing all their values
const groupNeedles = new Map(); // what the reader typed in a group's find box

function ensureFilterData() {
  filterData ||= allFilterCounts();
  return filterData;
}

async function refreshFilters(state, counts, number = searchNumber) {
  let totals;
  try {
    totals = await ensureFilterData();
    if (number !== searchNumber) return;
  } catch (error) {
    filterGroups.replaceChildren(el("p", "meta"));
    filterGroups.firstChild.textContent = "Filters could not be loaded.";
    return;
  }
  const focused = document.activeElement;
  const focusKey = focused && focused.dataset ? focused.dataset.key : null;
  const groups = [];
  for (const [group, label] of GROUPS) {
    const values = (counts || totals)[group] || totals[group] || {};
    const fieldset = filterGroup(group, label, values, state.filters[group] || []);
    if (fieldset) groups.push(fieldset);
  }
  filterGroups.replaceChildren(...groups);
  filterGroups.dataset.ready = "true";
  if (focusKey) {
    const again = [...filterGroups.querySelectorAll("[data-key]")].find((n) => n.dataset.key === focusKey);
    if (again) again.focus();
  }
}

function filterGroup(group, label, counts, selected) {
  const values = Object.keys(counts).filter((v) => counts[v] > 0 || selected.includes(v));
  for (const value of selected) if (!values.includes(value)) values.push(value);
  if (!values.length) return null;
  values.sort(group === "year"
    ? (a, b) => b.localeCompare(a)
    : (a, b) => (counts[b] || 0) - (counts[a] || 0) || a.localeCompare(b, "en"));
  const fieldset = el("fieldset", "filter-group");
  const legend = el("legend");
  legend.textContent = label;
  fieldset.append(legend);
  const ul = el("ul");
  values.forEach((value) => {
    const li = el("li");
    const labelNode = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.name = group;
    box.value = value;
    box.checked = selected.includes(value);
    box.dataset.key = group + "\u0000" + value;
    const count = el("span", "count");
    count.textContent = ` (${(counts[value] || 0).toLocaleString("en")})`;
    labelNode.append(box, value, count);
    li.append(labelNode);
    ul.append(li);
  });
  const name = label.toLowerCase();
  if (values.length > FIND_FROM) {
    // Hundreds of speakers or entities: a box to find one by name, before the list.
    const find = el("input", "filter-find");
    find.type = "search";
    find.id = `filter-find-${group}`;
    find.dataset.key = group + "\u0000(find)";
    find.value = groupNeedles.get(group) || "";
    find.setAttribute("aria-controls", `filter-list-${group}`);
    const findLabel = el("label", "visually-hidden");
    findLabel.htmlFor = find.id;
    findLabel.textContent = `Find a ${name}`;
    find.placeholder = `Find a ${name}`;
    find.addEventListener("input", () => {
      groupNeedles.set(group, find.value);
      showValues(ul, group);
    });
    fieldset.append(findLabel, find);
  }
  ul.id = `filter-list-${group}`;
  fieldset.append(ul);
  if (values.length > VALUES_SHOWN) {
    const toggle = el("button", "filter-toggle");
    toggle.type = "button";
    toggle.dataset.key = group + "\u0000(toggle)";
    toggle.setAttribute("aria-controls", ul.id);
    const describe = () => {
      const open = expandedGroups.has(group);
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? `Show fewer ${name} values` : `Show all ${values.length} ${name} values`;
    };
    toggle.addEventListener("click", () => {
      if (expandedGroups.has(group)) expandedGroups.delete(group);
      else expandedGroups.add(group);
      describe();
      showValues(ul, group);
    });
    describe();
    fieldset.append(toggle);
  }
  showValues(ul, group);
  return fieldset;
}

// Which values a group lists: chosen ones always; then those matching the find box, or the
// first VALUES_SHOWN unless the group is expanded.
function showValues(ul, group) {
  const needle = (groupNeedles.get(group) || "").trim().toLocaleLowerCase();
  const open = expandedGroups.has(group);
  ul.querySelectorAll("li").forEach((li, index) => {
    const box = li.querySelector("input");
    const matches = needle ? box.value.toLocaleLowerCase().includes(needle) : open || index < VALUES_SHOWN;
    li.hidden = !(box.checked || matches);
  });
}

// -- events -------------------------------------------------------------------------------

function navigate(replace) {
  const state = stateFromControls();
  const url = urlOf(state);
  if (url !== window.location.pathname + window.location.search) {
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
  }
  return run(state);
}

// Show the controls' search in the current entry if it is one being typed, else in a new
// one; `typing` says whether the reader is still typing it.
function navigateTyped(typing) {
  const replace = typingEntry;
  typingEntry = typing;
  return navigate(replace);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(typingTimer);
  navigateTyped(false);
});

input.addEventListener("input", () => {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => navigateTyped(true), TYPING_DELAY_MS);
});

function navigateAnew() {
  typingEntry = false;
  return navigate(false);
}

sortSelect.addEventListener("change", () => navigateAnew());

filterGroups.addEventListener("change", (event) => {
  if (event.target.matches("input[type=checkbox]")) navigateAnew();
});

filterPanel.addEventListener("toggle", () => {
  if (filterPanel.open && !filtersWanted) {
    filtersWanted = true;
    const state = stateFromUrl();
    if (state.q || hasFilters(state)) run(state);
    else refreshFilters(state, null);
  }
});

moreButton.addEventListener("click", () => {
  const firstNew = shown.next;
  showMore(searchNumber).then(() => {
    const link = list.children[firstNew] && list.children[firstNew].querySelector("a");
    if (link) link.focus();
  });
});

window.addEventListener("popstate", () => {
  clearTimeout(typingTimer);
  typingEntry = false;
  run(stateFromUrl());
});

// -- start --------------------------------------------------------------------------------

document.getElementById("search-nojs").hidden = true;
root.hidden = false;
const initial = stateFromUrl();
if (hasFilters(initial)) {
  filtersWanted = true;
  filterPanel.open = true;
}
run(initial);
if (!initial.q && !hasFilters(initial)) input.focus();
