// An area's series: one line per measure (each with its own dash pattern, not only a colour),
// with dashed rules at the dates policies took effect there.
(function () {
  "use strict";
  var el = document.getElementById("series");
  if (!el) { return; }
  var measures = el.dataset.measures.split(",");
  var labels = el.dataset.labels.split("|");

  function get(url) {
    return fetch(url).then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }

  Promise.all([get(el.dataset.series), get(el.dataset.timeline)]).then(function (answers) {
    var rows = answers[0].rows;
    var first = rows.length ? rows[0].month : null;
    var last = rows.length ? rows[rows.length - 1].month : null;
    var values = [];
    rows.forEach(function (row) {
      measures.forEach(function (m, i) {
        values.push({ month: row.month, measure: labels[i], value: row[m] });
      });
    });
    // one marker per date, naming every policy that took effect that day
    var byDate = {};
    answers[1].policies.forEach(function (p) {
      if (!first || p.effective_from < first || p.effective_from > last) { return; }
      var name = p.kind.replace(/_/g, " ").replace("287g", "287(g)");
      var marker = byDate[p.effective_from] || (byDate[p.effective_from] = { date: p.effective_from, names: [], places: [] });
      if (marker.names.indexOf(name) < 0) { marker.names.push(name); }
      if (marker.places.indexOf(p.jurisdiction_name) < 0) { marker.places.push(p.jurisdiction_name); }
    });
    var policies = Object.keys(byDate).sort().map(function (key, i) {
      var m = byDate[key];
      return { date: m.date, policy: m.names.join("; "), where: m.places.join("; "), label: String.fromCharCode(65 + (i % 26)) };
    });
    var layers = [{
      data: { values: values },
      mark: { type: "line", point: { size: 18 }, strokeWidth: 2 },
      encoding: {
        x: { field: "month", type: "temporal", title: null, axis: { format: "%b %Y", labelOverlap: true } },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "measure", type: "nominal", title: null, sort: labels, scale: { range: ["#1f4e79", "#b35900", "#3b7d3b", "#6a3d9a"] }, legend: { orient: "top", labelLimit: 320 } },
        strokeDash: { field: "measure", type: "nominal", sort: labels, legend: null },
        tooltip: [
          { field: "measure", type: "nominal", title: "Measure" },
          { field: "month", type: "temporal", format: "%B %Y", title: "Month" },
          { field: "value", type: "quantitative", format: ",.2~f", title: "Figure" }
        ]
      }
    }];
    if (policies.length) {
      // a letter on each rule, matched by the tooltip and the list below the chart
      layers.push({
        data: { values: policies },
        mark: { type: "text", dy: -6, dx: 4, align: "left", baseline: "bottom", fontWeight: "bold", fontSize: 11, color: "#222222" },
        encoding: { x: { field: "date", type: "temporal" }, y: { value: 0 }, text: { field: "label" },
          tooltip: [{ field: "policy", type: "nominal", title: "Policy took effect" }, { field: "where", type: "nominal", title: "Jurisdiction" }] }
      });
      layers.push({
        data: { values: policies },
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
      });
    }
    var spec = {
      width: "container", height: 300,
      autosize: { type: "fit", contains: "padding" },
      layer: layers,
      config: { view: { stroke: null }, font: "system-ui, sans-serif" }
    };
    return vegaEmbed(el, spec, { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function () {
        el.setAttribute("data-drawn", "true");
        el.setAttribute("data-policy-markers", String(policies.length));
        var key = document.getElementById("markers");
        if (key) {
          policies.forEach(function (p) {
            var item = document.createElement("li");
            item.textContent = p.label + " — " + p.date + ": " + p.policy + " (" + p.where + ")";
            key.appendChild(item);
          });
        }
      });
  }).catch(function (error) {
    el.textContent = "The chart could not be drawn (" + error + "). The figures are in the table below.";
  });
})();
