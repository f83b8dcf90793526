// rapport: opens a page of an encrypted site with its password, using only
// the browser's Web Crypto API. The construction is the one of
// src/encrypt/mod.rs: PBKDF2-HMAC-SHA256 of the password with the site's
// salt, HKDF-SHA256 to the content key, AES-256-GCM with the file's path
// as associated data. The content key is kept in sessionStorage, with the
// salt it belongs to, so moving between pages asks once per tab.
(function () {
  "use strict";
  var root = document.documentElement;
  var site = {
    root: root.getAttribute("data-rapport-root") || "",
    path: root.getAttribute("data-rapport-path") || "",
    salt: root.getAttribute("data-rapport-salt") || "",
    iterations: parseInt(root.getAttribute("data-rapport-iterations"), 10),
    data: (root.getAttribute("data-rapport-data") || "").split(" ").filter(Boolean)
  };
  var STORE = "rapport-key";
  var WRONG = "That password does not open this site.";
  var encoder = new TextEncoder();
  var form = document.getElementById("rapport-form");
  var input = document.getElementById("rapport-password");
  var status = document.getElementById("rapport-status");
  var error = document.getElementById("rapport-error");
  var sealed = document.getElementById("rapport-ciphertext").textContent.trim();
  var contentKey = null;
  var pending = {};

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

  function storedKey() {
    try {
      var v = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (v && v.salt === site.salt && typeof v.key === "string") { return fromB64(v.key); }
    } catch (e) { /* no storage, or something else stored: ask */ }
    return null;
  }

  function remember(raw) {
    try { sessionStorage.setItem(STORE, JSON.stringify({ salt: site.salt, key: toB64(raw) })); } catch (e) { /* asked again on the next page */ }
  }

  function forget() {
    try { sessionStorage.removeItem(STORE); } catch (e) { /* nothing kept */ }
  }

  async function derive(password) {
    var subtle = crypto.subtle;
    var base = await subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
    var master = await subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: fromB64(site.salt), iterations: site.iterations }, base, 256);
    var hkdf = await subtle.importKey("raw", master, "HKDF", false, ["deriveBits"]);
    var raw = await subtle.deriveBits(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("rapport v1 content key") }, hkdf, 256);
    return new Uint8Array(raw);
  }

  async function decrypt(key, b64, path) {
    var all = fromB64(b64);
    var plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: all.subarray(0, 12), additionalData: encoder.encode(path) }, key, all.subarray(12));
    return new Uint8Array(plain);
  }

  // The page's text, or null when the key does not open it.
  async function tryKey(raw) {
    try {
      var key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
      var plain = await decrypt(key, sealed, site.path);
      contentKey = key;
      return new TextDecoder().decode(plain);
    } catch (e) {
      return null;
    }
  }

  function mime(path) {
    if (/\.json$/.test(path)) { return "application/json"; }
    if (/\.csv$/.test(path)) { return "text/csv"; }
    if (/\.ics$/.test(path)) { return "text/calendar"; }
    return "application/octet-stream";
  }

  // Data files come as scripts (allowed from disk, unlike fetch) that call
  // rapportData with their ciphertext.
  function loadData(path) {
    return new Promise(function (resolve, reject) {
      pending[path] = { resolve: resolve, reject: reject };
      var s = document.createElement("script");
      s.src = site.root + path + ".js";
      s.onload = function () { s.remove(); };
      s.onerror = function () { s.remove(); delete pending[path]; reject(new Error("cannot load " + path)); };
      document.head.appendChild(s);
    });
  }

  // The search box loads its index through the same path.
  window.rapportLoad = loadData;

  window.rapportData = function (path, b64) {
    var p = pending[path];
    if (!p || !contentKey) { return; }
    delete pending[path];
    decrypt(contentKey, b64, path).then(p.resolve, p.reject);
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
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    }, function () {
      window.alert("The file " + path + " could not be opened.");
    });
  }

  // The site path a link points at, if it is inside the site.
  function sitePath(href) {
    var base = new URL(site.root || "./", location.href).href;
    var url = new URL(href, location.href);
    url.hash = "";
    url.search = "";
    return url.href.indexOf(base) === 0 ? decodeURIComponent(url.href.slice(base.length)) : null;
  }

  function onClick(ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a[href]") : null;
    if (!a || a.hasAttribute("download")) { return; }
    var path = sitePath(a.getAttribute("href"));
    if (path !== null && site.data.indexOf(path) !== -1) {
      ev.preventDefault();
      download(path);
    }
  }

  // A small bar on every opened page: the data files, and "Lock".
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
      var a = document.createElement("a");
      a.href = site.root + path;
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
      forget();
      location.reload();
    });
    bar.appendChild(lock);
    document.body.appendChild(bar);
    document.addEventListener("click", onClick);
  }

  // Resolves once the locked page has finished loading: writing over a
  // page still being parsed would add to it rather than replace it.
  function loaded() {
    return new Promise(function (resolve) {
      function later() { setTimeout(resolve, 0); }
      if (document.readyState === "complete") { later(); } else { window.addEventListener("load", later, { once: true }); }
    });
  }

  async function show(page) {
    await loaded();
    document.open();
    document.write(page);
    document.close();
    decorate();
  }

  function fail(message) {
    status.textContent = "";
    error.textContent = message;
    error.hidden = false;
  }

  async function start() {
    if (!window.crypto || !crypto.subtle) {
      fail("This browser cannot decrypt the page here: open the site from disk or over HTTPS.");
      return;
    }
    var raw = storedKey();
    if (raw) {
      status.textContent = "Opening…";
      var page = await tryKey(raw);
      if (page !== null) { await show(page); return; }
      forget();
      status.textContent = "";
    }
    form.hidden = false;
    input.focus();
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      error.hidden = true;
      status.textContent = "Opening…";
      derive(input.value).then(function (raw) {
        return tryKey(raw).then(function (page) {
          if (page === null) {
            fail(WRONG);
            input.value = "";
            button.disabled = false;
            input.focus();
            return;
          }
          remember(raw);
          return show(page);
        });
      }).catch(function () {
        button.disabled = false;
        fail(WRONG);
      });
    });
  }

  start().catch(function () { fail(WRONG); });
})();
