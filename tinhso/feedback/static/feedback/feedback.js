/* Feedback pages: the commune map (an ECharts scatter over longitude/latitude of the communes' official
   coordinates, no tiles: the platform runs offline), a pin picked by clicking it on the web form, and the
   category's extra attributes shown for the chosen category only. Data come from json_script. */
(function () {
  "use strict";

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function toggleAttributes() {
    var select = document.getElementById("id_service_code");
    if (!select) { return; }
    var sets = document.querySelectorAll("fieldset[data-service]");
    function apply() {
      sets.forEach(function (set) {
        var on = set.getAttribute("data-service") === select.value;
        set.hidden = !on;
        set.disabled = !on;
      });
    }
    select.addEventListener("change", apply);
    apply();
  }

  function nearest(communes, lon, lat) {
    var best = null, bestD = Infinity;
    communes.forEach(function (c) {
      var dx = (c.lon - lon) * Math.cos(lat * Math.PI / 180), dy = c.lat - lat, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = c; }
    });
    return best;
  }

  function map(element) {
    var data = read("feedback-map-data");
    if (!data || !window.echarts || !data.communes.length) { element.hidden = true; return; }
    var pick = element.getAttribute("data-feedback-map") === "pick";
    var lons = data.communes.map(function (c) { return c.lon; });
    var lats = data.communes.map(function (c) { return c.lat; });
    var pad = 0.05;
    var chart = window.echarts.init(element);
    var enc = window.echarts.format.encodeHTML;
    var series = [{
      name: "Xã, phường", type: "scatter", symbolSize: function (v) { return 8 + Math.min(20, Math.sqrt(v[2] || 0) * 3); },
      itemStyle: { color: "#2563eb", opacity: 0.6 },
      data: data.communes.map(function (c) { return { value: [c.lon, c.lat, c.count], name: c.name, code: c.code }; })
    }, {
      name: "Phản ánh", type: "scatter", symbol: "pin", symbolSize: 18, itemStyle: { color: "#dc2626" },
      data: data.reports.map(function (r) { return { value: [r.lon, r.lat], name: r.code + " · " + r.service + " · " + r.status, href: r.href }; })
    }, { name: "Vị trí đã chọn", type: "scatter", symbol: "pin", symbolSize: 26, itemStyle: { color: "#16a34a" }, data: [] }];
    chart.setOption({
      grid: { left: 40, right: 20, top: 20, bottom: 30 },
      tooltip: { trigger: "item", formatter: function (p) {
        return enc(p.data.name) + (p.seriesIndex === 0 ? "<br>" + enc(String(p.data.value[2] || 0)) + " phản ánh" : "");
      } },
      xAxis: { type: "value", scale: true, min: Math.min.apply(null, lons) - pad, max: Math.max.apply(null, lons) + pad, name: "Kinh độ" },
      yAxis: { type: "value", scale: true, min: Math.min.apply(null, lats) - pad, max: Math.max.apply(null, lats) + pad, name: "Vĩ độ" },
      series: series
    });
    chart.on("click", function (p) {
      if (!pick && p.data && p.data.href) { window.location.href = p.data.href; }
    });
    if (pick) {
      chart.getZr().on("click", function (event) {
        var point = chart.convertFromPixel({ gridIndex: 0 }, [event.offsetX, event.offsetY]);
        if (!point) { return; }
        var lon = Math.round(point[0] * 100000) / 100000, lat = Math.round(point[1] * 100000) / 100000;
        document.getElementById("id_lat").value = lat;
        document.getElementById("id_long").value = lon;
        var commune = nearest(data.communes, lon, lat);
        var picker = document.getElementById("id_commune_code");
        if (commune && picker) { picker.value = commune.code; }
        chart.setOption({ series: [{}, {}, { data: [{ value: [lon, lat], name: "Vị trí đã chọn" }] }] });
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    toggleAttributes();
    document.querySelectorAll("[data-feedback-map]").forEach(map);
  });
})();
