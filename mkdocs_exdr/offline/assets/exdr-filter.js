/* mkdocs-exdr: a filter by site and by role above long tables of servers (the backup matrix).
   A table opts in with data-exdr-filter; each row names its site and roles in data-site and
   data-roles; the table may give role titles (data-role-ids, data-role-titles: JSON lists),
   shown in place of the ids. Without JavaScript the whole table shows; on paper a filtered table
   says so above it ("Filtered: 3 of 14 servers (site London)"). */
(function () {
  function choices(rows, attribute, split) {
    var seen = {};
    for (var i = 0; i < rows.length; i++) {
      var value = rows[i].getAttribute(attribute) || "";
      var parts = split ? value.split(" ") : [value];
      for (var j = 0; j < parts.length; j++) if (parts[j]) seen[parts[j]] = true;
    }
    return Object.keys(seen).sort(function (a, b) { return a.localeCompare(b); });
  }
  function titles(table) {
    var found = {};
    try {
      var ids = JSON.parse(table.getAttribute("data-role-ids") || "[]");
      var names = JSON.parse(table.getAttribute("data-role-titles") || "[]");
      for (var i = 0; i < ids.length; i++) if (names[i]) found[ids[i]] = String(names[i]);
    } catch (error) {
      return {};
    }
    return found;
  }
  function select(label, all, values, names) {
    var wrap = document.createElement("label");
    wrap.textContent = label + " ";
    var box = document.createElement("select");
    var first = document.createElement("option");
    first.value = "";
    first.textContent = all;
    box.appendChild(first);
    for (var i = 0; i < values.length; i++) {
      var option = document.createElement("option");
      option.value = values[i];
      option.textContent = (names && names[values[i]]) || values[i];
      box.appendChild(option);
    }
    wrap.appendChild(box);
    return { label: wrap, box: box };
  }
  function setUp(table) {
    if (table.getAttribute("data-exdr-filter-ready")) return;
    table.setAttribute("data-exdr-filter-ready", "1");
    var rows = table.querySelectorAll("tbody tr");
    var site = select("Site", "all sites", choices(rows, "data-site", false));
    var role = select("Role", "all roles", choices(rows, "data-roles", true), titles(table));
    var count = document.createElement("span");
    var bar = document.createElement("div");
    bar.className = "exdr-filter exdr-screen-only";
    bar.appendChild(site.label);
    bar.appendChild(role.label);
    bar.appendChild(count);
    var note = document.createElement("p");
    note.className = "exdr-filter-note exdr-print-only";
    function apply() {
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        var roles = " " + (row.getAttribute("data-roles") || "") + " ";
        var show = (!site.box.value || row.getAttribute("data-site") === site.box.value) &&
          (!role.box.value || roles.indexOf(" " + role.box.value + " ") >= 0);
        row.hidden = !show;
        if (show) shown++;
      }
      count.textContent = shown + " of " + rows.length + " servers";
      var chosen = [];
      if (site.box.value) chosen.push("site " + site.box.value);
      if (role.box.value) chosen.push("role " + role.box.options[role.box.selectedIndex].text);
      note.hidden = !chosen.length;
      note.textContent = "Filtered: " + count.textContent + " (" + chosen.join(", ") + ")";
    }
    site.box.addEventListener("change", apply);
    role.box.addEventListener("change", apply);
    var anchor = table.closest(".exdr-matrix-scroll") || table;
    anchor.parentNode.insertBefore(bar, anchor);
    anchor.parentNode.insertBefore(note, anchor);
    apply();
  }
  function run() {
    var tables = document.querySelectorAll("table[data-exdr-filter]");
    for (var i = 0; i < tables.length; i++) setUp(tables[i]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
  /* Material's instant navigation swaps pages without a new load. */
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(run);
})();
