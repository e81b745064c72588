/* Draw the timeline of a drug's statements as inline SVG, from the body of GET /api/timeline.
 * No library: plain DOM. One row per statement, grouped by topic; effective periods solid, overridden periods
 * hatched and labelled; temporary measures dashed and marked; an imprecise start fades in over its month or year.
 * Every bar is focusable and labelled (aria-label and <title>); hover and focus show the same details. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var LABEL_MIN = 76;  /* px: a narrower bar carries no label of its own */
  var CHAR_W = 6.2;  /* px: the width of a label's character, near enough */
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  /* A partial date ("2019-04-12", "2019-05", "2014") as [first day, first day after] in UTC milliseconds. */
  function span(text) {
    var p = text.split("-").map(Number);
    if (p.length === 3) return [Date.UTC(p[0], p[1] - 1, p[2]), Date.UTC(p[0], p[1] - 1, p[2] + 1)];
    if (p.length === 2) return [Date.UTC(p[0], p[1] - 1, 1), Date.UTC(p[0], p[1], 1)];
    return [Date.UTC(p[0], 0, 1), Date.UTC(p[0] + 1, 0, 1)];
  }

  function human(text) {
    if (!text) return "";
    var p = text.split("-");
    if (p.length === 3) return Number(p[2]) + " " + MONTHS[Number(p[1]) - 1] + " " + p[0];
    if (p.length === 2) return MONTHS[Number(p[1]) - 1] + " " + p[0];
    return p[0];
  }

  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }

  function short(key, drug) { return key.indexOf(drug + "-") === 0 ? key.slice(drug.length + 1) : key; }

  function truncate(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  function topicLabel(key) { var t = key.replace(/-/g, " "); return t.charAt(0).toUpperCase() + t.slice(1); }

  /* The span of the chart: 1 January of the first start to 31 December of the last boundary or today. */
  function domain(statements, today) {
    var lo = Infinity, hi = today;
    statements.forEach(function (s) {
      lo = Math.min(lo, span(s.valid_from)[0]);
      s.effective.concat(s.overridden).forEach(function (p) { if (p[1]) hi = Math.max(hi, span(p[1])[1]); });
    });
    if (lo === Infinity) lo = today;
    var a = new Date(lo).getUTCFullYear(), b = new Date(hi).getUTCFullYear();
    return [Date.UTC(a, 0, 1), Date.UTC(b + 1, 0, 1)];
  }

  /* Every day on which some statement starts or stops being effective or overridden, sorted; ``labels`` names
   * each day as the timeline does, at its precision ("2014" for a start known only to the year, never a day
   * it does not know), preferring the most precise name when several periods meet on one day. */
  function changeDays(statements, labels) {
    var days = {};
    function add(text) {
      var day = iso(span(text)[0]);
      days[day] = true;
      if (labels && (!labels[day] || labels[day].length < text.length)) labels[day] = text;
    }
    statements.forEach(function (s) {
      s.effective.concat(s.overridden).forEach(function (p) {
        add(p[0]);
        if (p[1]) add(p[1]);
      });
    });
    return Object.keys(days).sort();
  }

  function describe(s, p, kind, names, drug) {
    var text = short(s.key, drug) + " (" + s.jurisdiction + (s.temporary ? ", temporary measure" : "") + "): " +
      kind + " from " + human(p[0]) + (p[1] ? " to " + human(p[1]) : " onwards");
    if (p[0].length < 10) text += " (start known only to the " + (p[0].length === 4 ? "year" : "month") + ")";
    if (kind === "overridden") {
      text += "; overridden by " + p.by.map(function (b) {
        var o = names[b];
        return o ? short(o.key, drug) + " (" + o.jurisdiction + "): “" + truncate(o.text, 140) + "”" : b;
      }).join("; ");
    }
    return text + ". " + s.text;
  }

  /* Merge overridden periods that differ only by their overriding statement into one bar with several "by". */
  function overriddenBars(s) {
    var out = [];
    s.overridden.forEach(function (p) {
      var last = out[out.length - 1];
      if (last && last[0] === p[0] && last[1] === p[1]) { last.by.push(p[2]); return; }
      var bar = [p[0], p[1]]; bar.by = [p[2]]; out.push(bar);
    });
    return out;
  }

  /* The span shown: everything, or ``years`` around ``on`` kept inside everything. */
  function view(full, on, zoom) {
    var years = {"5y": 5, "1y": 1}[zoom];
    if (!years || !on) return full;
    var half = years * 365.25 * DAY / 2, centre = span(on)[0];
    var lo = Math.max(full[0], Math.min(centre - half, full[1] - 2 * half));
    return [lo, Math.min(full[1], lo + 2 * half)];
  }

  /* Draw the chart into ``container``. opts: drug, on (YYYY-MM-DD), compare ([from, to] or null), today (ms),
   * zoom ("all", "5y", "1y"), onPick(iso date) when the chart is clicked, tip (the tooltip element).
   * Returns {days, domain (the whole span), view (the span shown), mark(on)}. */
  function draw(container, data, opts) {
    var statements = data.statements, drug = opts.drug;
    var names = {};
    statements.forEach(function (s) { names[s.id] = s; });
    var full = domain(statements, opts.today);
    var dom = view(full, opts.on, opts.zoom);
    var width = Math.max(container.clientWidth - 2, 340);
    var narrow = width < 640;
    var labelW = narrow ? 0 : Math.min(300, Math.round(width * 0.3));
    var left = labelW + 12, right = width - 16;
    var rowH = narrow ? 38 : 24, barH = 14, topicH = 24, axisH = 42;
    var x = function (ms) {
      return Math.min(Math.max(left + (right - left) * (ms - dom[0]) / (dom[1] - dom[0]), left), right);
    };

    var groups = [];
    statements.forEach(function (s) {
      if (!groups.length || groups[groups.length - 1].topic !== s.topic) groups.push({topic: s.topic, items: []});
      groups[groups.length - 1].items.push(s);
    });
    var height = axisH + groups.reduce(function (h, g) { return h + topicH + g.items.length * rowH; }, 0) + 8;

    container.textContent = "";
    var svg = el("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "group",
      "aria-label": "Timeline of " + statements.length + " statements about " + drug +
        ", from " + human(iso(dom[0])) + " to " + human(iso(dom[1] - DAY))}, container);
    var defs = el("defs", {}, svg);
    var hatch = el("pattern", {id: "hatch", width: 7, height: 7, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)"}, defs);
    el("rect", {width: 7, height: 7, fill: "#fbd38d"}, hatch);
    el("rect", {width: 3, height: 7, fill: "#c05621"}, hatch);
    var fade = el("linearGradient", {id: "fade-in", x1: 0, x2: 1, y1: 0, y2: 0}, defs);
    el("stop", {offset: "0", "stop-color": "#2b6cb0", "stop-opacity": 0}, fade);
    el("stop", {offset: "1", "stop-color": "#2b6cb0", "stop-opacity": 1}, fade);
    var fadeO = el("linearGradient", {id: "fade-in-o", x1: 0, x2: 1, y1: 0, y2: 0}, defs);
    el("stop", {offset: "0", "stop-color": "#c05621", "stop-opacity": 0}, fadeO);
    el("stop", {offset: "1", "stop-color": "#c05621", "stop-opacity": 0.6}, fadeO);

    /* Compare range, year grid and axis. */
    if (opts.compare) {
      var c0 = x(span(opts.compare[0])[0]), c1 = x(span(opts.compare[1])[1]);
      el("rect", {x: c0, y: axisH - 6, width: Math.max(2, c1 - c0), height: height - axisH + 6, fill: "#fefcbf"}, svg);
    }
    var axis = el("g", {"class": "axis", "aria-hidden": "true"}, svg);
    var d0 = new Date(dom[0]), monthly = dom[1] - dom[0] < 2.6 * 365 * DAY;
    var ticks = [];  /* [ms, label or null] at each year, or each month when a short span is shown */
    for (var t = Date.UTC(d0.getUTCFullYear(), monthly ? d0.getUTCMonth() : 0, 1); t < dom[1];) {
      var td = new Date(t);
      if (t >= dom[0]) ticks.push([t, monthly ? MONTHS[td.getUTCMonth()] + (td.getUTCMonth() === 0 ? " " + td.getUTCFullYear() : "")
        : String(td.getUTCFullYear())]);
      t = monthly ? Date.UTC(td.getUTCFullYear(), td.getUTCMonth() + 1, 1) : Date.UTC(td.getUTCFullYear() + 1, 0, 1);
    }
    var room = (right - left) / Math.max(ticks.length, 1), every = room < 24 ? 3 : room < 34 ? 2 : 1;
    ticks.forEach(function (tk, i) {
      var gx = x(tk[0]);
      el("line", {x1: gx, x2: gx, y1: axisH - 4, y2: height, stroke: "#e2e8f0"}, axis);
      if (i % every === 0 && gx < right - 24) el("text", {x: gx + 3, y: axisH - 8}, axis).textContent = tk[1];
    });

    var tip = opts.tip;
    function showTip(node, text) {
      if (!tip) return;
      tip.textContent = "";
      var parts = text.split(": ");
      var strong = document.createElement("strong");
      strong.textContent = parts.shift() + ": ";
      tip.appendChild(strong);
      tip.appendChild(document.createTextNode(parts.join(": ")));
      tip.hidden = false;
      var box = node.getBoundingClientRect(), host = tip.offsetParent || document.body;
      var hb = host.getBoundingClientRect();
      var leftPx = Math.min(Math.max(box.left - hb.left, 0), Math.max(hb.width - tip.offsetWidth, 0));
      tip.style.left = leftPx + "px";
      tip.style.top = (box.bottom - hb.top + 6) + "px";
    }
    function hideTip() { if (tip) tip.hidden = true; }

    function byNames(by) { return by.map(function (b) { return names[b] ? short(names[b].key, drug) : "?"; }).join(", "); }

    /* Write ``text`` over a bar (or a run of bars) from x0, ``w`` wide: cut to fit, or just "overridden". */
    function label_(parent, text, x0, w, yTop) {
      if (w <= LABEL_MIN) return null;
      var fitted = truncate(text, Math.floor((w - 8) / CHAR_W));
      var node = el("text", {"class": "bar-label dark", x: x0 + 4, y: yTop + barH - 3, stroke: "#fff",
        "stroke-width": 3, "paint-order": "stroke"}, parent);
      node.textContent = fitted.length >= 18 ? fitted : "overridden";
      return node;
    }

    /* Overridden bars that follow one another form a run. Each bar of a run is labelled with its overriders
     * when every bar is wide enough; otherwise the run carries one label naming them in order ("overridden by
     * A, then B"), so that no overrider goes unnamed at any zoom. Every bar also announces itself (aria-label). */
    function overriddenRuns(row, s, yTop) {
      var bars = overriddenBars(s), runs = [];
      bars.forEach(function (p) {
        var last = runs.length ? runs[runs.length - 1] : null;
        if (last && last[last.length - 1][1] === p[0]) last.push(p); else runs.push([p]);
      });
      runs.forEach(function (run) {
        var widths = run.map(function (p) { return (p[1] ? x(span(p[1])[0]) : right) - x(span(p[0])[0]); });
        var each = widths.every(function (w, i) {
          return w > LABEL_MIN && ("overridden by " + byNames(run[i].by)).length * CHAR_W <= w - 8;
        });
        run.forEach(function (p) { p.labelled = each; });
        if (each) return;
        var x0 = x(span(run[0][0])[0]), x1 = run[run.length - 1][1] ? x(span(run[run.length - 1][1])[0]) : right;
        var text = "overridden by " + run.map(function (p) { return byNames(p.by); }).join(", then ");
        var node = label_(row, text, x0, x1 - x0, yTop);
        if (node) { node.setAttribute("aria-hidden", "true"); node.setAttribute("class", "bar-label dark run-label"); }
      });
      return bars;
    }

    function bar(row, s, p, kind, yTop, n) {
      var a = span(p[0]), end = p[1] ? span(p[1]) : null;
      if (a[0] >= dom[1] || (end && end[0] <= dom[0])) return;  /* outside the span shown */
      var x0 = x(a[0]), xSure = x(p[0].length < 10 ? a[1] : a[0]), x1 = end ? x(end[0]) : right;
      var label = describe(s, p, kind, names, drug);
      var g = el("g", {"class": "bar bar-" + kind, tabindex: "0", role: "img", "aria-label": label,
        "data-bar": s.key + "/" + kind + "/" + n}, row);
      el("title", {}, g).textContent = label;
      var w = Math.max(x1 - x0, 3);
      if (kind === "effective") {
        if (xSure > x0) {
          el("rect", {x: x0, y: yTop, width: Math.min(xSure, x1) - x0, height: barH, fill: "url(#fade-in)"}, g);
        }
        el("rect", {"class": "shape", x: Math.min(xSure, x1 - 1), y: yTop, width: Math.max(x1 - Math.min(xSure, x1 - 1), 3),
          height: barH, fill: "#2b6cb0", stroke: s.temporary ? "#1a202c" : "none",
          "stroke-dasharray": s.temporary ? "4 2" : "none", "stroke-width": s.temporary ? 2 : 0}, g);
        /* A transparent outline over the whole period keeps the focus ring around the imprecise part too. */
        el("rect", {x: x0, y: yTop, width: w, height: barH, fill: "transparent"}, g);
      } else {
        el("rect", {"class": "shape", x: x0, y: yTop, width: w, height: barH, fill: "url(#hatch)",
          stroke: "#c05621", "stroke-width": 1, "stroke-dasharray": s.temporary ? "4 2" : "none"}, g);
        if (p.labelled) label_(g, "overridden by " + byNames(p.by), x0, w, yTop);  /* in words, not colour alone */
      }
      if (!end || end[0] > dom[1]) {  /* the period goes on past the span shown: an arrow head says so */
        el("path", {d: "M" + (right - 1) + " " + (yTop - 2) + " l7 " + (barH / 2 + 2) + " l-7 " + (barH / 2 + 2) + "z",
          fill: kind === "effective" ? "#2b6cb0" : "#c05621"}, g);
      }
      g.addEventListener("mouseenter", function () { showTip(g, label); });
      g.addEventListener("mouseleave", hideTip);
      g.addEventListener("focus", function () { showTip(g, label); });
      g.addEventListener("blur", hideTip);
      g.addEventListener("click", function (ev) {
        ev.stopPropagation();
        if (opts.onPick) opts.onPick(iso(Math.max(a[0], dom[0])));
      });
      g.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); if (opts.onPick) opts.onPick(iso(a[0])); }
      });
    }

    var yPos = axisH;
    groups.forEach(function (grp) {
      var head = el("text", {"class": "topic-label", x: 6, y: yPos + 17}, svg);
      head.textContent = topicLabel(grp.topic);
      el("line", {x1: 0, x2: width, y1: yPos + 0.5, y2: yPos + 0.5, stroke: "#cbd5e0"}, svg);
      yPos += topicH;
      grp.items.forEach(function (s) {
        var row = el("g", {"class": "row", "data-key": s.key}, svg);
        var name = short(s.key, drug) + " [" + s.jurisdiction + (s.temporary ? ", temporary" : "") + "]";
        var labelY = narrow ? yPos + 13 : yPos + 16;
        var text = el("text", {x: 12, y: labelY, stroke: "#fff", "stroke-width": 3, "paint-order": "stroke"}, row);
        text.textContent = truncate(name, narrow ? Math.floor(width / 6.4) : Math.floor(labelW / 6.6));
        el("title", {}, text).textContent = name + ": " + s.text;
        var barTop = narrow ? yPos + 18 : yPos + 5;
        s.effective.forEach(function (p, n) { bar(row, s, p, "effective", barTop, n); });
        var runs = el("g", {"class": "runs"});
        overriddenRuns(runs, s, barTop).forEach(function (p, n) { bar(row, s, p, "overridden", barTop, n); });
        row.appendChild(runs);  /* run labels over the bars */
        yPos += rowH;
      });
    });

    /* The date shown below, as a line with its label; mark() moves it. */
    var marker = el("g", {"class": "on-marker", "aria-hidden": "true", "pointer-events": "none"}, svg);
    var markLine = el("line", {y1: axisH - 6, y2: height, stroke: "#b83280", "stroke-width": 2}, marker);
    var markText = el("text", {y: 12, fill: "#b83280"}, marker);
    function mark(on) {
      var at = on ? span(on)[0] : -Infinity, ox = x(at);
      marker.setAttribute("visibility", at >= dom[0] && at < dom[1] ? "visible" : "hidden");
      markLine.setAttribute("x1", ox);
      markLine.setAttribute("x2", ox);
      markText.textContent = on ? human(on) : "";
      var flip = ox + 80 > right;
      markText.setAttribute("x", flip ? ox - 4 : ox + 4);
      markText.setAttribute("text-anchor", flip ? "end" : "start");
    }
    mark(opts.on);

    svg.addEventListener("click", function (ev) {
      if (!opts.onPick) return;
      var r = svg.getBoundingClientRect();
      var px = (ev.clientX - r.left) * (width / r.width);
      if (px < left || px > right) return;
      var ms = dom[0] + (px - left) / (right - left) * (dom[1] - dom[0]);
      opts.onPick(iso(Math.floor(ms / DAY) * DAY));
    });
    var labels = {};
    return {days: changeDays(statements, labels), labels: labels, domain: full, view: dom, mark: mark};
  }

  window.GuidanceChart = {draw: draw, span: span, human: human, iso: iso, short: short, changeDays: changeDays};
})();
