// Policy-date markers shared by the charts of the area and comparison pages: one dashed rule
// per date, lettered A, B, C…, with a tooltip naming every policy that took effect that day and
// a list under the chart saying the same in words (a rule alone says nothing without a hover).
(function () {
  "use strict";

  function kindName(kind) { return kind.replace(/_/g, " ").replace("287g", "287(g)"); }

  // entries: [{date, kind, where}]; only dates between first and last (YYYY-MM…) are kept
  function group(entries, first, last) {
    var byDate = {};
    entries.forEach(function (p) {
      if (!first || p.date < first || p.date.slice(0, 7) > last.slice(0, 7)) { return; }
      var marker = byDate[p.date] || (byDate[p.date] = { date: p.date, names: [], places: [] });
      var name = kindName(p.kind);
      if (marker.names.indexOf(name) < 0) { marker.names.push(name); }
      if (marker.places.indexOf(p.where) < 0) { marker.places.push(p.where); }
    });
    return Object.keys(byDate).sort().map(function (key, i) {
      var m = byDate[key];
      return { date: m.date, policy: m.names.join("; "), where: m.places.join("; "), label: String.fromCharCode(65 + (i % 26)) };
    });
  }

  // the Vega-Lite layers: letters at the top of the rules, then the rules
  function layers(markers) {
    if (!markers.length) { return []; }
    return [{
      data: { values: markers },
      mark: { type: "text", dy: -6, dx: 4, align: "left", baseline: "bottom", fontWeight: "bold", fontSize: 11, color: "#222222" },
      encoding: { x: { field: "date", type: "temporal" }, y: { value: 0 }, text: { field: "label" },
        tooltip: [{ field: "policy", type: "nominal", title: "Policy took effect" }, { field: "where", type: "nominal", title: "Jurisdiction" }] }
    }, {
      name: "policy_rules",
      data: { values: markers },
      mark: { type: "rule", strokeDash: [5, 3], color: "#444444", strokeWidth: 1.5 },
      encoding: {
        x: { field: "date", type: "temporal" },
        tooltip: [
          { field: "label", type: "nominal", title: "Marker" },
          { field: "policy", type: "nominal", title: "Policy took effect" },
          { field: "where", type: "nominal", title: "Jurisdiction" },
          { field: "date", type: "temporal", format: "%d %B %Y", title: "Date" }
        ]
      }
    }];
  }

  // the words under the chart, and the count the browser tests read
  function list(chart, key, markers) {
    chart.setAttribute("data-policy-markers", String(markers.length));
    if (!key) { return; }
    key.innerHTML = "";
    markers.forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = p.label + " — " + p.date + ": " + p.policy + " (" + p.where + ")";
      key.appendChild(item);
    });
  }

  // The legend of a chart's series (every chart page loads this file first): above the chart,
  // in a row on a wide screen, stacked on a narrow one so that no entry runs past the edge.
  // Channels that share a legend (colour and dash) must be given equal objects.
  function legend(chart) {
    var narrow = chart.clientWidth < 560;
    return { orient: "top", direction: narrow ? "vertical" : "horizontal", labelLimit: Math.max(120, Math.min(320, chart.clientWidth - 40)) };
  }

  window.atlasMarkers = { group: group, layers: layers, list: list, legend: legend };
})();
