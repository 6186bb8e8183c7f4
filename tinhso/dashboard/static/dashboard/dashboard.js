/* The indicator trend chart: reads its data from a <script type="application/json"> block (json_script) and
   draws it with the locally served ECharts; the same numbers are in the table below the chart. */
(function () {
  "use strict";
  var numbers = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });

  function show(value, suffix) {
    return value === null || value === undefined ? "—" : numbers.format(value) + suffix;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.categories.length) { return; }
    var suffix = data.unit ? " " + data.unit : "";
    var highest = 0;
    var series = data.series.map(function (s) {
      s.data.forEach(function (v) { if (v !== null && v > highest) { highest = v; } });
      s.targets.forEach(function (t) { if (t.value > highest) { highest = t.value; } });
      return {
        name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 8,
        label: { show: true, formatter: function (p) { return show(p.value, suffix); } },
        markLine: s.targets.length ? {
          symbol: "none", lineStyle: { type: "dashed" },
          label: { formatter: "{b}", position: "insideEndTop" },
          data: s.targets.map(function (t) { return { name: t.label, yAxis: t.value }; })
        } : undefined
      };
    });
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return show(v, suffix); } },
      legend: { top: 0 },
      grid: { left: 56, right: 40, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.categories },
      yAxis: { type: "value", min: 0, max: function (extent) { return Math.ceil(Math.max(extent.max, highest) * 1.05); },
               axisLabel: { formatter: function (v) { return numbers.format(v); } } },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
}());
