/* The dataset page's chart: the numeric columns of the preview rows, read from a json_script block and drawn
   with the locally served ECharts (no inline script: CSP). The same numbers are in the preview table. */
(function () {
  "use strict";
  var element = document.querySelector("[data-od-chart]");
  if (!element || !window.echarts) { return; }
  var source = document.getElementById(element.getAttribute("data-od-chart"));
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var numbers = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });
  var chart = window.echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : numbers.format(v); } },
    legend: { top: 0 },
    grid: { left: 56, right: 24, top: 40, bottom: 72 },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30, width: 120, overflow: "truncate" } },
    yAxis: { type: "value", axisLabel: { formatter: function (v) { return numbers.format(v); } } },
    series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
