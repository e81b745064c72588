/* The page's behaviour: keep the view in the query string, draw the timeline from the JSON API, and fetch the
 * lists again as HTML that the server renders with the same templates as the first state (which works without
 * JavaScript); this script takes over from there.
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
  var DAY = 86400000;
  var today = Date.UTC(new Date().getFullYear(), new Date().getMonth(), new Date().getDate());
  var chart = null, timeline = null, requests = {};
  var TYPING_PAUSE = 400;  /* ms: a typed date is shown once the typing stops, not at every digit of its year */

  /* -- small DOM helpers (text goes in as text; HTML only from this server's own templates) -- */
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

  /* Fetch ``url`` as JSON (the timeline) or as an HTML fragment (the lists, rendered by the server's templates).
   * An answer overtaken by a newer request of the same kind is dropped ("stale"). */
  function get(kind, url, asHTML) {
    var n = (requests[kind] || 0) + 1;
    requests[kind] = n;
    var accept = asHTML ? "text/html;q=0.9, application/problem+json" : "application/json";
    return fetch(url, {headers: {Accept: accept}}).then(function (r) {
      var body = r.ok && asHTML ? r.text() : r.json();
      return body.then(function (b) {
        if (!r.ok) throw new Error(b.detail || b.title || ("HTTP " + r.status));
        if (requests[kind] !== n) throw new Error("stale");  /* a newer request of this kind has been sent */
        return b;
      });
    });
  }

  function busy(id, on) { if (on) $(id).setAttribute("aria-busy", "true"); else $(id).removeAttribute("aria-busy"); }

  function fail(err) { if (err.message !== "stale") status("Could not load: " + err.message, true); }

  /* -- the lists: HTML from /page/guidance and /page/changes (templates/page_macros.html, one rendering) -- */
  function showGuidance(html) {
    $("guidance-body").innerHTML = html;
    var head = $("guidance-h");
    head.textContent = "";
    head.appendChild(document.createTextNode("Guidance on "));
    head.appendChild(time(state.on));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(h("small", {text: state.known ? "as known at " + C.human(state.known) : "with everything recorded"}));
    var j = state.jurisdiction ? "?jurisdiction=" + encodeURIComponent(state.jurisdiction) : "";
    var link = $("memento-link");
    link.href = "/guidance/" + encodeURIComponent(state.drug) + "/" + state.on + j;
    link.textContent = "This page as it stood on " + C.human(state.on);
    $("timemap-link").href = "/timemap/guidance/" + encodeURIComponent(state.drug) + j;
  }

  function showChanges(html) {
    var head = $("compare-h");
    head.textContent = "";
    head.appendChild(document.createTextNode("What changed between "));
    head.appendChild(time(state.compare[0]));
    head.appendChild(document.createTextNode(" and "));
    head.appendChild(time(state.compare[1]));
    $("compare-body").innerHTML = html;
    $("compare-view").hidden = false;
    document.querySelector(".results").classList.add("has-compare");
  }

  function count(selector) { return document.querySelectorAll(selector).length; }

  /* -- the three views -- */
  function loadGuidance() {
    if (!state.on) return Promise.resolve();
    busy("guidance", true);
    return get("guidance", "/page/guidance?" + query({on: state.on}), true).then(function (html) {
      showGuidance(html);
      status("Guidance on " + C.human(state.on) + (state.known ? " as known at " + C.human(state.known) : "") + ": " +
        plural(count("#guidance-body ul.stmts:not(.overridden) > li"), "statement") + " effective, " +
        count("#guidance-body ul.overridden > li") + " overridden.");
    }).catch(fail).then(function () { busy("guidance", false); });
  }

  function loadCompare() {
    if (!state.compare) {
      $("compare-view").hidden = true;
      document.querySelector(".results").classList.remove("has-compare");
      return Promise.resolve();
    }
    busy("compare-view", true);
    var q = {compare: state.compare[0] + ".." + state.compare[1]};
    return get("changes", "/page/changes?" + query(q), true).then(function (html) {
      showChanges(html);
      status(plural(count("#compare-body li.change"), "change") + " between " + C.human(state.compare[0]) +
        " and " + C.human(state.compare[1]) + ".");
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

  /* The timeline comes in pages (limit, next): follow next to the end, so that the chart holds every statement.
     next is under the server's public URL; its path is asked of this page's own origin (the CSP allows no other). */
  function wholeTimeline(url, sofar) {
    return get("timeline", url).then(function (t) {
      if (sofar) t.statements = sofar.statements.concat(t.statements);
      if (!t.next) return t;
      var next = new URL(t.next);
      return wholeTimeline(next.pathname + next.search, t);
    });
  }

  function loadTimeline() {
    return wholeTimeline("/api/timeline?" + query()).then(function (t) {
      timeline = t;
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
        var name = C.human(chart.labels[x[1]] || x[1]);
        a.setAttribute("aria-label", x[2] + ": " + name);
        a.textContent = x[3] + name + (x[3] ? "" : " →");
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
  /* A date field reports a valid date at each digit of a typed year (0002, 0020, 0201, 2019): wait for a pause,
   * and never ask for a year before 1000, which is always a year still being typed. */
  var typing = null;
  function typed() {
    clearTimeout(typing);
    typing = setTimeout(function () {
      var v = inputs.on.value;
      if (v && Number(v.slice(0, 4)) >= 1000) setOn(v);
    }, TYPING_PAUSE);
  }
  inputs.on.addEventListener("input", typed);
  inputs.on.addEventListener("change", typed);
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
