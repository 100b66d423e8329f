// The national map: one Vega-Lite choropleth drawn from /api/map and the bundled TopoJSON.
// Policy layers outline shapes; each layer has its own line pattern so that it reads without
// colour (the checkbox labels show the same pattern).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el) { return; }
  var LAYER_STYLE = {
    limits_detainers: { stroke: "#111111", strokeDash: [1, 0], strokeWidth: 1.4 },
    "287g": { stroke: "#8a3b00", strokeDash: [4, 2], strokeWidth: 1.4 },
    state_mandates: { stroke: "#5b2a86", strokeDash: [1, 2], strokeWidth: 1.6 }
  };
  var state = { data: null, shapes: null, topo: null, layers: {} };

  function numberFormat(kind) {
    if (kind === "share") { return ".1%"; }
    if (kind === "count") { return ",.0f"; }
    return ",.1f";
  }

  // The API sends the figures as columns; the map wants one row per shape id.
  function shapeRows(d) {
    var byArea = {};
    var names = Object.keys(d.areas);
    d.areas.area_code.forEach(function (code, i) {
      var row = {};
      names.forEach(function (name) { row[name] = d.areas[name][i]; });
      byArea[code] = row;
    });
    if (!d.shape_areas.id.length) {
      return d.areas.area_code.map(function (code) { return Object.assign({ id: code }, byArea[code]); });
    }
    return d.shape_areas.id.map(function (id, i) {
      return Object.assign({ id: id }, byArea[d.shape_areas.area[i]] || {});
    });
  }

  function spec() {
    var d = state.data;
    var shapes = state.shapes;
    var adds = d.kind === "count" || d.kind === "per_100k";  // figures that add up over months
    var fields = ["area_code", "area_name", "value", "months", "months_suppressed"];
    var tooltip = [
      { field: "area_name", type: "nominal", title: "Area" },
      { field: "value_text", type: "nominal", title: d.label },
      { field: "suppressed_text", type: "nominal", title: "Months suppressed" }
    ];
    if (d.level === "county") {
      fields.push("located_share");
      tooltip.push({ field: "located_share", type: "quantitative", title: "Share of state's events placed in a county", format: ".0%" });
    }
    var base = {
      data: { values: state.topo, format: { type: "topojson", feature: d.object } },
      transform: [
        { lookup: "id", from: { data: { values: shapes }, key: "id", fields: fields } },
        // a sum over months some of which were suppressed is a floor, and says so
        { calculate: "isValid(datum.value) ? (datum.months_suppressed > 0 && " + adds + " ? 'at least ' : '') + format(datum.value, '" + numberFormat(d.kind) + "') : (isValid(datum.months) ? 'suppressed' : 'no data')", as: "value_text" },
        { calculate: "isValid(datum.months) ? datum.months_suppressed + ' of ' + datum.months : ''", as: "suppressed_text" },
        { calculate: "isValid(datum.area_code) ? '/area/" + d.level + "/' + datum.area_code : null", as: "url" }
      ],
      // an AOR is drawn as its counties: their borders would only add noise
      mark: { type: "geoshape", stroke: "#ffffff", strokeWidth: d.object === "states" ? 0.8 : (d.level === "aor" ? 0 : 0.15) },
      encoding: {
        color: {
          field: "value", type: "quantitative", title: d.label,
          // the scheme starts above white, so a zero stays visible against the page
          scale: { scheme: { name: "blues", extent: [0.12, 1] }, type: d.kind === "share" ? "linear" : "symlog" },
          legend: { orient: "bottom", direction: "horizontal", gradientLength: 260, format: numberFormat(d.kind) }
        },
        tooltip: tooltip,
        href: { field: "url", type: "nominal" }
      }
    };
    // Vega-Lite drops marks whose colour field is null, so the shapes without a figure are
    // drawn first, in grey, under the coloured ones (and still answer a hover).
    var missing = Object.assign({}, base, {
      mark: Object.assign({}, base.mark, { fill: "#b8b8b8" }),
      encoding: { tooltip: tooltip, href: base.encoding.href }
    });
    var layers = [missing, base];
    if (d.object === "counties") {
      layers.push({
        data: { values: state.topo, format: { type: "topojson", feature: "states" } },
        mark: { type: "geoshape", filled: false, stroke: "#ffffff", strokeWidth: 0.9 }
      });
    }
    Object.keys(state.layers).forEach(function (key) {
      var layer = state.layers[key];
      var style = LAYER_STYLE[key];
      layers.push({
        data: { values: state.topo, format: { type: "topojson", feature: layer.object } },
        transform: [{ filter: { field: "id", oneOf: layer.ids } }],
        mark: { type: "geoshape", filled: false, stroke: style.stroke, strokeDash: style.strokeDash, strokeWidth: style.strokeWidth }
      });
    });
    return {
      width: "container",
      height: Math.max(260, Math.min(560, Math.round(el.clientWidth * 0.62))),
      autosize: { type: "fit", contains: "padding" },
      projection: { type: "albersUsa" },
      layer: layers,
      config: { view: { stroke: null }, font: "system-ui, sans-serif" }
    };
  }

  function draw() {
    return vegaEmbed(el, spec(), { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function () { el.setAttribute("data-drawn", "true"); });
  }

  function fail(error) {
    el.innerHTML = "";
    var p = document.createElement("p");
    p.className = "error";
    p.textContent = "The map could not be drawn (" + error + "). The figures are in the table below.";
    el.appendChild(p);
  }

  function toggle(box) {
    var key = box.getAttribute("data-layer");
    if (!box.checked) { delete state.layers[key]; draw(); return; }
    var url = "/api/map/policies?level=" + encodeURIComponent(el.dataset.level) +
      "&layer=" + encodeURIComponent(key) + "&month=" + encodeURIComponent(el.dataset.month);
    fetch(url).then(function (r) { return r.json(); }).then(function (layer) {
      state.layers[key] = layer;
      return draw();
    }).catch(fail);
  }

  Promise.all([
    fetch(el.dataset.api).then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); }),
    fetch("/geo/us-counties.topo.json").then(function (r) { return r.json(); })
  ]).then(function (answers) {
    state.data = answers[0];
    state.shapes = shapeRows(answers[0]);
    state.topo = answers[1];
    return draw();
  }).catch(fail);

  Array.prototype.forEach.call(document.querySelectorAll("input[data-layer]"), function (box) {
    box.checked = false;
    box.addEventListener("change", function () { toggle(box); });
  });
})();
