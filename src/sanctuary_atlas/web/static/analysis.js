// Charts of the comparison and estimates pages, drawn from the same API the page links to.
(function () {
  "use strict";
  var OPTIONS = { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } };
  var BASE = { width: "container", height: 300, autosize: { type: "fit", contains: "padding" }, config: { view: { stroke: null }, font: "system-ui, sans-serif" } };

  function draw(el, layers) {
    return vegaEmbed(el, Object.assign({ layer: layers }, BASE), OPTIONS).then(function () {
      el.setAttribute("data-drawn", "true");
    });
  }

  function load(el, build) {
    fetch(el.dataset.api).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (answer) { return draw(el, build(answer)); }).catch(function (error) {
      el.textContent = "The chart could not be drawn (" + error + ").";
    });
  }

  var compare = document.getElementById("compare");
  if (compare) {
    load(compare, function (answer) {
      var layers = [{
        data: { values: answer.series },
        mark: { type: "line", point: { size: 16 }, strokeWidth: 2 },
        encoding: {
          x: { field: "month", type: "temporal", title: null, axis: { format: "%b %Y" } },
          y: { field: "per_100k", type: "quantitative", title: "per 100,000 residents" },
          color: { field: "group", type: "nominal", title: null, scale: { range: ["#1f4e79", "#b35900"] }, legend: { orient: "top" } },
          strokeDash: { field: "group", type: "nominal", legend: null },
          tooltip: [{ field: "group" }, { field: "month", type: "temporal", format: "%B %Y" }, { field: "per_100k", type: "quantitative", format: ".2f" }, { field: "suppressed_members", title: "members suppressed" }]
        }
      }];
      return layers;
    });
  }

  var study = document.getElementById("event-study");
  if (study) {
    load(study, function (answer) {
      var rows = [];
      answer.results.forEach(function (r) {
        (r.event_study || []).forEach(function (e) {
          rows.push({ estimator: r.estimator, period: e.relative_period, estimate: e.estimate, low: e.ci_low, high: e.ci_high });
        });
      });
      var x = { field: "period", type: "quantitative", title: "months from adoption" };
      var colour = { field: "estimator", type: "nominal", title: null, scale: { range: ["#1f4e79", "#b35900"] }, legend: { orient: "top" } };
      return [
        { data: { values: rows }, mark: { type: "area", opacity: 0.18 }, encoding: { x: x, y: { field: "low", type: "quantitative", title: "effect (events per unit-month)" }, y2: { field: "high" }, color: colour } },
        { data: { values: rows }, mark: { type: "line", point: { size: 14 } }, encoding: { x: x, y: { field: "estimate", type: "quantitative" }, color: colour, strokeDash: { field: "estimator", type: "nominal", legend: null },
          tooltip: [{ field: "estimator" }, { field: "period", title: "months from adoption" }, { field: "estimate", format: ".2f" }, { field: "low", format: ".2f", title: "95% low" }, { field: "high", format: ".2f", title: "95% high" }] } },
        { data: { values: [{ zero: 0, start: -0.5 }] }, mark: { type: "rule", color: "#444444" }, encoding: { y: { field: "zero", type: "quantitative" } } },
        { data: { values: [{ start: -0.5 }] }, mark: { type: "rule", strokeDash: [5, 3], color: "#444444" }, encoding: { x: { field: "start", type: "quantitative" } } }
      ];
    });
  }
})();
