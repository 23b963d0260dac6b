// Behaviour that used to be inline <script> and onclick=: the content security policy (script-src 'self')
// allows only static files. Loaded with `defer` from base.html.
(function () {
  "use strict";

  // WCAG 3.3.1: the error summary at the top of a form takes focus when the page shows it.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // <button data-print> prints the page (the S2 letter).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // issue 15, item 1 (WCAG 2.2 1.4.10 reflow): every table in the page can become stacked rows on a narrow
  // screen (static/css/app.css, `table.reflow`). Each cell is labelled with its column's heading, and the
  // table keeps its meaning for screen readers once CSS stops displaying it as a table (explicit roles).
  // A table inside [data-reflow="scroll"] scrolls inside its own box instead, which takes keyboard focus.
  var PHONE = window.matchMedia("(max-width: 575.98px)");

  function headingText(cell) {
    var copy = cell.cloneNode(true);
    copy.querySelectorAll(".visually-hidden").forEach(function (hidden) { hidden.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function reflowTable(table) {
    if (table.classList.contains("reflow")) return;
    var box = table.closest("[data-reflow='scroll']");
    if (box) {
      box.classList.add("table-scroll");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        var caption = table.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      }
      return;
    }
    var head = table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    var labels = [], priorities = [];
    if (head) {
      Array.prototype.forEach.call(head.cells, function (cell) {
        var text = headingText(cell);
        for (var i = 0; i < (cell.colSpan || 1); i++) { labels.push(text); priorities.push(cell.getAttribute("data-priority")); }
      });
    }
    table.classList.add("reflow");
    if (head && head.querySelector("a")) table.classList.add("reflow-sortable");
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot"), function (group) {
      group.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      if (row.parentElement && row.parentElement.tagName === "TFOOT" && !row.textContent.trim()) {
        row.hidden = true;  // a footer with nothing in it (no totals) is no row at all
        return;
      }
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        var inHead = row.parentElement && row.parentElement.tagName === "THEAD";
        if (inHead) cell.setAttribute("role", "columnheader");
        else if (cell.tagName === "TH") cell.setAttribute("role", "rowheader");
        else cell.setAttribute("role", "cell");
        if (!inHead && labels[column] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", labels[column]);
        // issue 15, item 1: a heading's data-priority (first on a phone) reaches its column's cells.
        if (!inHead && priorities[column] && !cell.hasAttribute("data-priority")) cell.setAttribute("data-priority", priorities[column]);
        column += cell.colSpan || 1;
      });
    });
  }

  // issue 15, item 1: on a phone the caseload's filters fold away under a <details> (open when a filter is set).
  function foldFilters(root) {
    if (!PHONE.matches) return;
    root.querySelectorAll("form.filters").forEach(function (form) {
      if (form.closest("details")) return;
      var set = Array.prototype.some.call(form.elements, function (el) {
        return el.name && el.name !== "sort" && el.type !== "hidden" && el.value;
      });
      var details = document.createElement("details");
      details.className = "filters-fold mb-2";
      if (set) details.open = true;
      var title = document.createElement("summary");
      title.textContent = set ? "Filters (some applied)" : "Filters";
      details.appendChild(title);
      form.parentNode.insertBefore(details, form);
      details.appendChild(form);
    });
  }

  function enhance(root) {
    root.querySelectorAll("table").forEach(reflowTable);
    foldFilters(root);
  }

  enhance(document);
  document.body.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
