// rapport: the search box of every page. The index (data/search.js) is
// loaded the first time the box is used: as a script on a plain site (a
// script works from file://, where fetch does not), through the unlock
// script's data loader on an encrypted one. Results are built as DOM nodes
// with textContent: no text of a note is ever parsed as HTML.
(function () {
  "use strict";
  var form = document.getElementById("site-search");
  if (!form) { return; }
  var input = document.getElementById("site-search-q");
  var out = document.getElementById("site-search-results");
  var root = form.getAttribute("data-root") || "";
  var INDEX = "data/search.js";
  var LIMIT = 30;
  var AROUND = 60;
  var loading = null;
  var ix = null;

  // The index object from the text of data/search.js.
  function parse(text) {
    var open = text.indexOf("(");
    var close = text.lastIndexOf(")");
    return JSON.parse(text.slice(open + 1, close));
  }

  function load() {
    if (loading) { return loading; }
    if (typeof window.rapportLoad === "function") {
      loading = window.rapportLoad(INDEX).then(function (bytes) {
        return parse(new TextDecoder().decode(bytes));
      });
    } else {
      loading = new Promise(function (resolve, reject) {
        window.rapportSearchIndex = function (data) { resolve(data); };
        var s = document.createElement("script");
        s.src = root + INDEX;
        s.onload = function () { s.remove(); };
        s.onerror = function () { s.remove(); reject(new Error("cannot load the search index")); };
        document.head.appendChild(s);
      });
    }
    loading = loading.then(prepare);
    loading.catch(function () { loading = null; });
    return loading;
  }

  // One lower-cased text of every entry, one after another, and where
  // each starts: a query is then one indexOf over the whole book.
  function prepare(data) {
    var e = data.entries;
    var n = e.length / 3;
    var starts = new Int32Array(n + 1);
    var lowers = new Array(n);
    var at = 0;
    for (var i = 0; i < n; i++) {
      var t = e[3 * i + 2].toLowerCase();
      lowers[i] = t;
      starts[i] = at;
      at += t.length + 1;
    }
    starts[n] = at;
    ix = { data: data, hay: lowers.join("\u0001") + "\u0001", starts: starts, n: n };
    return ix;
  }

  // The entry that holds position `pos` of the haystack.
  function entryAt(pos) {
    var lo = 0, hi = ix.n - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (ix.starts[mid] <= pos) { lo = mid; } else { hi = mid - 1; }
    }
    return lo;
  }

  // The entry's own text, or its lower-cased one when lower-casing
  // changed its length (so that positions still match).
  function entryText(i) {
    var text = ix.data.entries[3 * i + 2];
    var len = ix.starts[i + 1] - 1 - ix.starts[i];
    return text.length === len ? text : ix.hay.slice(ix.starts[i], ix.starts[i] + len);
  }

  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { return null; }
    words.sort(function (a, b) { return b.length - a.length; });
    var first = words[0];
    var hits = [];
    var partners = {};
    var total = 0;
    var pos = ix.hay.indexOf(first);
    while (pos !== -1) {
      var i = entryAt(pos);
      var end = ix.starts[i + 1] - 1;
      var lower = ix.hay.slice(ix.starts[i], end);
      var all = true;
      for (var w = 1; w < words.length; w++) {
        if (lower.indexOf(words[w]) === -1) { all = false; break; }
      }
      if (all) {
        total++;
        var p = ix.data.entries[3 * i];
        partners[p] = true;
        if (hits.length < 2000) { hits.push({ entry: i, at: pos - ix.starts[i], len: first.length }); }
      }
      pos = ix.hay.indexOf(first, end + 1);
    }
    // A partner's name or firm first, then in the order of the book.
    hits.sort(function (a, b) {
      var ka = ix.data.entries[3 * a.entry + 1] <= 1 ? 0 : 1;
      var kb = ix.data.entries[3 * b.entry + 1] <= 1 ? 0 : 1;
      return ka - kb || a.entry - b.entry;
    });
    return { hits: hits, total: total, partners: Object.keys(partners).length };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function snippet(hit) {
    var text = entryText(hit.entry);
    var from = Math.max(0, hit.at - AROUND);
    var to = Math.min(text.length, hit.at + hit.len + AROUND);
    var p = el("p", "search-snippet");
    p.appendChild(document.createTextNode((from > 0 ? "…" : "") + text.slice(from, hit.at)));
    p.appendChild(el("mark", null, text.slice(hit.at, hit.at + hit.len)));
    p.appendChild(document.createTextNode(text.slice(hit.at + hit.len, to) + (to < text.length ? "…" : "")));
    return p;
  }

  function show(query) {
    while (out.firstChild) { out.removeChild(out.firstChild); }
    var found = search(query);
    if (!found) { out.hidden = true; return; }
    out.hidden = false;
    var head = el("p", "search-count", found.total === 0
      ? "Nothing found for “" + query.trim() + "”."
      : found.total + (found.total === 1 ? " match" : " matches") + " with " + found.partners +
        (found.partners === 1 ? " partner" : " partners") +
        (found.total > LIMIT ? ", the first " + LIMIT + " shown" : "") + ".");
    out.appendChild(head);
    if (!found.total) { return; }
    var list = el("ol", "search-list");
    found.hits.slice(0, LIMIT).forEach(function (hit) {
      var e = ix.data.entries;
      var p = e[3 * hit.entry];
      var li = el("li");
      var a = el("a", "search-partner", ix.data.names[p]);
      a.href = root + ix.data.pages[p];
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "search-kind", "in " + ix.data.kinds[e[3 * hit.entry + 1]]));
      li.appendChild(snippet(hit));
      list.appendChild(li);
    });
    out.appendChild(list);
  }

  var timer = null;
  function fail(message) {
    while (out.firstChild) { out.removeChild(out.firstChild); }
    out.hidden = false;
    out.appendChild(el("p", "search-count", message));
  }

  function run() {
    var q = input.value;
    form.setAttribute("data-state", "loading");
    load().then(function () {
      form.setAttribute("data-state", "searching");
      show(q);
      form.setAttribute("data-state", "done");
    }, function () {
      fail("The search index could not be loaded.");
    }).catch(function (e) {
      fail("The search failed: " + e);
    });
  }
  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, ix ? 60 : 0);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { input.value = ""; out.hidden = true; }
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); run(); });
  form.setAttribute("data-state", "ready");
  // Typed before this script ran (a slow page): answer it now.
  if (input.value.trim()) { run(); }
})();
