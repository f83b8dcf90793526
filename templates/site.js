// The site's only script, loaded by every page (the pages' security policy
// allows no inline script). Without it every page still reads in full.

// Sortable tables: a click on a heading sorts by that column, numbers
// largest first, text from A; a second click reverses. A cell sorts by its
// data-sort, or else by the text it starts with (a name, not the firm in
// small type under it; "4 of 6" as 4).
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var body = table.tBodies[0];
    var heads = table.tHead.rows[0].cells;
    function key(row, i, num) {
      var c = row.cells[i];
      var v = c.hasAttribute("data-sort") ? c.getAttribute("data-sort")
        : c.firstChild ? c.firstChild.textContent.trim() : "";
      return num ? parseFloat(v) || 0 : v.toLowerCase();
    }
    function sortBy(i) {
      var th = heads[i];
      var num = th.getAttribute("data-type") === "num";
      var now = th.getAttribute("aria-sort");
      var asc = now ? now !== "ascending" : !num;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, i, num), y = key(b, i, num);
        var d = num ? x - y : x.localeCompare(y);
        if (d === 0) { return key(a, 0, false).localeCompare(key(b, 0, false)); }
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      for (var j = 0; j < heads.length; j++) { heads[j].removeAttribute("aria-sort"); }
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    }
    Array.prototype.forEach.call(heads, function (th, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", function () { sortBy(i); });
    });
  });
})();

// The partner table's filters.
(function () {
  var table = document.getElementById("partners");
  var form = document.getElementById("filters");
  if (!table || !form) { return; }
  var body = table.tBodies[0];
  var stage = document.getElementById("f-stage");
  var prof = document.getElementById("f-prof");
  var oneway = document.getElementById("f-oneway");
  var overdue = document.getElementById("f-overdue");
  var text = document.getElementById("filter");
  var shown = document.getElementById("shown");
  // What a row is filtered on: its stage from the badge's class, its
  // profession from the column marked data-filter="prof", one-way and
  // overdue from the row's class. A table of a book's own template that
  // still carries data-stage, data-prof, data-oneway and data-overdue on
  // its rows is read from those.
  var profCol = -1;
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    if (th.getAttribute("data-filter") === "prof") { profCol = i; }
  });
  function stageOf(r) {
    if (r.hasAttribute("data-stage")) { return r.getAttribute("data-stage"); }
    var b = r.querySelector(".stage");
    var m = b && / stage-([a-z-]+)/.exec(" " + b.className);
    return m ? m[1] : "";
  }
  function profOf(r) {
    if (r.hasAttribute("data-prof")) { return r.getAttribute("data-prof"); }
    return profCol < 0 ? "" : r.cells[profCol].textContent.trim().toLowerCase();
  }
  function flag(r, name, old) {
    return r.hasAttribute(old) ? r.getAttribute(old) === "1" : r.classList.contains(name);
  }
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  function apply() {
    var q = text.value.trim().toLowerCase();
    var n = 0, any = q || stage.value || prof.value || oneway.checked || overdue.checked;
    Array.prototype.forEach.call(body.rows, function (r) {
      var hit = (!q || r.textContent.toLowerCase().indexOf(q) !== -1)
        && (!stage.value || stageOf(r) === stage.value)
        && (!prof.value || profOf(r) === prof.value)
        && (!oneway.checked || flag(r, "one-way", "data-oneway"))
        && (!overdue.checked || flag(r, "overdue", "data-overdue"));
      r.hidden = !hit;
      if (hit) { n++; }
    });
    shown.textContent = any ? n + " shown" : "";
  }
  [stage, prof, oneway, overdue].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  // A link can ask for a filter: #one-way, #overdue, #stage=ready-for-discovery.
  var h = decodeURIComponent(location.hash.slice(1));
  if (h === "one-way") { oneway.checked = true; }
  if (h === "overdue") { overdue.checked = true; }
  if (h.indexOf("stage=") === 0) { stage.value = h.slice(6); }
  apply();
})();

// Copy buttons: a button with data-copy="ID" copies the text of the field
// ID. Without the script the buttons stay hidden and the text can be
// selected and copied by hand.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (b) {
    var field = document.getElementById(b.getAttribute("data-copy"));
    if (!field) { return; }
    b.hidden = false;
    b.addEventListener("click", function () {
      var done = function () { b.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
      } else {
        field.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* selected: copy by hand */ }
      }
    });
  });
})();
