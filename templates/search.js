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

  // The index's text lower-cased once, where each partner's texts start
  // (its name's mark), and a query is then one indexOf over the whole book.
  var MARK = "\u0001";
  var NAME = "\u0001\u0010";
  function prepare(data) {
    var lower = data.text.toLowerCase();
    var starts = [];
    var at = lower.indexOf(NAME);
    while (at !== -1) { starts.push(at); at = lower.indexOf(NAME, at + 2); }
    ix = { data: data, hay: lower, same: lower.length === data.text.length, partners: Int32Array.from(starts) };
    return ix;
  }

  // The partner whose texts hold position `pos`.
  function partnerAt(pos) {
    var p = ix.partners, lo = 0, hi = p.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (p[mid] <= pos) { lo = mid; } else { hi = mid - 1; }
    }
    return lo;
  }

  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { return null; }
    words.sort(function (a, b) { return b.length - a.length; });
    var first = words[0];
    var hay = ix.hay;
    var hits = [];
    var partners = {};
    var total = 0;
    var pos = hay.indexOf(first);
    while (pos !== -1) {
      var start = hay.lastIndexOf(MARK, pos);
      var end = hay.indexOf(MARK, pos);
      if (end === -1) { end = hay.length; }
      var all = true;
      if (words.length > 1) {
        var lower = hay.slice(start + 2, end);
        for (var w = 1; w < words.length; w++) {
          if (lower.indexOf(words[w]) === -1) { all = false; break; }
        }
      }
      if (all) {
        total++;
        var p = partnerAt(pos);
        partners[p] = true;
        if (hits.length < 2000) {
          hits.push({ partner: p, kind: hay.charCodeAt(start + 1) - 16, start: start + 2, end: end, at: pos, len: first.length });
        }
      }
      pos = hay.indexOf(first, end);
    }
    // A partner's name or firm first, then in the order of the book.
    hits.sort(function (a, b) {
      return (a.kind <= 1 ? 0 : 1) - (b.kind <= 1 ? 0 : 1) || a.at - b.at;
    });
    return { hits: hits, total: total, partners: Object.keys(partners).length };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // The words around a hit, from the text as written (or lower-cased,
  // when lower-casing changed the length and so the positions).
  function snippet(hit) {
    var src = ix.same ? ix.data.text : ix.hay;
    var from = Math.max(hit.start, hit.at - AROUND);
    var to = Math.min(hit.end, hit.at + hit.len + AROUND);
    var p = el("p", "search-snippet");
    p.appendChild(document.createTextNode((from > hit.start ? "…" : "") + src.slice(from, hit.at)));
    p.appendChild(el("mark", null, src.slice(hit.at, hit.at + hit.len)));
    p.appendChild(document.createTextNode(src.slice(hit.at + hit.len, to) + (to < hit.end ? "…" : "")));
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
      var p = hit.partner;
      var li = el("li");
      var a = el("a", "search-partner", ix.data.names[p]);
      a.href = root + ix.data.pages[p];
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "search-kind", "in " + ix.data.kinds[hit.kind]));
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
