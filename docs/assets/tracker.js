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

// The theme's drawer and search toggles are checkboxes; overrides/base.html drops their autocomplete="off"
// (invalid on checkboxes), so a browser that restores form state on reload could reopen them: close them.
(function () {
  ["__drawer", "__search"].forEach(function (id) {
    var toggle = document.getElementById(id);
    if (toggle && toggle.checked) toggle.click();
  });
})();
