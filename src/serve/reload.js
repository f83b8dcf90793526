(function (served) {
  // Live reload for `rapport serve`: ask the server for the state of the
  // builds, then wait for the next one. A good build reloads the page; a
  // failed one lists its problems over the page until a good one comes.
  var since = null;
  function overlay(status) {
    var old = document.getElementById("rapport-overlay");
    if (old) old.remove();
    if (status.ok) return;
    var box = document.createElement("div");
    box.id = "rapport-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,24,.97);color:#f4f4f5;padding:2rem;" +
      "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
    var h = document.createElement("h2");
    h.style.cssText = "margin:0 0 1rem;font:600 1.25rem system-ui,sans-serif;color:#fca5a5";
    var n = status.problems.filter(function (p) { return p.severity === "error"; }).length;
    h.textContent = "The last rebuild found " + n + " problem" + (n === 1 ? "" : "s") +
      "; the page shows the last good build until " + (n === 1 ? "it is" : "they are") + " fixed.";
    box.appendChild(h);
    var list = document.createElement("ul");
    list.style.cssText = "list-style:none;margin:0;padding:0";
    status.problems.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "rapport-problem";
      li.style.cssText = "margin:0 0 1rem;padding:.75rem 1rem;border-left:4px solid " +
        (p.severity === "error" ? "#ef4444" : "#f59e0b") + ";background:rgba(255,255,255,.06)";
      var where = document.createElement("div");
      where.className = "rapport-where";
      where.style.fontWeight = "bold";
      where.textContent = p.file + (p.place ? ":" + p.place.line + ":" + p.place.column : "");
      var what = document.createElement("div");
      what.className = "rapport-message";
      what.textContent = p.severity + ": " + p.message + (p.label ? " (" + p.label + ")" : "");
      li.appendChild(where);
      li.appendChild(what);
      if (p.snippet) {
        // The marked source line, as the terminal shows it: text, never HTML.
        var code = document.createElement("pre");
        code.className = "rapport-snippet";
        code.style.cssText = "margin:.5rem 0;padding:0;white-space:pre;overflow:auto;color:#e4e4e7;font:inherit";
        code.textContent = p.snippet;
        li.appendChild(code);
      }
      (p.help || []).forEach(function (text) {
        var help = document.createElement("div");
        help.style.color = "#a5b4fc";
        help.textContent = "help: " + text;
        li.appendChild(help);
      });
      list.appendChild(li);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }
  function handle(status) {
    if (status.ok && status.generation !== served) {
      location.reload();
      return;
    }
    overlay(status);
    since = status.generation;
    poll();
  }
  function poll() {
    var url = since === null ? "/__rapport/status" : "/__rapport/wait?since=" + since;
    fetch(url, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(handle)
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})
