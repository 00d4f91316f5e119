/* Report charts: each [data-report-chart] element names a json_script with {type, categories, by, series}.
   Series per value of a second dimension stack in a bar chart; series per measure get an axis each (two at most). */
(function () {
  "use strict";

  function option(data) {
    if (data.type === "pie" || data.type === "funnel") {
      var first = data.series[0] || { data: [] };
      var items = data.categories.map(function (name, index) {
        return { name: String(name), value: first.data[index] };
      });
      var series = { type: data.type, data: items };
      if (data.type === "pie") {
        series.radius = ["35%", "65%"];
      } else {
        series.sort = "descending";
        series.left = "10%";
        series.width = "80%";
      }
      return { tooltip: { trigger: "item" }, legend: { bottom: 0, type: "scroll" }, series: [series] };
    }
    var twoAxes = data.by === "measure" && data.series.length > 1;
    return {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 70, right: twoAxes ? 70 : 20, top: 20, bottom: 70 },
      xAxis: { type: "category", data: data.categories, axisLabel: { hideOverlap: true } },
      yAxis: twoAxes ? [{ type: "value" }, { type: "value", position: "right" }] : { type: "value" },
      series: data.series.map(function (item, index) {
        return {
          name: item.name,
          type: data.type,
          data: item.data,
          yAxisIndex: twoAxes ? Math.min(index, 1) : 0,
          stack: data.type === "bar" && data.by === "dimension" && data.series.length > 1 ? "total" : undefined,
        };
      }),
    };
  }

  function draw(root) {
    if (!window.echarts) {
      return;
    }
    root.querySelectorAll("[data-report-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.reportChart);
      if (!source || element.dataset.drawn) {
        return;
      }
      var data = JSON.parse(source.textContent);
      if (data.type === "table" || !data.categories.length) {
        element.hidden = true;
        return;
      }
      element.dataset.drawn = "1";
      var chart = window.echarts.init(element);
      chart.setOption(option(data));
      window.addEventListener("resize", function () {
        chart.resize();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    draw(event.target);
  });
})();
