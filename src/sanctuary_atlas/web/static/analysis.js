// Charts of the comparison and estimates pages, drawn from the same API the page links to.
(function () {
  "use strict";
  var OPTIONS = { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } };
  var BASE = { width: "container", height: 300, autosize: { type: "fit", contains: "padding" }, config: { view: { stroke: null }, font: "system-ui, sans-serif" } };

  function draw(el, layers, after) {
    return vegaEmbed(el, Object.assign({ layer: layers }, BASE), OPTIONS).then(function () {
      el.setAttribute("data-drawn", "true");
      if (after) { after(); }
    });
  }

  // build(answer) gives the layers, and optionally a function to run once they are drawn
  function load(el, build) {
    fetch(el.dataset.api).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (answer) {
      var built = build(answer);
      return Array.isArray(built) ? draw(el, built) : draw(el, built.layers, built.after);
    }).catch(function (error) {
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
          // colour and dash share one legend: the same properties, or Vega-Lite warns of a conflict
          color: { field: "group", type: "nominal", title: null, scale: { range: ["#1f4e79", "#b35900"] }, legend: window.atlasMarkers.legend(compare) },
          strokeDash: { field: "group", type: "nominal", title: null, legend: window.atlasMarkers.legend(compare) },
          tooltip: [{ field: "group" }, { field: "month", type: "temporal", format: "%B %Y" }, { field: "per_100k", type: "quantitative", format: ".2f" }, { field: "suppressed_members", title: "members withheld" }]
        }
      }];
      // the treated set's policy dates, lettered as on an area page
      var months = answer.series.map(function (r) { return r.month; }).sort();
      var markers = window.atlasMarkers.group(answer.policy_dates.map(function (p) {
        return { date: p.effective_from, kind: p.kind, where: p.area_code };
      }), months.length ? months[0] + "-01" : null, months.length ? months[months.length - 1] : null);
      return {
        layers: layers.concat(window.atlasMarkers.layers(markers)),
        after: function () { window.atlasMarkers.list(compare, document.getElementById("markers"), markers); }
      };
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
      var range = ["#1f4e79", "#b35900"];
      var legend = Object.assign(window.atlasMarkers.legend(study), { symbolType: "stroke", symbolStrokeWidth: 3 });
      return [
        // the legend comes from the lines (the pale bands would make pale, unreadable swatches):
        // the bands are filled through their own channel, whose legend is off, so no legend
        // property conflicts with the lines'
        { data: { values: rows }, mark: { type: "area", opacity: 0.18 }, encoding: { x: x, y: { field: "low", type: "quantitative", title: "effect (events per unit-month)" }, y2: { field: "high" }, fill: { field: "estimator", type: "nominal", scale: { range: range }, legend: null } } },
        { data: { values: rows }, mark: { type: "line", point: { size: 14 } }, encoding: { x: x, y: { field: "estimate", type: "quantitative" }, color: { field: "estimator", type: "nominal", title: null, scale: { range: range }, legend: legend }, strokeDash: { field: "estimator", type: "nominal", title: null, legend: legend },
          tooltip: [{ field: "estimator" }, { field: "period", title: "months from adoption" }, { field: "estimate", format: ".2f" }, { field: "low", format: ".2f", title: "95% low" }, { field: "high", format: ".2f", title: "95% high" }] } },
        { data: { values: [{ zero: 0, start: -0.5 }] }, mark: { type: "rule", color: "#444444" }, encoding: { y: { field: "zero", type: "quantitative" } } },
        { data: { values: [{ start: -0.5 }] }, mark: { type: "rule", strokeDash: [5, 3], color: "#444444" }, encoding: { x: { field: "start", type: "quantitative" } } }
      ];
    });
  }
})();
