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
        name: s.name, type: "line", data: s.data, connectNulls: !data.monthly, symbolSize: 8,
        lineStyle: s.history ? { type: "dotted" } : undefined,
        label: { show: !data.monthly, formatter: function (p) { return show(p.value, suffix); } },
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

/* The IOC overview: one bar chart per pillar (value beside its 2025 and 2030 targets) and the commune map, an
   ECharts scatter over longitude/latitude (no map tiles: the platform runs offline). Data come from json_script
   blocks; the same figures are in the tiles and tables of the page. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var numbers = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });
  var STATUS_COLOURS = { achieved: "#15803d", on_track: "#1d4ed8", close: "#b45309", behind: "#b91c1c", "": "#64748b" };
  var charts = [];

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function pillarChart(element) {
    var data = read(element.getAttribute("data-pillar-chart"));
    if (!data || !data.categories.length) { return; }
    element.style.height = Math.max(160, 44 * data.categories.length + 40) + "px";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var bars = data.values.map(function (v, i) {
      return { value: v, itemStyle: { color: STATUS_COLOURS[data.status[i]] || STATUS_COLOURS[""] } };
    });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          var lines = [data.names[i] + " (" + data.periods[i] + ")",
                       "Giá trị: " + numbers.format(data.values[i]) + " %"];
          if (data.target_2025[i] !== null) { lines.push("Mục tiêu 2025: " + numbers.format(data.target_2025[i]) + " %"); }
          if (data.target_2030[i] !== null) { lines.push("Mục tiêu 2030: " + numbers.format(data.target_2030[i]) + " %"); }
          return lines.map(function (l) { return window.echarts.format.encodeHTML(l); }).join("<br>");
        }
      },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
      yAxis: { type: "category", data: data.categories, inverse: true, axisLabel: { width: 230, overflow: "truncate" } },
      series: [
        { name: "Giá trị", type: "bar", data: bars, barMaxWidth: 18,
          label: { show: true, position: "right", formatter: function (p) { return numbers.format(p.value) + " %"; } } },
        { name: "Mục tiêu 2025", type: "scatter", symbol: "diamond", symbolSize: 12, itemStyle: { color: "#111827" },
          data: data.target_2025 },
        { name: "Mục tiêu 2030", type: "scatter", symbol: "triangle", symbolSize: 10, itemStyle: { color: "#7c3aed" },
          data: data.target_2030 }
      ]
    });
    charts.push(chart);
  }

  function communeMap(element) {
    var data = read(element.getAttribute("data-map"));
    if (!data || !data.points.length) { return; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var lons = data.points.map(function (p) { return p.lon; });
    var lats = data.points.map(function (p) { return p.lat; });
    var pad = 0.05;
    var suffix = data.unit ? " " + data.unit : "";
    var values = data.points.filter(function (p) { return p.value !== null; }).map(function (p) { return p.value; });
    function colour(p) {
      if (!data.detail || p.value === null) { return "#94a3b8"; }
      if (data.by === "status") { return STATUS_COLOURS[p.status] || STATUS_COLOURS[""]; }
      return null; // the visual map colours it
    }
    var series = [{
      type: "scatter", symbolSize: 12, cursor: data.detail ? "pointer" : "default",
      itemStyle: { borderColor: "#1f2933", borderWidth: 0.6 },
      data: data.points.map(function (p) {
        var item = { name: p.name, value: [p.lon, p.lat, p.value === null ? "-" : p.value], point: p };
        var fixed = colour(p);
        if (fixed) { item.itemStyle = { color: fixed }; }
        return item;
      }),
      emphasis: { scale: 1.8 }
    }];
    var option = {
      animation: false,
      grid: { left: 16, right: data.by === "value" && values.length ? 90 : 16, top: 16, bottom: 16 },
      xAxis: { type: "value", min: Math.min.apply(null, lons) - pad, max: Math.max.apply(null, lons) + pad, show: false },
      yAxis: { type: "value", min: Math.min.apply(null, lats) - pad, max: Math.max.apply(null, lats) + pad, show: false },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var p = item.data.point;
          var lines = [p.name];
          if (!data.detail) { lines.push("Số liệu theo xã dành cho cán bộ đăng nhập"); }
          else if (p.value === null) { lines.push(data.indicator_name + ": chưa có số liệu"); }
          else {
            lines.push(data.indicator_name + ": " + p.text);
            lines.push("Đánh giá: " + p.status_label);
          }
          return lines.map(function (l) { return window.echarts.format.encodeHTML(l); }).join("<br>");
        }
      },
      series: series
    };
    if (data.detail && data.by === "value" && values.length) {
      option.visualMap = {
        type: "continuous", dimension: 2, right: 0, top: "middle", calculable: false,
        min: Math.min.apply(null, values), max: Math.max(Math.max.apply(null, values), Math.min.apply(null, values) + 1),
        inRange: { color: ["#b91c1c", "#f59e0b", "#15803d"] }, outOfRange: { color: "#cbd5e1" },
        formatter: function (v) { return numbers.format(v) + suffix; }, seriesIndex: 0
      };
    }
    chart.setOption(option);
    chart.on("click", function (item) {
      var p = item.data && item.data.point;
      if (p && p.href) { window.location.href = p.href; }
    });
    element.setAttribute("data-ready", "1");
    charts.push(chart);
  }

  document.querySelectorAll("[data-pillar-chart]").forEach(pillarChart);
  document.querySelectorAll("[data-map]").forEach(communeMap);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  window.tinhsoCharts = charts;
}());
