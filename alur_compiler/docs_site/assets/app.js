/* alurc docs: plain JavaScript, no library, no network.
 * Data comes from data/*.js files loaded with <script src> (file:// blocks fetch()).
 * Every project string reaches the page through textContent or an attribute, never as
 * markup. window.ALUR.timings records how long the search and lineage handlers took. */
(function () {
  "use strict";
  var NAME = /^[a-z_][a-z0-9_]*$/;
  var MAX_RESULTS = 50;
  var MAX_LINEAGE = 500;
  var cache = {};
  var pending = {};
  var index = null;
  var summary = null;
  var ALUR = {
    timings: { load: null, search: [], lineage: [] },
    ready: false,
  };
  window.ALUR = ALUR;

  ALUR.loaded = function (kind, name, data) {
    var key = kind + "/" + name;
    cache[key] = data;
    var waiting = pending[key] || [];
    delete pending[key];
    waiting.forEach(function (w) { w[0](data); });
  };

  function load(kind, name) {
    var key = kind + "/" + name;
    if (Object.prototype.hasOwnProperty.call(cache, key)) return Promise.resolve(cache[key]);
    if (name && !NAME.test(name)) return Promise.reject(new Error("no such " + kind));
    return new Promise(function (resolve, reject) {
      if (pending[key]) { pending[key].push([resolve, reject]); return; }
      pending[key] = [[resolve, reject]];
      var script = document.createElement("script");
      script.src = name ? "data/" + kind + "/" + name + ".js" : "data/" + kind + ".js";
      script.onerror = function () {
        var waiting = pending[key] || [];
        delete pending[key];
        waiting.forEach(function (w) { w[1](new Error("no such " + kind + ": " + name)); });
      };
      document.head.appendChild(script);
    });
  }

  // --- DOM helpers: text only ---------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, String(attrs[k]));
      });
    }
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }
  function add(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(node, c); }); return; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  function link(hash, text, attrs) {
    var a = el("a", attrs || {}, text);
    a.setAttribute("href", "#" + hash);
    return a;
  }
  function tableLink(name) { return link("table/" + name, name, { "class": "table-link" }); }
  function jobLink(name) { return link("job/" + name, name, { "class": "job-link" }); }
  function columnLink(key) {
    var dot = key.indexOf(".");
    return link("table/" + key.slice(0, dot) + "/" + key.slice(dot + 1), key, { "class": "column-link" });
  }
  function badge(text, cls) { return el("span", { "class": "badge " + (cls || text) }, text); }
  function list(items, render) {
    if (!items || !items.length) return el("span", { "class": "muted" }, "none");
    var out = [];
    items.forEach(function (item, i) { if (i) out.push(", "); out.push(render(item)); });
    return el("span", null, out);
  }
  function facts(rows) {
    var dl = el("dl", { "class": "facts" });
    rows.forEach(function (r) { if (r) { dl.appendChild(el("dt", null, r[0])); dl.appendChild(el("dd", null, r[1])); } });
    return dl;
  }
  function table(head, rows, attrs) {
    return el("table", attrs || null,
      el("thead", null, el("tr", null, head.map(function (h) { return el("th", null, h); }))),
      el("tbody", null, rows));
  }
  function main() { return document.getElementById("main"); }
  function show(nodes) {
    var m = main();
    m.textContent = "";
    add(m, nodes);
    m.scrollTop = 0;
  }
  function fail(err) { show(el("p", { "class": "error" }, String(err && err.message || err))); }

  // --- search -------------------------------------------------------------------------
  // The index stores each distinct column name and description once (`strings`). At load,
  // those and the table and job names, lower-cased, are joined into one text, one per line;
  // a search is then one native indexOf pass over it (skipping to the next line after a
  // hit), and the tables' columns are walked by number.
  function prepare(data) {
    var pool = data.strings.map(function (x) { return x.toLowerCase(); })
      .concat(data.tables.map(function (t) { return t[0].toLowerCase(); }),
        data.jobs.map(function (j) { return j[0].toLowerCase(); }));
    var starts = new Int32Array(pool.length + 1), at = 1;
    for (var i = 0; i < pool.length; i++) { starts[i] = at; at += pool[i].length + 1; }
    starts[pool.length] = at;
    return { data: data, hay: "\n" + pool.join("\n") + "\n", starts: starts,
      tables: data.strings.length, jobs: data.strings.length + data.tables.length };
  }

  // score of every pooled string: -1 no match, 0 equal, 1 prefix, 2 contains
  function scores(q) {
    var starts = index.starts, hay = index.hay, n = starts.length - 1;
    var out = new Int8Array(n).fill(-1);
    var from = 1;
    for (;;) {
      var at = hay.indexOf(q, from);
      if (at < 0) break;
      var lo = 0, hi = n - 1;
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (starts[mid] <= at) lo = mid; else hi = mid - 1; }
      var len = starts[lo + 1] - 1 - starts[lo];
      out[lo] = at > starts[lo] ? 2 : len === q.length ? 0 : 1;
      from = starts[lo + 1];
    }
    return out;
  }

  // result order: 0 exact name, 1 name prefix, 2 name contains, 3 description contains
  function search(query) {
    var q = query.trim().toLowerCase();
    if (!q || !index || q.indexOf("\n") >= 0) return [];
    var d = index.data, strings = d.strings, sc = scores(q);
    var buckets = [[], [], [], []];
    function hit(score, row) { if (buckets[score].length < MAX_RESULTS) buckets[score].push(row); }
    for (var t = 0; t < d.tables.length && buckets[0].length < MAX_RESULTS; t++) {
      var table = d.tables[t], s = sc[index.tables + t];
      if (s < 0 && sc[table[2]] >= 0) s = 3;
      if (s >= 0) hit(s, { kind: "table", label: table[0], text: strings[table[2]], hash: "table/" + table[0] });
      var cols = table[3];
      for (var c = 0; c < cols.length; c += 2) {
        var cs = sc[cols[c]];
        cs = cs >= 0 ? Math.min(3, cs + 1) : sc[cols[c + 1]] >= 0 ? 3 : -1;  // a table before its column
        if (cs >= 0 && buckets[cs].length < MAX_RESULTS) {
          var col = strings[cols[c]];
          hit(cs, { kind: "column", label: table[0] + "." + col, text: strings[cols[c + 1]], hash: "table/" + table[0] + "/" + col });
        }
      }
    }
    for (var j = 0; j < d.jobs.length; j++) {
      var job = d.jobs[j], js = sc[index.jobs + j];
      if (js < 0 && sc[job[3]] >= 0) js = 3;
      if (js >= 0) hit(js, { kind: job[1], label: job[0], text: strings[job[3]], hash: "job/" + job[0] });
    }
    return buckets[0].concat(buckets[1], buckets[2], buckets[3]).slice(0, MAX_RESULTS);
  }

  function renderResults(found, query) {
    var nav = document.getElementById("results");
    nav.textContent = "";
    if (!query.trim()) return;
    if (!found.length) { nav.appendChild(el("p", { "class": "muted" }, "No match.")); return; }
    var ul = el("ul", { id: "result-list" });
    found.forEach(function (r) {
      ul.appendChild(el("li", { "class": "result", "data-kind": r.kind, "data-name": r.label },
        link(r.hash, r.label, { "class": "result-link" }), " ", badge(r.kind),
        r.text ? el("div", { "class": "muted small" }, r.text) : null));
    });
    nav.appendChild(ul);
  }

  var queued = null;
  ALUR.search = function (query) {
    if (!index) { queued = query; return -1; }  // answered as soon as the index is in
    var t0 = performance.now();
    var found = search(query);
    renderResults(found, query);
    ALUR.timings.search.push(performance.now() - t0);
    return found.length;
  };

  // --- pages --------------------------------------------------------------------------
  function runFigures(run) {
    if (!run) return el("span", { "class": "muted" }, "no local run");
    return el("span", { "class": "run" }, badge(run.status, "status-" + run.status), " ",
      "rows in " + run.rows_read + ", out " + run.rows_written + ", dropped " + run.rows_dropped +
      ", quarantined " + run.rows_quarantined, el("span", { "class": "muted small" }, " (" + run.run_id + ")"));
  }

  function homePage() {
    var runs = Object.keys(summary.runs);
    var parts = [
      el("h1", null, summary.project),
      summary.description ? el("p", null, summary.description) : null,
      el("p", null, summary.tables + " tables, " + summary.jobs +
        " jobs. Search above by table, column or description; open the ", link("dag", "job DAG"), "."),
    ];
    if (runs.length) {
      var rows = runs.slice(0, 200).map(function (job) {
        var r = summary.runs[job];
        return el("tr", null, el("td", null, jobLink(job)), el("td", null, badge(r.status, "status-" + r.status)),
          el("td", { "class": "num" }, r.rows_read), el("td", { "class": "num" }, r.rows_written),
          el("td", { "class": "num" }, r.rows_dropped), el("td", { "class": "num" }, r.rows_quarantined),
          el("td", null, r.started_at || ""));
      });
      parts.push(el("h2", null, "Last local run"),
        table(["job", "status", "rows in", "rows out", "dropped", "quarantined", "started"], rows, { id: "runs" }));
      if (runs.length > 200) parts.push(el("p", { "class": "muted" }, (runs.length - 200) + " more jobs ran."));
    }
    show(parts);
  }

  function columnRows(t) {
    return t.columns.map(function (c) {
      var marks = [c.key ? badge("key") : null, c.partition ? badge("partition") : null,
        c.pii ? badge("pii") : null, c.pii_derived ? badge("pii derived", "pii") : null,
        c.nullable ? null : badge("not null", "notnull")];
      return el("tr", { "data-column": c.name },
        el("td", null, el("button", { "class": "col", type: "button", "data-column": c.name, title: "Show lineage" }, c.name)),
        el("td", null, el("code", null, c.type)), el("td", { "class": "marks" }, marks),
        el("td", null, c.description, c.source_name ? el("span", { "class": "muted small" }, " (file column: " + c.source_name + ")") : null));
    });
  }

  function checkRows(t) {
    return t.checks.map(function (c) {
      return el("tr", null, el("td", null, c.name), el("td", null, c.type), el("td", null, c.columns.join(", ")),
        el("td", null, badge(c.action, "action-" + c.action)), el("td", null, c.params.join("; ")),
        el("td", { "class": "muted" }, c.origin));
    });
  }

  function tablePage(t, column) {
    var writers = t.written_by.map(function (w) { return [w, runFigures(t.runs[w])]; });
    show([
      el("h1", null, t.name, " ", badge(t.layer)),
      t.description ? el("p", { "class": "description" }, t.description) : null,
      facts([
        ["format", t.format],
        ["primary key", t.primary_key.length ? t.primary_key.join(", ") : el("span", { "class": "muted" }, "none")],
        ["partitioned by", t.partition_by.length ? t.partition_by.join(", ") : el("span", { "class": "muted" }, "none")],
        t.tags.length ? ["tags", t.tags.join(", ")] : null,
        ["written by", list(t.written_by, jobLink)],
        ["read by", list(t.read_by, jobLink)],
      ].concat(writers.map(function (w) { return ["last run of " + w[0], w[1]]; }))),
      el("h2", null, "Columns"),
      el("p", { "class": "muted small" }, "Click a column for its upstream and downstream columns."),
      table(["column", "type", "", "description"], columnRows(t), { id: "columns" }),
      el("div", { id: "lineage" }),
      el("h2", null, "Checks"),
      t.checks.length ? table(["name", "type", "columns", "action", "parameters", "from"], checkRows(t), { id: "checks" })
        : el("p", { "class": "muted" }, "none"),
    ]);
    main().querySelectorAll("button.col").forEach(function (b) {
      b.addEventListener("click", function () { ALUR.lineage(t.name, b.getAttribute("data-column")); });
    });
    if (column) ALUR.lineage(t.name, column);
  }

  function lineageItems(t, closure, direction) {
    var shown = closure.slice(0, MAX_LINEAGE);
    var ul = el("ul", { "class": "lineage " + direction });
    shown.forEach(function (entry) {
      var node = t.nodes[entry[0]] || ["", "", []];
      ul.appendChild(el("li", { "class": "lin-" + direction, "data-column": entry[0], "data-distance": entry[1] },
        el("span", { "class": "distance", title: "distance" }, String(entry[1])), " ", columnLink(entry[0]),
        node[0] ? [" via ", jobLink(node[0])] : null,
        node[1] ? [" = ", el("code", { "class": "expr" }, node[1])] : null));
    });
    var out = [ul];
    if (closure.length > shown.length) out.push(el("p", { "class": "muted" }, (closure.length - shown.length) + " more not shown."));
    return out;
  }

  ALUR.lineage = function (tableName, column) {
    var t0 = performance.now();
    var t = cache["table/" + tableName];
    var box = document.getElementById("lineage");
    if (!t || !box || !NAME.test(column) || !Object.prototype.hasOwnProperty.call(t.lineage, column)) return false;
    var key = tableName + "." + column;
    var lin = t.lineage[column];
    var self = t.nodes[key] || ["", "", []];
    box.textContent = "";
    add(box, [
      el("h2", null, "Lineage of ", el("span", { id: "lineage-column" }, key)),
      self[1] ? el("p", null, "computed as ", el("code", { "class": "expr" }, self[1]), self[0] ? [" by ", jobLink(self[0])] : null)
        : (self[0] ? el("p", null, "loaded by ", jobLink(self[0])) : null),
      el("div", { "class": "lineage-cols" },
        el("section", null, el("h3", null, "Upstream (" + lin.up.length + ")"), lineageItems(t, lin.up, "up")),
        el("section", null, el("h3", null, "Downstream (" + lin.down.length + ")"), lineageItems(t, lin.down, "down"))),
    ]);
    main().querySelectorAll("tr.selected").forEach(function (r) { r.classList.remove("selected"); });
    var row = main().querySelector('tr[data-column="' + column + '"]');
    if (row) row.classList.add("selected");
    var hash = "#table/" + tableName + "/" + column;
    if (location.hash !== hash) history.replaceState(null, "", hash);
    ALUR.timings.lineage.push(performance.now() - t0);
    return true;
  };

  function sqlBlock(runs) {
    var pre = el("pre", { "class": "sql" });
    runs.forEach(function (r) { pre.appendChild(r[0] ? el("span", { "class": "t" + r[0] }, r[1]) : document.createTextNode(r[1])); });
    return pre;
  }

  function glueRows(g) {
    var rows = [["worker type", g.worker_type], ["workers", g.workers], ["timeout", g.timeout_minutes + " min"],
      ["max retries", g.max_retries], ["execution class", g.execution_class], ["max concurrent runs", g.max_concurrent_runs]];
    Object.keys(g.arguments).forEach(function (k) { rows.push([k, g.arguments[k]]); });
    Object.keys(g.spark_conf).forEach(function (k) { rows.push([k, g.spark_conf[k]]); });
    return facts(rows);
  }

  function schedule(s) {
    if (!s) return el("span", { "class": "muted" }, "not scheduled");
    return el("span", null, s.cron ? el("code", null, s.cron) : null, s.cron && s.after.length ? " and " : null,
      s.after.length ? ["after ", list(s.after, jobLink)] : null,
      s.after_any && s.after_any.length ? ["after any of ", list(s.after_any, jobLink)] : null,
      s.max_wait_minutes ? " (max wait " + s.max_wait_minutes + " min, then " + s.on_max_wait + ")" : null,
      s.enabled ? null : " (disabled)");
  }

  function jobPage(j) {
    var parts = [
      el("h1", null, j.name, " ", badge(j.kind)),
      j.description ? el("p", { "class": "description" }, j.description) : null,
      facts([
        ["writes", tableLink(j.target)], ["mode", j.mode],
        j.reads ? ["reads", list(j.reads, tableLink)] : null,
        j.merge_keys && j.merge_keys.length ? ["merge keys", j.merge_keys.join(", ")] : null,
        j.sequence_by ? ["sequence by", j.sequence_by] : null,
        j.delete_when ? ["delete when", el("code", null, j.delete_when)] : null,
        j.source_system ? ["source system", j.source_system] : null,
        j.on_bad_file ? ["bad file / bad row", j.on_bad_file + " / " + j.on_bad_row] : null,
        ["schedule", schedule(j.schedule)],
        ["runs after", list(j.runs_after, jobLink)], ["runs before", list(j.runs_before, jobLink)],
        ["last local run", runFigures(j.run)],
      ]),
    ];
    parts.push(el("h2", null, "Around this job"), drawDag(j.dag, j.name));
    if (j.sources) {
      parts.push(el("h2", null, "Sources"), table(["path", "format", "pattern", "options"], j.sources.map(function (s) {
        return el("tr", null, el("td", null, el("code", null, s.path)), el("td", null, s.format),
          el("td", null, el("code", null, s.pattern + (s.recursive ? " (recursive)" : ""))),
          el("td", null, Object.keys(s.options).map(function (k) { return k + "=" + s.options[k]; }).join(", ")));
      })));
    }
    if (j.database) {
      var db = j.database;
      parts.push(el("h2", null, "Database source"), facts([
        ["url", el("code", null, db.url)], db.table ? ["table", el("code", null, db.table)] : null,
        db.incremental_column ? ["incremental by", db.incremental_column] : null,
        ["credentials", "secret " + db.secret],
      ]));
      if (db.query) parts.push(sqlBlock(db.query));
    }
    if (j.sql) parts.push(el("h2", null, "SQL", j.sql_file ? el("span", { "class": "muted small" }, " (" + j.sql_file + ")") : null), sqlBlock(j.sql));
    parts.push(el("h2", null, "Glue settings"), glueRows(j.glue));
    show(parts);
  }

  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function drawDag(d, current) {
    var pad = 10, h = 28;
    var root = svg("svg", { "class": "dag", width: d.width + 2 * pad, height: d.height + 2 * pad,
      viewBox: [-pad, -pad, d.width + 2 * pad, d.height + 2 * pad].join(" ") });
    var edges = svg("g", { "class": "edges" });
    d.edges.forEach(function (e) {
      var a = d.nodes[e[0]], b = d.nodes[e[1]];
      var x1 = a[2] + a[4], y1 = a[3] + h / 2, x2 = b[2], y2 = b[3] + h / 2, mx = (x1 + x2) / 2;
      edges.appendChild(svg("path", { d: "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2 }));
    });
    root.appendChild(edges);
    d.nodes.forEach(function (n) {
      var a = svg("a", { href: "#job/" + n[0], "class": "node " + n[1] + (n[0] === current ? " current" : "") });
      a.appendChild(svg("rect", { x: n[2], y: n[3], width: n[4], height: h, rx: 4 }));
      var text = svg("text", { x: n[2] + 8, y: n[3] + 18 });
      text.textContent = n[0];
      a.appendChild(text);
      root.appendChild(a);
    });
    return el("div", { "class": "dag-box" }, root);
  }

  function dagPage(d) {
    show([el("h1", null, "Job DAG"),
      el("p", { "class": "muted" }, d.nodes.length + " jobs, left to right in run order (ingestions in green)" +
        (d.nodes.length > 1000 ? "; each job's page shows the jobs around it." : ".")),
      drawDag(d, null)]);
    var box = main().querySelector("svg");
    if (box) box.setAttribute("id", "dag");
  }

  // --- routing ------------------------------------------------------------------------
  function route() {
    var parts = decodeURIComponent(location.hash.replace(/^#/, "")).split("/");
    if (parts[0] === "table" && parts[1]) {
      if (cache["table/" + parts[1]] && document.getElementById("lineage") && parts[2] &&
          main().querySelector("h1") && main().getAttribute("data-table") === parts[1]) {
        ALUR.lineage(parts[1], parts[2]);
        return;
      }
      load("table", parts[1]).then(function (t) { tablePage(t, parts[2]); main().setAttribute("data-table", t.name); }, fail);
    } else if (parts[0] === "job" && parts[1]) {
      main().removeAttribute("data-table");
      load("job", parts[1]).then(jobPage, fail);
    } else if (parts[0] === "dag") {
      main().removeAttribute("data-table");
      load("dag", "").then(dagPage, fail);
    } else {
      main().removeAttribute("data-table");
      homePage();
    }
  }

  function start(data) {
    summary = data;
    document.getElementById("project").textContent = data.project;
    document.title = data.project + " — alurc docs";
    var q = document.getElementById("q");
    q.addEventListener("input", function () { ALUR.search(q.value); });
    q.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      var first = document.querySelector("#result-list a");
      if (first) location.hash = first.getAttribute("href");
    });
    window.addEventListener("hashchange", route);
    route();
    ALUR.ready = true;
    ALUR.timings.load = performance.now();
    load("index", "").then(searchable, fail);
  }

  function searchable(data) {
    ALUR.timings.indexLoaded = performance.now();
    index = prepare(data);
    ALUR.searchReady = true;
    ALUR.timings.searchReady = performance.now();
    if (queued !== null) { var q = queued; queued = null; ALUR.search(q); }
  }

  load("summary", "").then(start, fail);
})();
