// newsflow web page: the coverage chart, the live list of newest articles
// with its "new since you looked" marker, and the pipeline page's refresh.
// Every page works without this script. Article content is only ever put
// into the page as text (textContent), never as HTML.
(function () {
  "use strict";

  var PALETTE = ["#2f6db5", "#e07b39", "#3a9a5b", "#b8476a", "#7d5ab5", "#c9a227", "#2aa3a3", "#8c6d4f"];
  var OTHER = "#9aa0a6";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (e) {
      // Storage may be disabled; the marker then shows nothing.
    }
    return null;
  }

  function fmtUTC(d) {
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  // The coverage chart.

  function drawChart(box) {
    if (typeof uPlot === "undefined") return;
    var data;
    try {
      data = JSON.parse(box.getAttribute("data-chart"));
    } catch (e) {
      return;
    }
    var t = data.t || [];
    var groups = data.groups || [];
    var n = t.length;
    // Stacks: cumulative sums, drawn tallest first so that each lower
    // stack is painted over the one above it.
    var cum = [];
    var run = new Array(n).fill(0);
    groups.forEach(function (g) {
      run = run.map(function (v, i) { return v + g.counts[i]; });
      cum.push(run.slice());
    });
    // Bars sit in the middle of their bucket; the axis spans whole buckets.
    var half = (data.bucket || 3600) / 2;
    var xs = t.map(function (v) { return v + half; });
    var x0 = n ? t[0] : 0;
    var x1 = n ? t[n - 1] + 2 * half : 1;
    var fg = window.getComputedStyle(document.body).color || "#111";
    var series = [{}];
    var cols = [xs];
    var raw = [null];
    for (var i = groups.length - 1; i >= 0; i--) {
      var color = groups[i].name === "other" ? OTHER : PALETTE[i % PALETTE.length];
      if (data.stack === "topic") color = groups[i].name === "on topic" ? PALETTE[0] : OTHER;
      series.push({
        label: groups[i].name,
        stroke: color,
        fill: color,
        width: 0,
        paths: uPlot.paths.bars({ size: [0.85, 48] }),
        points: { show: false },
      });
      cols.push(cum[i]);
      raw.push(groups[i].counts);
    }
    if (data.stack !== "topic") {
      series.push({ label: "on topic", stroke: fg, width: 2, dash: [4, 3], points: { show: false } });
      cols.push(data.on_topic);
      raw.push(data.on_topic);
    }
    series.forEach(function (s, si) {
      if (si > 0) s.value = function (u, v, sidx, di) { return di == null ? "–" : raw[si][di]; };
    });
    box.classList.add("drawn");
    var opts = {
      width: Math.max(280, box.clientWidth),
      height: 260,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      scales: { x: { time: true, range: function () { return [x0, x1]; } }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{}, { label: "articles", size: 50 }],
      cursor: { points: { show: false } },
      legend: { live: true },
      series: series,
    };
    var plot = new uPlot(opts, cols, box);
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        var w = Math.max(280, box.clientWidth);
        if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: 260 });
      }).observe(box);
    }
  }

  // The live list of newest articles.

  var LOOK_KEY = "newsflow.lastLook";

  function initLive(list) {
    var status = document.getElementById("live-status");
    var button = document.getElementById("mark-seen");
    var pageNow = list.getAttribute("data-now");
    var every = parseInt(list.getAttribute("data-poll") || "15", 10) * 1000;
    var lastLook = store(LOOK_KEY);
    var latest = pageNow; // the server's time of the newest data shown
    if (!lastLook) {
      // A first visit: what it shows is seen, what comes later is new.
      lastLook = pageNow;
      store(LOOK_KEY, pageNow);
    }

    function mark() {
      var count = 0;
      Array.prototype.forEach.call(list.children, function (li) {
        var f = li.getAttribute("data-fetched");
        var isNew = !!(lastLook && f && Date.parse(f) > Date.parse(lastLook));
        li.classList.toggle("new", isNew);
        var badge = li.querySelector(".badge.new");
        if (isNew && !badge) li.insertBefore(el("span", "new", "badge new"), li.firstChild);
        if (!isNew && badge) badge.remove();
        if (isNew) count++;
      });
      button.hidden = count === 0;
      return count;
    }

    function say(count, extra) {
      var msg = "";
      if (count > 0) msg = count + " new since you looked (" + fmtUTC(new Date(lastLook)) + ")";
      if (extra) msg += (msg ? " · " : "") + extra;
      status.textContent = msg;
    }

    function render(articles) {
      var frag = document.createDocumentFragment();
      articles.forEach(function (a) {
        var li = el("li");
        li.setAttribute("data-id", a.id);
        li.setAttribute("data-fetched", a.fetched_at);
        var link = el("a", a.title); // the server gives a headline even without a title
        link.setAttribute("href", a.href);
        li.appendChild(link);
        var meta = el("div", null, "meta");
        meta.appendChild(el("span", a.source, "src"));
        if (a.published) meta.appendChild(document.createTextNode(" · " + a.published));
        if (a.language) {
          meta.appendChild(document.createTextNode(" · "));
          meta.appendChild(el("span", a.language, "lang"));
        }
        meta.appendChild(document.createTextNode(" · relevance " + Math.round(a.relevance * 100) + "%"));
        if (a.on_topic) {
          meta.appendChild(document.createTextNode(" "));
          meta.appendChild(el("span", "on topic", "badge on"));
        }
        li.appendChild(meta);
        frag.appendChild(li);
      });
      if (!articles.length) frag.appendChild(el("li", "No articles yet.", "empty"));
      list.replaceChildren(frag);
    }

    function ids() {
      return Array.prototype.map.call(list.children, function (li) {
        return li.getAttribute("data-id") + "@" + li.getAttribute("data-fetched");
      }).join(",");
    }

    function poll() {
      if (document.hidden) return;
      fetch(list.getAttribute("data-live"), { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (body) {
          var before = ids();
          var articles = body.articles || [];
          var after = articles.map(function (a) { return a.id + "@" + a.fetched_at; }).join(",");
          if (before !== after) render(articles);
          latest = body.now || latest;
          say(mark(), "updated " + fmtUTC(new Date(latest)).slice(11));
        })
        .catch(function (e) {
          say(mark(), "live updates paused (" + e.message + "), retrying");
        });
    }

    button.addEventListener("click", function () {
      lastLook = latest;
      store(LOOK_KEY, latest);
      say(mark());
    });
    // Leaving the page counts as having looked at what it showed.
    window.addEventListener("pagehide", function () { store(LOOK_KEY, latest); });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) store(LOOK_KEY, latest);
      else poll();
    });
    say(mark());
    window.setInterval(poll, every);
  }

  // The pipeline page's refresh: replace the figures in place.

  function initRefresh(box) {
    var key = "newsflow.pipelineRefresh";
    var secs = parseInt(box.getAttribute("data-refresh"), 10) || 10;
    var timer = null;
    function refresh() {
      fetch(window.location.href, { cache: "no-store" })
        .then(function (r) { return r.text(); })
        .then(function (text) {
          var doc = new DOMParser().parseFromString(text, "text/html");
          var fresh = doc.getElementById("pipeline-live");
          var cur = document.getElementById("pipeline-live");
          if (fresh && cur) cur.replaceWith(document.adoptNode(fresh));
          var stamp = doc.querySelector(".titlebar time");
          var curStamp = document.querySelector(".titlebar time");
          if (stamp && curStamp) curStamp.replaceWith(document.adoptNode(stamp));
        })
        .catch(function () { /* keep the last figures */ });
    }
    function set(on) {
      if (timer) window.clearInterval(timer);
      timer = on ? window.setInterval(refresh, secs * 1000) : null;
      store(key, on ? "1" : "0");
    }
    box.checked = store(key) === "1";
    set(box.checked);
    box.addEventListener("change", function () { set(box.checked); });
  }

  // The search form leaves its empty fields out of the URL, so that a
  // search is a short link to share.
  function initSearchForm(form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (f) {
        if (f.name && f.value === "") f.disabled = true;
      });
      // Re-enable them when the page is shown again from the history.
      window.addEventListener("pageshow", function () {
        Array.prototype.forEach.call(form.elements, function (f) { f.disabled = false; });
      }, { once: true });
    });
  }

  function init() {
    var chart = document.getElementById("chart");
    if (chart) drawChart(chart);
    var list = document.getElementById("newest");
    if (list && list.getAttribute("data-live")) initLive(list);
    var auto = document.getElementById("auto-refresh");
    if (auto) initRefresh(auto);
    var form = document.querySelector("form.search");
    if (form) initSearchForm(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
