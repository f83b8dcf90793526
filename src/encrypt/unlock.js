// rapport: opens the pages of an encrypted site with its password, using
// only the browser's Web Crypto API. The construction is the one of
// src/encrypt/mod.rs: PBKDF2-HMAC-SHA256 of the password with the site's
// salt, HKDF-SHA256 to the content key and the check value, AES-256-GCM
// with the file's path as associated data, the plaintext padded to a size
// bucket (0x80 then zeros). A large data file comes in chunks, each sealed
// on its own with the path, its index and whether it is the last as
// associated data: a chunk moved, left out or cut off does not open.
//
// The key is kept in nothing but this page's memory (a non-extractable
// CryptoKey in this closure): no storage of any kind. Moving to another
// page of the site does not load it: its locked file is loaded in a hidden
// frame, which hands its ciphertext over, and this page decrypts it and
// puts it in place of the current one, with a <base> of the page's own
// address (the address bar follows with history.pushState where the
// browser allows it: over HTTP(S), not from disk). Closing or reloading
// the tab forgets the key; "Lock" forgets it in every tab of the site (a
// BroadcastChannel message).
//
// A page opens only at its own address: the associated data is the path
// of the address it was loaded from, relative to the folder of this
// script, never a value the page states.
(function () {
  "use strict";
  var html = document.documentElement;
  var site = {
    salt: html.getAttribute("data-rapport-salt") || "",
    check: html.getAttribute("data-rapport-check") || "",
    iterations: parseInt(html.getAttribute("data-rapport-iterations"), 10),
    // The site's data files, written in by the build.
    data: /*rapport-data*/[]
  };
  var sealedNode = document.getElementById("rapport-ciphertext");
  var sealed = sealedNode ? sealedNode.textContent.trim() : "";

  // Loaded in a frame by an opened page of the site: hand the ciphertext
  // (public anyway) to it, show nothing, ask for nothing.
  if (window.parent !== window) {
    window.parent.postMessage({ rapport: "page", salt: site.salt, sealed: sealed }, "*");
    return;
  }

  // The site's folder: where this script was loaded from.
  var script = document.currentScript;
  var siteBase = new URL(".", script ? script.src : location.href).href;
  var WRONG = "That password does not open this site.";
  var DAMAGED = "This page is damaged, or it is not the page of this address: it was not opened. " +
    "The password is right: the site's other pages still open.";
  var CALENDAR = "An encrypted site's calendar cannot be subscribed to by its address: " +
    "download it here and import it into your calendar (import it again to update it).";
  var encoder = new TextEncoder();
  var form = document.getElementById("rapport-form");
  var input = document.getElementById("rapport-password");
  var status = document.getElementById("rapport-status");
  var error = document.getElementById("rapport-error");
  var SECOND = 1000;
  var contentKey = null;
  var current = location.href;
  var pending = {};
  var channel = null;
  try { channel = new BroadcastChannel("rapport-lock " + site.salt); } catch (e) { /* no other tab told */ }

  function fromB64(s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function toB64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s);
  }

  // The content key (non-extractable, decrypt only) and the check value.
  async function derive(password) {
    var subtle = crypto.subtle;
    var base = await subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
    var master = await subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: fromB64(site.salt), iterations: site.iterations }, base, 256);
    var hkdf = await subtle.importKey("raw", master, "HKDF", false, ["deriveBits", "deriveKey"]);
    var key = await subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("rapport v1 content key") },
      hkdf, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    var check = await subtle.deriveBits(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("rapport v1 key check") }, hkdf, 128);
    return { key: key, check: toB64(new Uint8Array(check)) };
  }

  // The plaintext of a sealed file at `path`, padding removed.
  async function decrypt(key, b64, path) {
    var all = fromB64(b64);
    var plain = new Uint8Array(await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: all.subarray(0, 12), additionalData: encoder.encode(path) }, key, all.subarray(12)));
    var end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) { end--; }
    if (end < 0 || plain[end] !== 0x80) { throw new Error("bad padding"); }
    return plain.subarray(0, end);
  }

  // The associated data of chunk `index` of the file at `path`: the path,
  // a zero byte, the index (4 bytes, big-endian), 1 for the last chunk.
  function chunkData(path, index, last) {
    var name = encoder.encode(path);
    var out = new Uint8Array(name.length + 6);
    out.set(name);
    new DataView(out.buffer).setUint32(name.length + 1, index);
    out[name.length + 5] = last ? 1 : 0;
    return out;
  }

  // The plaintext of a large file sealed in chunks (a list of base64),
  // padding removed; refused when a chunk does not open in its place.
  async function decryptChunks(key, list, path) {
    if (list.length === 0) { throw new Error("no chunks"); }
    var parts = [];
    var total = 0;
    for (var i = 0; i < list.length; i++) {
      var all = fromB64(list[i]);
      var part = new Uint8Array(await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: all.subarray(0, 12), additionalData: chunkData(path, i, i === list.length - 1) },
        key, all.subarray(12)));
      parts.push(part);
      total += part.length;
    }
    var plain = new Uint8Array(total);
    var at = 0;
    parts.forEach(function (part) { plain.set(part, at); at += part.length; });
    var end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) { end--; }
    if (end < 0 || plain[end] !== 0x80) { throw new Error("bad padding"); }
    return plain.subarray(0, end);
  }

  // A page's text, or null when it does not open at `path`.
  async function openPage(b64, path) {
    try {
      return new TextDecoder().decode(await decrypt(contentKey, b64, path));
    } catch (e) {
      return null;
    }
  }

  // The site path of a link or address, if it is inside the site.
  function sitePath(href) {
    var url = new URL(href, document.baseURI);
    url.hash = "";
    url.search = "";
    if (url.href.indexOf(siteBase) !== 0) { return null; }
    var path = decodeURIComponent(url.href.slice(siteBase.length));
    if (path === "" || path.slice(-1) === "/") { path += "index.html"; }
    return path;
  }

  function mime(path) {
    if (/\.json$/.test(path)) { return "application/json"; }
    if (/\.csv$/.test(path)) { return "text/csv"; }
    if (/\.ics$/.test(path)) { return "text/calendar"; }
    if (/\.js$/.test(path)) { return "text/javascript"; }
    return "application/octet-stream";
  }

  // Data files come as scripts (allowed from disk, unlike fetch) that call
  // rapportData with their ciphertext.
  function loadData(path) {
    return new Promise(function (resolve, reject) {
      pending[path] = { resolve: resolve, reject: reject };
      var s = document.createElement("script");
      s.src = siteBase + path + ".js";
      s.onload = function () { s.remove(); };
      s.onerror = function () { s.remove(); delete pending[path]; reject(new Error("cannot load " + path)); };
      document.head.appendChild(s);
    });
  }

  // The search box loads its index through the same path.
  window.rapportLoad = loadData;

  // `sealed`: the base64 of one ciphertext, or a list of chunks.
  window.rapportData = function (path, sealed) {
    var p = pending[path];
    if (!p || !contentKey) { return; }
    delete pending[path];
    var opened = Array.isArray(sealed) ? decryptChunks(contentKey, sealed, path) : decrypt(contentKey, sealed, path);
    opened.then(p.resolve, p.reject);
  };

  function download(path) {
    loadData(path).then(function (bytes) {
      var url = URL.createObjectURL(new Blob([bytes], { type: mime(path) }));
      var a = document.createElement("a");
      a.href = url;
      a.download = path.split("/").pop();
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60 * SECOND);
    }, function () {
      window.alert("The file " + path + " could not be opened.");
    });
  }

  // Scripts of the page that are encrypted data files (a search index):
  // decrypted, then run from a blob: address, in the page's order.
  async function runDataScripts() {
    var nodes = Array.prototype.slice.call(document.querySelectorAll("script[data-rapport-src]"));
    for (var i = 0; i < nodes.length; i++) {
      var path = sitePath(nodes[i].getAttribute("data-rapport-src"));
      if (path === null) { continue; }
      try {
        var bytes = await loadData(path);
        var url = URL.createObjectURL(new Blob([bytes], { type: "text/javascript" }));
        await new Promise(function (resolve) {
          var s = document.createElement("script");
          s.src = url;
          s.onload = s.onerror = function () { URL.revokeObjectURL(url); resolve(); };
          document.head.appendChild(s);
        });
      } catch (e) { /* the page reads without it */ }
    }
  }

  // The ciphertext of the locked file at `url`, from a hidden frame.
  function fetchSealed(url) {
    return new Promise(function (resolve, reject) {
      var frame = document.createElement("iframe");
      var timer = null;
      function done(value) {
        window.removeEventListener("message", onMessage);
        clearTimeout(timer);
        frame.remove();
        if (value) { resolve(value); } else { reject(new Error("no page at " + url)); }
      }
      function onMessage(ev) {
        if (ev.source === frame.contentWindow && ev.data && ev.data.rapport === "page") { done(ev.data); }
      }
      window.addEventListener("message", onMessage);
      frame.hidden = true;
      frame.tabIndex = -1;
      frame.setAttribute("aria-hidden", "true");
      frame.onload = function () { clearTimeout(timer); timer = setTimeout(function () { done(null); }, 2 * SECOND); };
      timer = setTimeout(function () { done(null); }, 20 * SECOND);
      frame.src = url;
      document.body.appendChild(frame);
    });
  }

  // Shows the page at `href` in place of this one; `push` adds it to the
  // tab's history. Anything that is not a page of this site is opened by
  // the browser itself.
  async function go(href, push) {
    var url = new URL(href, document.baseURI);
    var path = sitePath(url.href);
    var msg;
    try { msg = await fetchSealed(url.href); } catch (e) { msg = null; }
    if (!msg || msg.salt !== site.salt || !contentKey) {
      location.href = url.href;
      return;
    }
    var page = await openPage(msg.sealed, path);
    if (push) {
      try { history.pushState({ rapport: url.href }, "", url.href); } catch (e) { history.pushState({ rapport: url.href }, ""); }
    }
    current = url.href;
    await show(page === null ? damagedPage() : page);
    scrollTo(url.hash);
  }

  function scrollTo(hash) {
    var target = hash ? document.getElementById(decodeURIComponent(hash.slice(1))) : null;
    if (target) { target.scrollIntoView(); } else { window.scrollTo(0, 0); }
  }

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // What stands in for a page that does not open with the right key.
  function damagedPage() {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Damaged page — rapport</title>" +
      "<link rel=\"stylesheet\" href=\"" + escapeHtml(siteBase + "style.css") + "\"></head><body>" +
      "<main id=\"rapport-lock\" class=\"wrap\"><h1>Damaged page</h1>" +
      "<p id=\"rapport-error\" role=\"alert\">" + escapeHtml(DAMAGED) + "</p>" +
      "<p><a href=\"" + escapeHtml(siteBase + "index.html") + "\">Open the dashboard</a></p></main></body></html>";
  }

  function onClick(ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) { return; }
    var a = ev.target && ev.target.closest ? ev.target.closest("a[href]") : null;
    if (!a || (a.target && a.target !== "_self")) { return; }
    var url = new URL(a.href);
    var path = sitePath(url.href);
    if (path === null) { return; }
    if (site.data.indexOf(path) !== -1) {
      ev.preventDefault();
      download(path);
      return;
    }
    if (a.hasAttribute("download") || !/\.html$/.test(path)) { return; }
    ev.preventDefault();
    if (url.hash && sitePath(current) === path) {
      scrollTo(url.hash); // within the page
      return;
    }
    go(url.href, true);
  }

  function onPopState(ev) {
    var to = ev.state && ev.state.rapport;
    if (contentKey && typeof to === "string") { go(to, false); }
  }

  // Forgets the key here and shows the address's own locked page.
  function lockHere() {
    contentKey = null;
    location.reload();
  }

  if (channel) {
    channel.onmessage = function (ev) { if (ev.data === "lock" && contentKey) { lockHere(); } };
  }

  // A small bar on every opened page: the data files, and "Lock"; the
  // calendar's link says it cannot be subscribed to.
  function decorate() {
    var css = document.createElement("style");
    css.textContent = "#rapport-bar{position:fixed;right:.75rem;bottom:.75rem;z-index:10;display:flex;gap:.75rem;" +
      "align-items:center;padding:.4rem .75rem;border-radius:8px;font:13px/1.4 system-ui,sans-serif;" +
      "background:#1f2933;color:#f5f7fa;box-shadow:0 2px 8px rgba(0,0,0,.25)}" +
      "#rapport-bar a{color:inherit}@media print{#rapport-bar{display:none}}";
    document.head.appendChild(css);
    var bar = document.createElement("nav");
    bar.id = "rapport-bar";
    bar.setAttribute("aria-label", "Private site");
    site.data.forEach(function (path) {
      if (/\.js$/.test(path)) { return; } // a script of the pages, not a download
      var a = document.createElement("a");
      a.href = siteBase + path;
      a.className = "rapport-data";
      a.textContent = path.split("/").pop();
      bar.appendChild(a);
    });
    var lock = document.createElement("a");
    lock.href = "#";
    lock.id = "rapport-lock-link";
    lock.textContent = "Lock";
    lock.addEventListener("click", function (ev) {
      ev.preventDefault();
      if (channel) { channel.postMessage("lock"); }
      lockHere();
    });
    bar.appendChild(lock);
    document.body.appendChild(bar);
    Array.prototype.forEach.call(document.querySelectorAll("main a[href]"), function (a) {
      if (sitePath(a.href) !== "data/calendar.ics") { return; }
      var note = document.createElement("span");
      note.className = "rapport-calendar-note";
      note.textContent = " " + CALENDAR;
      a.parentNode.insertBefore(note, a.nextSibling);
    });
    // Writing a page erases the listeners of the document and the window:
    // added again (the same functions, so never twice).
    document.addEventListener("click", onClick);
    window.addEventListener("popstate", onPopState);
  }

  // Resolves once the locked page has finished loading: writing over a
  // page still being parsed would add to it rather than replace it.
  function loaded() {
    return new Promise(function (resolve) {
      function later() { setTimeout(resolve, 0); }
      if (document.readyState === "complete") { later(); } else { window.addEventListener("load", later, { once: true }); }
    });
  }

  // The page with a <base> of its own address, so that its relative links,
  // stylesheet and scripts are those of its folder (and the locked page's
  // empty icon, so that no favicon is asked for once the address changed).
  function withBase(page) {
    var base = "<base href=\"" + escapeHtml(current) + "\"><link rel=\"icon\" href=\"data:,\">";
    var head = /<head(\s[^>]*)?>/i.exec(page);
    if (!head) { return base + page; }
    var at = head.index + head[0].length;
    return page.slice(0, at) + base + page.slice(at);
  }

  async function show(page) {
    await loaded();
    document.open();
    document.write(withBase(page));
    document.close();
    decorate();
    await runDataScripts();
  }

  function fail(message) {
    status.textContent = "";
    error.textContent = message;
    error.hidden = false;
  }

  function start() {
    if (!window.crypto || !crypto.subtle) {
      fail("This browser cannot decrypt the page here: open the site from disk or over HTTPS.");
      return;
    }
    var path = sitePath(location.href);
    form.hidden = false;
    input.focus();
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      error.hidden = true;
      status.textContent = "Opening…";
      derive(input.value).then(function (keys) {
        if (keys.check !== site.check) {
          fail(WRONG);
          input.value = "";
          button.disabled = false;
          input.focus();
          return;
        }
        input.value = "";
        contentKey = keys.key;
        return openPage(sealed, path).then(function (page) {
          if (page === null) {
            form.hidden = true;
            fail(DAMAGED);
            var p = document.createElement("p");
            var a = document.createElement("a");
            a.href = siteBase + "index.html";
            a.textContent = "Open the dashboard";
            p.appendChild(a);
            error.parentNode.insertBefore(p, error.nextSibling);
            document.addEventListener("click", onClick);
            window.addEventListener("popstate", onPopState);
            return;
          }
          return show(page).then(function () { history.replaceState({ rapport: current }, ""); });
        });
      }).catch(function () {
        button.disabled = false;
        fail(WRONG);
      });
    });
  }

  start();
})();
