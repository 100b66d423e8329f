// The national map: one Vega-Lite choropleth drawn from /api/map and the bundled TopoJSON.
// Policy layers outline shapes; each layer has its own line pattern and width so that it reads
// without colour (the checkbox swatches are drawn from the same data attributes), and a hover
// names the layers a shape is in.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el) { return; }
  var monthInput = document.getElementById("policy-month");
  var status = document.getElementById("layer-status");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-layer]"));
  var state = { data: null, shapes: null, topo: null, layers: {} };

  function styleOf(box) {
    var dash = box.dataset.dash ? box.dataset.dash.split(",").map(Number) : [];
    return { stroke: box.dataset.stroke, strokeDash: dash, strokeWidth: Number(box.dataset.width) };
  }

  function monthText(month) {
    var parts = month.split("-");
    return new Date(Date.UTC(Number(parts[0]), Number(parts[1]) - 1, 1))
      .toLocaleDateString("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
  }

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

  // the names of the shown layers each shape is in, for the hover
  function withPolicies(rows) {
    var names = {};
    boxes.forEach(function (box) {
      var layer = state.layers[box.dataset.layer];
      if (!layer) { return; }
      layer.ids.forEach(function (id) { (names[id] = names[id] || []).push(box.dataset.label); });
    });
    return rows.map(function (row) {
      return Object.assign({}, row, { policies: (names[row.id] || []).join("; ") || "none shown" });
    });
  }

  // A symlog scale bunches Vega's evenly spaced labels at the top end; powers of ten spread
  // along it, with the largest figure at the end. Only drawn shapes count: a remainder area
  // (events placed in no county) has no shape, and its larger total would label a value
  // past the end of the colour bar.
  function legendValues(d, rows) {
    if (d.kind === "share") { return {}; }
    var shaped = {};
    state.topo.objects[d.object].geometries.forEach(function (g) { shaped[g.id] = true; });
    var drawn = rows.filter(function (row) { return shaped[row.id]; })
      .map(function (row) { return row.value; })
      .filter(function (v) { return v !== null && v !== undefined && isFinite(v); });
    var top = Math.max.apply(null, drawn.concat([0]));
    if (top < 20) { return {}; }
    // the bar runs from the smallest drawn figure (not from 0: an AOR map's smallest is in the
    // thousands), and no label may fall outside it
    var bottom = Math.min.apply(null, drawn);
    var values = [bottom > 0 ? Math.ceil(bottom) : 0];
    for (var step = 10; step * 3 <= top; step *= 10) {
      if (step >= 3 * Math.max(bottom, 1)) { values.push(step); }
    }
    values.push(Math.floor(top));
    return { values: values };
  }

  function spec() {
    var d = state.data;
    var shapes = withPolicies(state.shapes);
    var adds = d.kind === "count" || d.kind === "per_100k";  // figures that add up over months
    var fields = ["area_code", "area_name", "value", "months", "months_suppressed", "policies"];
    var tooltip = [
      { field: "area_name", type: "nominal", title: "Area" },
      { field: "value_text", type: "nominal", title: d.label },
      { field: "suppressed_text", type: "nominal", title: "Months withheld" }
    ];
    var bounded = "upper" in d.areas;
    if (bounded) {
      // the events placed in no smaller area could lie here too: say how many, and how much
      // of the enclosing AORs' record leaves no doubt about this area
      fields.push("upper", "coverage", "aor_name", "aor_value", "aor_withheld");
      tooltip.push({ field: "upper_text", type: "nominal", title: "Up to (with events placed nowhere smaller)" });
      tooltip.push({ field: "coverage_text", type: "nominal", title: "Coverage of the AOR's events" });
      tooltip.push({ field: "aor_text", type: "nominal", title: "Its AOR, which places every event" });
    }
    if (Object.keys(state.layers).length) {
      tooltip.push({ field: "policies", type: "nominal", title: "Policy layers (" + monthText(monthInput.value) + ")" });
    }
    var base = {
      data: { values: state.topo, format: { type: "topojson", feature: d.object } },
      transform: [
        { lookup: "id", from: { data: { values: shapes }, key: "id", fields: fields } },
        // a sum over months some of which were withheld is a floor, and says so
        // a floor of zero says nothing: the published months had none, the rest are hidden
        { calculate: "!isValid(datum.value) ? (isValid(datum.months) ? 'withheld' : 'no data') : (datum.months_suppressed > 0 && " + adds + ") ? (datum.value == 0 ? 'none in the published months' : 'at least ' + format(datum.value, '" + numberFormat(d.kind) + "')) : format(datum.value, '" + numberFormat(d.kind) + "')", as: "value_text" },
        { calculate: "isValid(datum.months) ? datum.months_suppressed + ' of ' + datum.months : ''", as: "suppressed_text" },
        { calculate: "!isValid(datum.upper) ? 'withheld' : (datum.upper > datum.value ? format(datum.upper, '" + numberFormat(d.kind) + "') : 'no more: every event placed')", as: "upper_text" },
        { calculate: "isValid(datum.coverage) ? format(datum.coverage, '.0%') : 'not known'", as: "coverage_text" },
        { calculate: "!isValid(datum.aor_name) ? 'several AORs' : datum.aor_name + ': ' + (!isValid(datum.aor_value) ? 'withheld' : (datum.aor_withheld > 0 ? 'at least ' : '') + format(datum.aor_value, '" + numberFormat(d.kind) + "'))", as: "aor_text" },
        { calculate: "isValid(datum.area_code) ? '/area/" + d.level + "/' + datum.area_code : null", as: "url" }
      ],
      // an AOR is drawn as its counties: their borders would only add noise
      mark: { type: "geoshape", stroke: "#ffffff", strokeWidth: d.object === "states" ? 0.8 : (d.level === "aor" ? 0 : 0.15) },
      encoding: {
        color: {
          field: "value", type: "quantitative", title: d.label,
          // the scheme starts above white, so a zero stays visible against the page
          scale: { scheme: { name: "blues", extent: [0.12, 1] }, type: d.kind === "share" ? "linear" : "symlog" },
          legend: Object.assign({ orient: "bottom", direction: "horizontal", gradientLength: Math.min(280, el.clientWidth - 70), format: numberFormat(d.kind), labelOverlap: "greedy", titleLimit: Math.min(320, el.clientWidth - 20) }, legendValues(d, state.shapes))
        },
        tooltip: tooltip,
        href: { field: "url", type: "nominal" }
      }
    };
    if (bounded) {
      // faded where fewer than half of the enclosing AORs' events are placed without doubt:
      // the colour is a floor there (the legend note under the map says so)
      base.encoding.opacity = { condition: { test: "isValid(datum.coverage) && datum.coverage < 0.5", value: 0.4 }, value: 1 };
    }
    // Vega-Lite drops marks whose colour field is null, so the shapes without a figure are
    // drawn first, in grey, under the coloured ones (and still answer a hover).
    var missing = Object.assign({}, base, {
      mark: Object.assign({}, base.mark, { fill: "#b8b8b8" }),
      encoding: { tooltip: tooltip, href: base.encoding.href }
    });
    // a measure no area of this level has a figure for (removals below the AOR): every shape
    // grey, and no colour scale over nothing (Vega would warn of an infinite extent)
    var anyFigure = shapes.some(function (row) { return row.value !== null && row.value !== undefined; });
    var layers = anyFigure ? [missing, base] : [missing];
    if (d.object === "counties") {
      layers.push({
        // outline layers are named "outline_*" or "policy_*": app.css lets the pointer through
        // them (an unfilled geoshape still covers its area), so a hover reaches the county
        name: "outline_states",
        data: { values: state.topo, format: { type: "topojson", feature: "states" } },
        mark: { type: "geoshape", filled: false, stroke: "#ffffff", strokeWidth: 0.9 }
      });
    }
    if (d.level === "aor") {
      // an AOR is drawn as its counties; its own borders are the arcs between counties of two
      // different AORs, which the server computes from the same shapes
      layers.push({
        name: "outline_aors",
        data: { values: state.topo, format: { type: "topojson", feature: "aor_borders" } },
        mark: { type: "geoshape", filled: false, stroke: "#222222", strokeWidth: 1.2 }
      });
    }
    // widest outline first, so that a thinner one on the same border stays visible on top
    boxes.filter(function (box) { return state.layers[box.dataset.layer]; })
      .sort(function (a, b) { return styleOf(b).strokeWidth - styleOf(a).strokeWidth; })
      .forEach(function (box) {
        var layer = state.layers[box.dataset.layer];
        var style = styleOf(box);
        layers.push({
          // the name becomes the SVG group's class: "policy_<layer>_marks"
          name: "policy_" + box.dataset.layer,
          data: { values: state.topo, format: { type: "topojson", feature: layer.object } },
          transform: [{ filter: { field: "id", oneOf: layer.ids } }],
          mark: { type: "geoshape", filled: false, stroke: style.stroke, strokeDash: style.strokeDash, strokeWidth: style.strokeWidth, strokeCap: "butt" }
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

  function describe() {
    var lines = boxes.filter(function (box) { return state.layers[box.dataset.layer]; }).map(function (box) {
      var layer = state.layers[box.dataset.layer];
      var unit = layer.object === "states" ? "state" : "county";
      var text = box.dataset.label + ": " + layer.count + " " + (layer.count === 1 ? unit : (unit === "state" ? "states" : "counties")) + " in " + monthText(layer.month);
      if (!layer.count && layer.registry_from && layer.registry_from.slice(0, 7) > layer.month) {
        text += " (the registry's entries of this kind begin " + monthText(layer.registry_from.slice(0, 7)) + ")";
      }
      return text;
    });
    status.textContent = lines.join(". ") + (lines.length ? "." : "");
  }

  function fetchLayer(box) {
    var url = "/api/map/policies?level=" + encodeURIComponent(el.dataset.level) +
      "&layer=" + encodeURIComponent(box.dataset.layer) + "&month=" + encodeURIComponent(monthInput.value);
    return fetch(url).then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }

  // every checked layer, for the month in the month field, then one redraw
  var asked = 0;
  function refresh() {
    if (!state.data || !/^\d{4}-\d{2}$/.test(monthInput.value)) { return Promise.resolve(); }
    el.setAttribute("data-drawn", "false");
    var checked = boxes.filter(function (box) { return box.checked; });
    var mine = ++asked;
    return Promise.all(checked.map(fetchLayer)).then(function (answers) {
      if (mine !== asked) { return null; }  // a later change has been asked for: it draws
      state.layers = {};
      checked.forEach(function (box, i) { state.layers[box.dataset.layer] = answers[i]; });
      describe();
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
    return refresh();
  }).catch(fail);

  boxes.forEach(function (box) {
    box.checked = false;
    box.addEventListener("change", refresh);
  });
  monthInput.addEventListener("change", refresh);
})();
