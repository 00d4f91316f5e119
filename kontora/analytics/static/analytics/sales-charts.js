// Sales analytics charts: each element with data-chart draws the JSON of the <script> named in data-source.
(function () {
  "use strict";
  // "2026-12-01" as the reader's language writes a day ("1 дек.") or, by month, the month ("декабрь 2026 г.")
  function dateLabel(iso, grain) {
    var parts = iso.split("-");
    var day = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    var options = grain === "month" ? { month: "long", year: "numeric" } : { day: "numeric", month: "short" };
    options.timeZone = "UTC";
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, options).format(day);
  }
  function draw(element) {
    var source = document.getElementById(element.dataset.source);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element);
    var kind = element.dataset.chart;
    var option;
    if (kind === "funnel") {
      option = {
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", label: { formatter: "{b}: {c}" }, data: data }],
      };
    } else if (kind === "forecast") {
      option = {
        tooltip: { trigger: "axis" },
        legend: {},
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value" },
        series: [
          { name: element.dataset.amountLabel || "Σ", type: "bar", data: data.amount },
          { name: element.dataset.expectedLabel || "≈", type: "bar", data: data.expected },
        ],
      };
    } else {
      var names = Object.keys(data).filter(function (key) { return key !== "labels"; });
      var grain = element.dataset.grain;
      option = {
        tooltip: { trigger: "axis" },
        legend: {},
        xAxis: { type: "category", data: grain ? data.labels.map(function (label) { return dateLabel(label, grain); }) : data.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: names.map(function (name) {
          return { name: element.dataset["label" + name] || name, type: "bar", stack: name === "won" ? "won" : "work", data: data[name] };
        }),
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function start() { document.querySelectorAll("[data-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
