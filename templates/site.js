// The site's only script, loaded by every page (the pages' security policy
// allows no inline script). Without it every page still reads in full.

// Sortable tables: a click on a heading sorts by that column, numbers
// largest first, text from A; a second click reverses.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var body = table.tBodies[0];
    var heads = table.tHead.rows[0].cells;
    function key(row, i, num) {
      var c = row.cells[i];
      var v = c.hasAttribute("data-sort") ? c.getAttribute("data-sort") : c.textContent.trim();
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
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  function apply() {
    var q = text.value.trim().toLowerCase();
    var n = 0, any = q || stage.value || prof.value || oneway.checked || overdue.checked;
    Array.prototype.forEach.call(body.rows, function (r) {
      var hit = (!q || r.textContent.toLowerCase().indexOf(q) !== -1)
        && (!stage.value || r.getAttribute("data-stage") === stage.value)
        && (!prof.value || r.getAttribute("data-prof") === prof.value)
        && (!oneway.checked || r.getAttribute("data-oneway") === "1")
        && (!overdue.checked || r.getAttribute("data-overdue") === "1");
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
