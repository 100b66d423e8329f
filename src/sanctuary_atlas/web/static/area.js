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
    var policies = window.atlasMarkers.group(answers[1].policies.map(function (p) {
      return { date: p.effective_from, kind: p.kind, where: p.jurisdiction_name };
    }), first, last);
    var layers = [{
      data: { values: values },
      mark: { type: "line", point: { size: 18 }, strokeWidth: 2 },
      encoding: {
        // ticks every six months from January: an unaligned first tick ("Oct 2015") crowded the next
        x: { field: "month", type: "temporal", title: null, axis: { format: "%b %Y", tickCount: { interval: "month", step: 6 }, labelOverlap: true } },
        y: { field: "value", type: "quantitative", title: null },
        // colour and dash share one legend (a reader without colour tells the lines apart);
        // on a narrow screen its entries stack instead of running past the edge
        // (the order is the scales' domain: a "sort" array keeps Vega-Lite from merging them)
        color: { field: "measure", type: "nominal", title: null, scale: { domain: labels, range: ["#1f4e79", "#b35900", "#3b7d3b", "#6a3d9a"] }, legend: window.atlasMarkers.legend(el) },
        strokeDash: { field: "measure", type: "nominal", title: null, scale: { domain: labels }, legend: window.atlasMarkers.legend(el) },
        tooltip: [
          { field: "measure", type: "nominal", title: "Measure" },
          { field: "month", type: "temporal", format: "%B %Y", title: "Month" },
          { field: "value", type: "quantitative", format: ",.2~f", title: "Figure" }
        ]
      }
    }];
    // the first measure's upper bound, where the page has one: a band from the placed count up
    // to it (events placed in no smaller area could lie here too)
    var bounded = el.dataset.bounds;
    if (bounded) {
      var band = rows.filter(function (row) {
        return row[bounded] !== null && row[bounded + "_upper"] !== null;
      }).map(function (row) {
        return { month: row.month, value: row[bounded], upper: row[bounded + "_upper"] };
      });
      layers.unshift({
        data: { values: band },
        mark: { type: "area", opacity: 0.18, color: "#1f4e79" },
        encoding: {
          x: { field: "month", type: "temporal" },
          y: { field: "value", type: "quantitative" },
          y2: { field: "upper" },
          tooltip: [
            { field: "month", type: "temporal", format: "%B %Y", title: "Month" },
            { field: "value", type: "quantitative", format: ",.2~f", title: "At least" },
            { field: "upper", type: "quantitative", format: ",.2~f", title: "Up to" }
          ]
        }
      });
    }
    layers = layers.concat(window.atlasMarkers.layers(policies));
    var spec = {
      width: "container", height: 300,
      autosize: { type: "fit", contains: "padding" },
      layer: layers,
      config: { view: { stroke: null }, font: "system-ui, sans-serif" }
    };
    return vegaEmbed(el, spec, { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function () {
        el.setAttribute("data-drawn", "true");
        window.atlasMarkers.list(el, document.getElementById("markers"), policies);
      });
  }).catch(function (error) {
    el.textContent = "The chart could not be drawn (" + error + "). The figures are in the table below.";
  });
})();
