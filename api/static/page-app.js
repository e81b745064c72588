/* The page's behaviour: keep the view in the query string, fetch the JSON API, render the results.
 * The server renders the first state (it works without JavaScript); this script takes over from there.
 * State: ?drug=&jurisdiction=&on=YYYY-MM-DD&known=YYYY-MM-DD&compare=YYYY-MM-DD..YYYY-MM-DD */
(function () {
  "use strict";
  var C = window.GuidanceChart;
  var $ = function (id) { return document.getElementById(id); };
  var form = $("controls");
  if (!form || !C) return;
  document.documentElement.classList.add("js");

  var inputs = {drug: $("drug"), jurisdiction: $("jurisdiction"), on: $("on"), known: $("known"),
    from: $("from"), to: $("to"), slider: $("on-slider"), zoom: $("zoom")};
  var REASONS = {"came-into-force": "came into force", "ended": "ended", "overridden": "overridden",
    "override-ended": "override ended"};
  var DAY = 86400000;
  var today = Date.UTC(new Date().getFullYear(), new Date().getMonth(), new Date().getDate());
  var chart = null, timeline = null, names = {}, requests = {};

  /* -- small DOM helpers (text goes in as text, never as HTML) -- */
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function time(d) { return h("time", {datetime: d, text: C.human(d)}); }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function shortKey(key) { return C.short(key, state.drug); }
  function keyOf(iri) { var s = names[iri]; return s ? shortKey(s.key) : iri.replace(/.*\//, ""); }

  /* -- state <-> URL and inputs -- */
  var state = readURL();

  function readURL() {
    var q = new URLSearchParams(location.search);
    var s = {drug: q.get("drug") || inputs.drug.value, jurisdiction: q.get("jurisdiction") || "",
      on: q.get("on") || inputs.on.value, known: q.get("known") || "", compare: null,
      zoom: q.get("zoom") || "all"};
    var cmp = q.get("compare");
    if (cmp && cmp.indexOf("..") > 0) s.compare = cmp.split("..");
    else if (q.get("from") && q.get("to")) s.compare = [q.get("from"), q.get("to")];
    return s;
  }

  function query(extra) {
    var q = new URLSearchParams();
    q.set("drug", state.drug);
    if (state.jurisdiction) q.set("jurisdiction", state.jurisdiction);
    Object.keys(extra || {}).forEach(function (k) { if (extra[k]) q.set(k, extra[k]); });
    if (state.known) q.set("known", state.known);
    return q.toString();
  }

  function writeURL() {
    var q = new URLSearchParams();
    q.set("drug", state.drug);
    q.set("jurisdiction", state.jurisdiction);
    q.set("on", state.on);
    q.set("known", state.known);
    if (state.compare) q.set("compare", state.compare.join(".."));
    if (state.zoom !== "all") q.set("zoom", state.zoom);
    history.replaceState(null, "", location.pathname + "?" + q.toString());
    document.title = "Guidance on " + C.human(state.on) + ": " + state.drug +
      (state.jurisdiction ? " (" + state.jurisdiction + ")" : "") + " · guidancekg";
  }

  function showInputs() {
    inputs.drug.value = state.drug;
    inputs.jurisdiction.value = state.jurisdiction;
    inputs.on.value = state.on;
    inputs.known.value = state.known;
    inputs.zoom.value = state.zoom;
    inputs.from.value = state.compare ? state.compare[0] : "";
    inputs.to.value = state.compare ? state.compare[1] : "";
    $("compare-clear").hidden = !state.compare;
    syncSlider();
  }

  function syncSlider() {
    var start = C.span(inputs.slider.getAttribute("data-start"))[0];
    var v = Math.round((C.span(state.on)[0] - start) / DAY);
    inputs.slider.value = String(Math.min(Math.max(v, 0), Number(inputs.slider.max)));
    inputs.slider.setAttribute("aria-valuetext", C.human(state.on));
  }

  /* -- fetching -- */
  function status(text, error) {
    var s = $("status");
    s.textContent = text;
    s.classList.toggle("error", !!error);
  }

  function get(kind, url) {
    var n = (requests[kind] || 0) + 1;
    requests[kind] = n;
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.detail || body.title || ("HTTP " + r.status));
        if (requests[kind] !== n) throw new Error("stale");  /* a newer request of this kind has been sent */
        return body;
      });
    });
  }

  function busy(id, on) { if (on) $(id).setAttribute("aria-busy", "true"); else $(id).removeAttribute("aria-busy"); }

  function fail(err) { if (err.message !== "stale") status("Could not load: " + err.message, true); }

  /* -- rendering: the same markup as templates/page_macros.html -- */
  function tags(s) {
    var out = [h("span", {"class": "tag tag-jur", title: "Jurisdiction", text: s.jurisdiction})];
    if (s.temporary) out.push(" ", h("span", {"class": "tag tag-temp", text: "temporary measure"}));
    if (s.status === "uncertain") {
      out.push(" ", h("span", {"class": "tag tag-uncertain", text: "uncertain: an imprecise date leaves it open whether it is in force"}));
    }
    return out;
  }

  function period(s) {
    var out = ["in force from ", time(s.valid_from)];
    if (s.precision !== "day") out.push(" (to the " + s.precision + ": exact day unknown)");
    if (s.valid_until) out.push(" until ", time(s.valid_until));
    return out;
  }

  function sources(s) {
    return h("ul", {"class": "sources", "aria-label": "Sources"}, s.sources.map(function (r) {
      var kids = [h("a", {href: r.source, text: r.title}), " ", h("span", {"class": "publisher", text: "(" + r.publisher + ")"}),
        ", ", h("a", {href: r.version, text: "version of " + C.human(r.published)})];
      if (r.url) kids.push(", ", h("a", {href: r.url, rel: "external noopener", text: "original"}));
      if (r.quote) kids.push(h("blockquote", {cite: r.url || null, text: r.quote}));
      else if (r.reported_by) kids.push(h("span", {"class": "citation", text: "cited as “" + r.cited_as +
        "”, no address known; reported by " + r.reported_by.title + " (confidence: " + r.confidence + "): "}),
        h("blockquote", {"class": "reported", text: r.reported_by.quote}));
      else kids.push(h("span", {"class": "citation", text: "cited, not quoted (confidence: " + r.confidence + ")"}));
      return h("li", {}, kids);
    }));
  }

  function statement(s) {
    var cls = "stmt" + (s.temporary ? " is-temporary" : "") + (s.overridden_by ? " is-overridden" : "");
    var meta = h("p", {"class": "stmt-meta"}, tags(s).concat([" "], period(s),
      [" · ", h("a", {href: s.id, "class": "stmt-link", text: "statement " + shortKey(s.key)})]));
    var kids = [h("p", {"class": "stmt-text", text: s.text}), meta];
    if (s.overridden_by) {
      kids.push(h("div", {"class": "overridden-by"}, [h("p", {}, [h("strong", {text: "Overridden by"}), ":"]),
        h("ul", {}, s.overridden_by.map(function (by) {
          var o = names[by];
          return h("li", {}, [h("a", {href: by, text: keyOf(by)}),
            o ? " (" + o.jurisdiction + "): “" + o.text + "”" : null]);
        }))]));
    }
    kids.push(sources(s));
    return h("li", {"class": cls, "data-id": s.id}, kids);
  }

  function renderGuidance(g) {
    g.statements.concat(g.overridden).forEach(function (s) { if (!names[s.id]) names[s.id] = s; });
    var body = $("guidance-body");
    var nodes = [h("p", {"class": "summary", text: plural(g.statements.length, "statement") + " effective, " +
      g.overridden.length + " in force but overridden."}), h("h3", {id: "effective-h", text: "Effective"})];
    if (!g.statements.length) {
      nodes.push(h("p", {"class": "empty", text: "No guidance in force on this date" +
        (g.known ? " as known at " + C.human(g.known) : "") + "."}));
    }
    var topic = null, list = null;
    g.statements.forEach(function (s) {
      if (s.topic !== topic) {
        topic = s.topic;
        var t = topic.replace(/-/g, " ");
        nodes.push(h("h4", {"class": "topic", text: t.charAt(0).toUpperCase() + t.slice(1)}));
        list = h("ul", {"class": "stmts"});
        nodes.push(list);
      }
      list.appendChild(statement(s));
    });
    nodes.push(h("h3", {id: "overridden-h", text: "In force but overridden"}));
    if (!g.overridden.length) nodes.push(h("p", {"class": "empty", text: "None."}));
    nodes.push(h("ul", {"class": "stmts overridden", "aria-labelledby": "overridden-h"}, g.overridden.map(statement)));
    body.textContent = "";
    nodes.forEach(function (n) { body.appendChild(n); });

    var head = $("guidance-h");
    head.textContent = "";
    head.appendChild(document.createTextNode("Guidance on "));
    head.appendChild(time(g.on));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(h("small", {text: g.known ? "as known at " + C.human(g.known) : "with everything recorded"}));
    var j = state.jurisdiction ? "?jurisdiction=" + encodeURIComponent(state.jurisdiction) : "";
    var link = $("memento-link");
    link.href = "/guidance/" + encodeURIComponent(state.drug) + "/" + g.on + j;
    link.textContent = "This page as it stood on " + C.human(g.on);
    $("timemap-link").href = "/timemap/guidance/" + encodeURIComponent(state.drug) + j;
  }

  function renderChanges(c) {
    var body = $("compare-body");
    var head = $("compare-h");
    head.textContent = "";
    head.appendChild(document.createTextNode("What changed between "));
    head.appendChild(time(c.from));
    head.appendChild(document.createTextNode(" and "));
    head.appendChild(time(c.to));
    var items = c.changes.map(function (x) {
      var by = null;
      if (x.by) {
        var a = h("a", {href: x.by, text: keyOf(x.by)});
        by = h("span", {"class": "by"}, x.reason === "overridden" ? ["by ", a] : ["(", a, " no longer overrides it)"]);
      }
      return h("li", {"class": "change change-" + x.change}, [
        h("p", {"class": "change-head"}, [time(x.date), " ", h("span", {"class": "tag tag-" + x.change, text: x.change}),
          " ", h("span", {"class": "reason", text: REASONS[x.reason] || x.reason}), by ? " " : null, by]),
        h("p", {"class": "stmt-text", text: x.statement.text}),
        h("p", {"class": "stmt-meta"}, tags(x.statement).concat([" · ",
          h("a", {href: x.statement.id, text: "statement " + shortKey(x.statement.key)})]))]);
    });
    body.textContent = "";
    body.appendChild(h("p", {"class": "summary", text: plural(c.changes.length, "change") + " from " +
      C.human(c.from) + " to " + C.human(c.to) + "."}));
    body.appendChild(h("ol", {"class": "changes"}, items));
    $("compare-view").hidden = false;
    document.querySelector(".results").classList.add("has-compare");
  }

  /* -- the three views -- */
  function loadGuidance() {
    if (!state.on) return Promise.resolve();
    busy("guidance", true);
    return get("guidance", "/api/guidance?" + query({on: state.on})).then(function (g) {
      renderGuidance(g);
      status("Guidance on " + C.human(g.on) + (g.known ? " as known at " + C.human(g.known) : "") + ": " +
        plural(g.statements.length, "statement") + " effective, " + g.overridden.length + " overridden.");
    }).catch(fail).then(function () { busy("guidance", false); });
  }

  function loadCompare() {
    if (!state.compare) {
      $("compare-view").hidden = true;
      document.querySelector(".results").classList.remove("has-compare");
      return Promise.resolve();
    }
    busy("compare-view", true);
    return get("changes", "/api/changes?" + query({from: state.compare[0], to: state.compare[1]})).then(function (c) {
      renderChanges(c);
      status(plural(c.changes.length, "change") + " between " + C.human(c.from) + " and " + C.human(c.to) + ".");
    }).catch(fail).then(function () { busy("compare-view", false); });
  }

  function drawChart() {
    if (!timeline) return;
    var active = document.activeElement, focused = active && active.getAttribute && active.getAttribute("data-bar");
    chart = C.draw($("chart"), timeline, {drug: state.drug, on: state.on, compare: state.compare, today: today,
      zoom: state.zoom, tip: $("chart-tip"), onPick: function (day) { setOn(day); }});
    if (focused) {  /* a redrawn chart keeps the keyboard focus on the same bar */
      var again = $("chart").querySelector('[data-bar="' + focused.replace(/"/g, "") + '"]');
      if (again) again.focus();
    }
    var start = chart.domain[0];
    inputs.slider.setAttribute("data-start", C.iso(start));
    inputs.slider.max = String(Math.round((chart.domain[1] - start) / DAY) - 1);
    $("slider-hint").textContent = C.human(C.iso(start)) + " to " + C.human(C.iso(chart.domain[1] - DAY)) +
      "; arrow keys move one day, Page Up and Page Down further.";
    syncSlider();
    updateSteps();
  }

  function loadTimeline() {
    return get("timeline", "/api/timeline?" + query()).then(function (t) {
      timeline = t;
      t.statements.forEach(function (s) { names[s.id] = s; });
      drawChart();
    }).catch(fail);
  }

  /* Previous and next change: the nearest day before / after the shown one on which the timeline changes. */
  function updateSteps() {
    if (!chart) return;
    var prev = null, next = null;
    chart.days.forEach(function (d) {
      if (d < state.on) prev = d;
      if (d > state.on && next === null) next = d;
    });
    [["prev-change", prev, "Previous change", "← "], ["next-change", next, "Next change", ""]].forEach(function (x) {
      var a = $(x[0]);
      a.hidden = false;
      if (x[1]) {
        a.removeAttribute("aria-disabled");
        a.setAttribute("href", "?" + query({on: x[1]}));
        a.setAttribute("data-day", x[1]);
        a.setAttribute("aria-label", x[2] + ": " + C.human(x[1]));
        a.textContent = x[3] + C.human(x[1]) + (x[3] ? "" : " →");
      } else {
        a.setAttribute("aria-disabled", "true");
        a.removeAttribute("href");
        a.removeAttribute("data-day");
        a.setAttribute("aria-label", x[2] + ": none");
        a.textContent = x[3] ? "← none" : "none →";
      }
    });
  }

  function setOn(day) {
    if (!day || day === state.on) return;
    state.on = day;
    inputs.on.value = day;
    syncSlider();
    writeURL();
    if (chart && state.zoom === "all") chart.mark(day); else drawChart();
    updateSteps();
    loadGuidance();
  }

  function everything() {
    writeURL();
    return Promise.all([loadTimeline(), loadGuidance(), loadCompare()]);
  }

  /* -- events -- */
  inputs.drug.addEventListener("change", function () { state.drug = inputs.drug.value; everything(); });
  inputs.jurisdiction.addEventListener("change", function () { state.jurisdiction = inputs.jurisdiction.value; everything(); });
  inputs.known.addEventListener("change", function () { state.known = inputs.known.value; everything(); });
  inputs.zoom.addEventListener("change", function () { state.zoom = inputs.zoom.value; writeURL(); drawChart(); });
  inputs.on.addEventListener("change", function () { if (inputs.on.value) setOn(inputs.on.value); });
  var sliding = null;
  inputs.slider.addEventListener("input", function () {
    var start = C.span(inputs.slider.getAttribute("data-start"))[0];
    var day = C.iso(start + Number(inputs.slider.value) * DAY);
    inputs.on.value = day;
    inputs.slider.setAttribute("aria-valuetext", C.human(day));
    clearTimeout(sliding);
    sliding = setTimeout(function () { setOn(day); }, 120);
  });
  ["prev-change", "next-change"].forEach(function (id) {
    $(id).addEventListener("click", function (ev) {
      ev.preventDefault();
      var day = $(id).getAttribute("data-day");
      if (day) setOn(day);
    });
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    state.drug = inputs.drug.value;
    state.jurisdiction = inputs.jurisdiction.value;
    state.on = inputs.on.value || state.on;
    state.known = inputs.known.value;
    var a = inputs.from.value, b = inputs.to.value;
    if (a && b) {
      if (b < a) { status("Compare: the second date is before the first.", true); return; }
      state.compare = [a, b];
    } else if (ev.submitter && ev.submitter.id === "compare-button") {
      status("Compare: choose both dates.", true);
      return;
    }
    $("compare-clear").hidden = !state.compare;
    syncSlider();
    everything();
  });
  $("compare-clear").addEventListener("click", function () {
    state.compare = null;
    inputs.from.value = inputs.to.value = "";
    $("compare-clear").hidden = true;
    writeURL();
    drawChart();
    loadCompare();
    inputs.from.focus();
  });
  var resizing = null, lastWidth = $("chart").clientWidth;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      if ($("chart").clientWidth !== lastWidth) { lastWidth = $("chart").clientWidth; drawChart(); }
    }, 150);
  });

  /* -- start: the server rendered this state; draw the chart and canonicalise the URL -- */
  showInputs();
  writeURL();
  loadTimeline();
})();
