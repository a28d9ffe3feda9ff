// Sortable tables: progressive enhancement. Without JavaScript the tables are complete and readable.
// Headers become buttons; the sorted column carries aria-sort so screen readers announce the order.
(function () {
  function key(cell) {
    var v = cell.getAttribute("data-sort");
    if (v === null) v = cell.textContent.trim();
    var n = Number(v);
    return v !== "" && !isNaN(n) ? n : v.toLowerCase();
  }
  function sortBy(table, col, th) {
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      if (x === y) return 0;
      if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
      return (x < y ? -1 : 1) * (asc ? 1 : -1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function init() {
    document.querySelectorAll("table.tr-sortable").forEach(function (table) {
      if (table.dataset.sortReady) return;
      table.dataset.sortReady = "1";
      table.querySelectorAll("thead th").forEach(function (th, col) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = th.textContent;
        b.setAttribute("title", "Sort by " + th.textContent);
        th.textContent = "";
        th.appendChild(b);
        b.addEventListener("click", function () { sortBy(table, col, th); });
      });
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(init); else document.addEventListener("DOMContentLoaded", init);
})();

// Tables and charts wider than the screen scroll sideways: say so above them, and open time charts at
// their recent end (the right), where readers look first.
(function () {
  function update(box, hint) {
    hint.hidden = box.scrollWidth <= box.clientWidth + 1;
  }
  function init() {
    document.querySelectorAll(".tr-scroll, .tr-chartbox").forEach(function (box) {
      if (box.dataset.hintReady) return;
      box.dataset.hintReady = "1";
      var hint = document.createElement("p");
      hint.className = "tr-scroll-hint";
      hint.textContent = "Scroll sideways to see all of it →";
      box.parentNode.insertBefore(hint, box);
      update(box, hint);
      window.addEventListener("resize", function () { update(box, hint); });
      if (box.querySelector(".tr-chart--timeline")) box.scrollLeft = box.scrollWidth;
      var marks = box.querySelectorAll(".tr-chart--map a");
      if (marks.length && box.scrollWidth > box.clientWidth) {  // a map opens centred on its places with projects
        var left = Infinity, right = -Infinity, origin = box.getBoundingClientRect().left - box.scrollLeft;
        marks.forEach(function (a) {
          var r = a.getBoundingClientRect();
          left = Math.min(left, r.left - origin); right = Math.max(right, r.right - origin);
        });
        box.scrollLeft = Math.max(0, (left + right - box.clientWidth) / 2);
      }
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(init); else document.addEventListener("DOMContentLoaded", init);
})();

// The explorer (explore/): filters, facet counts, sorting, a shareable address and a CSV of the view, over
// one compact JSON file of every project. Text from the data is only ever set as textContent.
(function () {
  var PAGE = 250;
  function init() {
    var root = document.querySelector(".tr-explore");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    fetch(root.dataset.src).then(function (r) { return r.json(); }).then(function (data) { start(root, data); });
  }
  function start(root, data) {
    var base = root.dataset.base, L = data.lookups, col = {};
    data.columns.forEach(function (c, i) { col[c] = i; });
    var rows = data.rows, shown = PAGE;
    var table = document.querySelector(".md-content table.tr-sortable"), body = table.tBodies[0];
    var more = document.querySelector(".tr-explore-more"), count = root.querySelector(".tr-explore-count");
    var controls = {};
    root.querySelectorAll("[data-filter]").forEach(function (el) { controls[el.dataset.filter] = el; });
    var facets = {country: "country", region: "region", status: "status", segment: "segment", company: "company"};
    function values(row, facet) {
      var v = row[col[facet === "segment" ? "segments" : facet]];
      return Array.isArray(v) ? v : (v < 0 ? [] : [v]);
    }
    function state() {
      var s = {};
      Object.keys(controls).forEach(function (k) { if (controls[k].value !== "") s[k] = controls[k].value; });
      return s;
    }
    function keyOf(facet, value) { return L[facet][value][0]; }
    function indexOf(facet, key) {
      for (var i = 0; i < L[facet].length; i++) if (L[facet][i][0] === key) return i;
      return -1;
    }
    function matches(row, s, skip) {
      for (var f in facets) {
        if (f === skip || s[f] === undefined) continue;
        if (values(row, f).indexOf(indexOf(f, s[f])) < 0) return false;
      }
      var year = row[col.date] ? Number(row[col.date].slice(0, 4)) : null, usd = row[col.usd];
      if (s.from && (year === null || year < Number(s.from))) return false;
      if (s.to && (year === null || year > Number(s.to))) return false;
      if (s.min && (usd === null || usd < Number(s.min) * 1e6)) return false;
      if (s.max && (usd === null || usd > Number(s.max) * 1e6)) return false;
      return true;
    }
    function fillOptions(s) {  // each facet counts the projects that match every other filter
      Object.keys(facets).forEach(function (f) {
        var counts = L[f].map(function () { return 0; });
        rows.forEach(function (row) { if (matches(row, s, f)) values(row, f).forEach(function (v) { counts[v]++; }); });
        var select = controls[f], current = s[f] || "";
        var order = L[f].map(function (_, i) { return i; }).filter(function (i) { return counts[i] > 0 || keyOf(f, i) === current; });
        order.sort(function (a, b) { return L[f][a][1].localeCompare(L[f][b][1]); });
        while (select.options.length > 1) select.remove(1);
        order.forEach(function (i) {
          var o = document.createElement("option");
          o.value = keyOf(f, i);
          o.textContent = L[f][i][1] + " (" + counts[i] + ")";
          select.appendChild(o);
        });
        select.value = current;
      });
    }
    function cell(tr, text, cls, sort) {
      var td = document.createElement("td");
      if (cls) td.className = cls;
      if (sort !== undefined) td.setAttribute("data-sort", sort);
      if (text instanceof Node) td.appendChild(text); else td.textContent = text;
      tr.appendChild(td);
      return td;
    }
    function render(list) {
      body.textContent = "";
      list.slice(0, shown).forEach(function (row) {
        var tr = document.createElement("tr"), a = document.createElement("a");
        a.href = base + "projects/" + row[col.id] + "/";
        a.textContent = row[col.title];
        cell(tr, a, "tr-col-main");
        cell(tr, row[col.company] < 0 ? "not named" : L.company[row[col.company]][1]);
        var place = row[col.region] < 0 ? L.country[row[col.country]][1] : L.region[row[col.region]][1];
        cell(tr, place);
        cell(tr, row[col.date_text] || "—", "", row[col.date]);
        var money = cell(tr, row[col.amount_text], "tr-num tr-money", row[col.usd] === null ? -1 : row[col.usd]);
        if (row[col.usd_text]) {
          var usd = document.createElement("span");
          usd.className = "tr-usd";
          usd.textContent = row[col.usd_text];
          money.appendChild(document.createElement("br"));
          money.appendChild(usd);
        }
        var status = document.createElement("span");
        status.className = "tr-status";
        status.textContent = L.status[row[col.status]][1];
        cell(tr, status);
        cell(tr, row[col.segments].map(function (i) { return L.segment[i][1]; }).join(", "));
        body.appendChild(tr);
      });
      table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
      more.textContent = "";
      if (list.length > shown) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "md-button";
        b.textContent = "Show " + Math.min(PAGE, list.length - shown) + " more";
        b.addEventListener("click", function () { shown += PAGE; update(false); });
        more.appendChild(b);
      }
    }
    var current = [];
    function update(push) {
      var s = state();
      fillOptions(s);
      current = rows.filter(function (row) { return matches(row, s, null); });
      var sort = s.sort || "amount";
      current.sort(function (a, b) {
        if (sort === "name") return a[col.title].localeCompare(b[col.title]);
        if (sort === "date") return (b[col.date] || "").localeCompare(a[col.date] || "") || a[col.title].localeCompare(b[col.title]);
        var x = a[col.usd], y = b[col.usd];
        return (x === null) - (y === null) || (y || 0) - (x || 0) || a[col.title].localeCompare(b[col.title]);
      });
      var total = 0, nd = 0, approx = false;
      current.forEach(function (row) {
        if (row[col.usd] === null) nd++; else { total += row[col.usd]; approx = approx || row[col.approximate] === 1; }
      });
      var money = total >= 1e9 ? Number((total / 1e9).toPrecision(3)) + " billion" : Number((total / 1e6).toPrecision(3)) + " million";
      count.textContent = current.length + " of " + rows.length + " projects" +
        (current.length > nd ? "; " + (approx ? "≈ " : "") + "US$" + money + " where an amount is disclosed and converted" : "") +
        (nd ? "; " + nd + " with no converted amount (n/d, not counted as zero)" : "");
      render(current);
      if (push !== false) {
        var params = new URLSearchParams(s);
        if (s.sort === "amount") params.delete("sort");
        history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
      }
    }
    function csv() {
      var q = function (v) { v = v === null || v === undefined ? "" : String(v); if (/^[=+\-@]/.test(v)) v = "'" + v;
        return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
      var lines = [["id", "title", "lead_company", "country", "region", "status", "segments", "announced", "amount_as_stated", "usd"].join(",")];
      current.forEach(function (row) {
        lines.push([row[col.id], row[col.title], row[col.company] < 0 ? "" : L.company[row[col.company]][1],
          L.country[row[col.country]][0], row[col.region] < 0 ? "" : L.region[row[col.region]][0],
          L.status[row[col.status]][0], row[col.segments].map(function (i) { return L.segment[i][0]; }).join(";"),
          row[col.date], row[col.amount_text], row[col.usd]].map(q).join(","));
      });
      var blob = new Blob(["\ufeff" + lines.join("\n") + "\n"], {type: "text/csv;charset=utf-8"});
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "projects-view.csv";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    }
    var params = new URLSearchParams(location.search);
    Object.keys(controls).forEach(function (k) { if (params.has(k)) controls[k].value = params.get(k); });
    fillOptions(state());  // options exist before values from the address are applied to the selects
    Object.keys(controls).forEach(function (k) { if (params.has(k)) controls[k].value = params.get(k); });
    Object.keys(controls).forEach(function (k) {
      controls[k].addEventListener(controls[k].tagName === "SELECT" ? "change" : "input", function () { shown = PAGE; update(); });
    });
    root.querySelector('[data-action="reset"]').addEventListener("click", function () {
      Object.keys(controls).forEach(function (k) { controls[k].value = k === "sort" ? "amount" : ""; });
      shown = PAGE;
      update();
    });
    root.querySelector('[data-action="csv"]').addEventListener("click", csv);
    root.hidden = false;
    update(false);
    root.dataset.interactiveMs = Math.round(performance.now());  // read by the bench (tests/bench.py)
    root.dataset.interactive = "1";
  }
  if (typeof document$ !== "undefined") document$.subscribe(init); else document.addEventListener("DOMContentLoaded", init);
})();

// Search: a button in the header opens a dialog with Pagefind's search UI (tracker/search.py builds the
// index). The UI and its index load on first use only. Shortcuts: "/" or "s" anywhere outside a text field.
(function () {
  var dialog, loaded;
  function base() {
    var config = document.getElementById("__config");
    var root = config ? JSON.parse(config.textContent).base : ".";
    return new URL((root || ".").replace(/\/$/, "") + "/pagefind/", location.href).href;  // absolute: Pagefind
    // resolves a relative bundle path against its own script's address
  }
  function load(where) {
    if (loaded) return;
    loaded = true;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base() + "pagefind-ui.css";
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = base() + "pagefind-ui.js";
    js.onload = function () {
      // A large site is indexed in several bundles (tracker/search.py): the UI searches them as one.
      fetch(base() + "bundles.json").then(function (r) { return r.ok ? r.json() : { merge: [] }; })
        .catch(function () { return { merge: [] }; }).then(function (bundles) {
          new PagefindUI({ element: where, bundlePath: base(), showSubResults: true, showImages: false, autofocus: true,
            resetStyles: false, excerptLength: 24, translations: { placeholder: "Search projects, companies, places" },
            mergeIndex: bundles.merge.map(function (b) { return { bundlePath: new URL("../" + b + "/", base()).href }; }) });
          var input = where.querySelector("input");
          if (input) { input.setAttribute("aria-label", "Search the tracker"); input.focus(); }
        });
    };
    js.onerror = function () {
      where.textContent = "Search is not available here: its index is built by `python build.py build`, not by the preview.";
    };
    document.head.appendChild(js);
  }
  function open() {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "tr-search-dialog";
      dialog.setAttribute("aria-label", "Search the tracker");
      var close = document.createElement("button");
      close.type = "button";
      close.className = "tr-search-close";
      close.textContent = "Close";
      close.addEventListener("click", function () { dialog.close(); });
      var where = document.createElement("div");
      where.className = "tr-search";
      dialog.appendChild(close);
      dialog.appendChild(where);
      dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });
      document.body.appendChild(dialog);
      load(where);
    }
    dialog.showModal();
    var input = dialog.querySelector("input");
    if (input) input.focus();
  }
  function init() {
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".tr-search-button")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button tr-search-button";
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-keyshortcuts", "/ s");
    button.title = "Search (press /)";
    var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.516 6.516 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5Z");
    icon.appendChild(path);
    var label = document.createElement("span");
    label.className = "tr-search-label";
    label.textContent = "Search";
    button.appendChild(icon);
    button.appendChild(label);
    button.addEventListener("click", open);
    header.appendChild(button);
    document.addEventListener("keydown", function (e) {
      var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && (e.key === "/" || e.key === "s")) {
        e.preventDefault();
        open();
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
