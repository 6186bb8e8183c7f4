// Calls per client per day (gateway pages); data from the json_script block named by data-usage-chart.
(function () {
  "use strict";
  document.querySelectorAll("[data-usage-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-usage-chart"));
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 50, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(8, 10) + "/" + d.slice(5, 7); }) },
      yAxis: { type: "value", name: "Lượt gọi", minInterval: 1 },
      series: data.series.map(function (s) { return { name: s.client, type: "bar", stack: "calls", data: s.counts }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
