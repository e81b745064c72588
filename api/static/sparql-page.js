// The SPARQL query page: load a library query, send it to the endpoint, show the answer.
// Plain JavaScript, no libraries, nothing fetched from anywhere but this server.
(function () {
  "use strict";

  var form = document.getElementById("sparql-form");
  var query = document.getElementById("query");
  var example = document.getElementById("example");
  var format = document.getElementById("format");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var examples = JSON.parse(document.getElementById("sparql-examples").textContent || "[]");

  var TABLE_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function termText(term) {
    if (!term) { return ""; }
    if (term.type === "uri") { return term.value; }
    if (term.type === "bnode") { return "_:" + term.value; }
    if (term.type === "triple") {
      var t = term.value;
      return "<< " + termText(t.subject) + " " + termText(t.predicate) + " " + termText(t.object) + " >>";
    }
    return term.value;
  }

  var LONG_TEXT = 40;  /* characters: a longer literal gets a column wide enough to read it */

  function termCell(term) {
    var cell = element("td");
    if (!term) { return cell; }
    /* IRIs may break anywhere (they have no words); long text keeps a readable width and wraps at spaces. */
    if (term.type === "uri") { cell.className = "iri"; }
    else if (String(term.value).length > LONG_TEXT && /\s/.test(term.value)) { cell.className = "text"; }
    if (term.type === "uri" && /^https?:\/\//.test(term.value)) {
      var link = element("a", term.value);
      link.href = term.value;
      cell.appendChild(link);
    } else {
      cell.textContent = termText(term);
    }
    if (term["xml:lang"]) {
      cell.appendChild(element("span", "@" + term["xml:lang"], "annotation"));
    } else if (term.datatype) {
      var local = term.datatype.replace(/^.*[#\/]/, "");
      var dt = element("span", "^^" + local, "annotation");
      dt.title = term.datatype;
      cell.appendChild(dt);
    }
    return cell;
  }

  function showTable(data) {
    clear(results);
    if (typeof data.boolean === "boolean") {
      results.appendChild(element("p", "ASK: " + data.boolean, "boolean"));
      return;
    }
    var vars = data.head.vars || [];
    var rows = data.results.bindings || [];
    results.appendChild(element("p", rows.length + (rows.length === 1 ? " row" : " rows"), "count"));
    var table = element("table", null, "results");
    var head = element("thead");
    var headRow = element("tr");
    vars.forEach(function (v) {
      var th = element("th", "?" + v);
      th.scope = "col";
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody");
    rows.forEach(function (row) {
      var tr = element("tr");
      vars.forEach(function (v) { tr.appendChild(termCell(row[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    var wrapper = element("div", null, "table-wrapper");
    wrapper.appendChild(table);
    results.appendChild(wrapper);
  }

  function showText(text, mediaType) {
    clear(results);
    results.appendChild(element("p", mediaType, "count"));
    results.appendChild(element("pre", text, "raw"));
  }

  function showProblem(problem, httpStatus) {
    clear(results);
    var box = element("div", null, "problem");
    box.setAttribute("role", "alert");
    box.appendChild(element("strong", (problem.title || "Error") + " (" + httpStatus + ")"));
    box.appendChild(element("pre", problem.detail || ""));
    results.appendChild(box);
  }

  function run(event) {
    if (event) { event.preventDefault(); }
    var chosen = format.value;
    var accept = chosen === "table" ? TABLE_ACCEPT : chosen;
    var body = new URLSearchParams();
    body.set("query", query.value);
    status.textContent = "Running…";
    var started = Date.now();
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
      body: body.toString()
    }).then(function (response) {
      var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      return response.text().then(function (text) {
        var seconds = ((Date.now() - started) / 1000).toFixed(2);
        if (!response.ok) {
          var problem;
          try { problem = JSON.parse(text); } catch (e) { problem = {title: response.statusText, detail: text}; }
          status.textContent = "Failed after " + seconds + " s";
          showProblem(problem, response.status);
          return;
        }
        status.textContent = "Answered in " + seconds + " s";
        if (chosen === "table" && type === "application/sparql-results+json") {
          showTable(JSON.parse(text));
        } else {
          showText(text, type);
        }
      });
    }).catch(function (error) {
      status.textContent = "";
      showProblem({title: "Network error", detail: String(error)}, "no answer");
    });
  }

  example.addEventListener("change", function () {
    var picked = examples[Number(example.value)];
    if (example.value !== "" && picked) {
      query.value = picked.text;
      query.focus();
    }
  });

  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { run(event); }
  });

  form.addEventListener("submit", run);
}());
