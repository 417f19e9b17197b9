/* The outcomes page's four charts (/office/outcomes), drawn with the vendored Apache ECharts
 * on canvases from the server's figures (BOOT.chart): the cashless share by month against
 * the target, payments per month, time to pay by method, brands. Each chart's toolbox
 * downloads it as PNG. Tooltips are drawn on the canvas (richText): the CSP refuses the
 * inline styles of HTML tooltips. */
"use strict";

(() => {
  const c = BOOT.chart;
  if (typeof echarts === "undefined") return;
  const plots = [];
  const draw = (id, name, option) => {
    const el = document.getElementById(id);
    if (!el) return;
    const plot = echarts.init(el, null, { renderer: "canvas" });
    plot.setOption(Object.assign({
      animation: false,
      textStyle: { fontFamily: "sans-serif" },
      grid: { left: 56, right: 24, top: 48, bottom: 40 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      toolbox: { right: 8, feature: { saveAsImage: { type: "png", name: "madoguchi-" + name + "-" + c.name,
        title: T("office_outcomes.save_png"), pixelRatio: 2, backgroundColor: "#ffffff" } } },
    }, option));
    plots.push(plot);
  };
  const pct = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
  const method = (m) => T("office_outcomes.method_" + m);

  draw("chart-share", "cashless-share", {
    legend: { top: 0, left: 0 },
    xAxis: { type: "category", data: c.months },
    yAxis: { type: "value", name: "%", min: 0, max: 100 },
    series: [
      { name: T("office_outcomes.series_share"), type: "line", connectNulls: false, data: c.share.map(pct),
        itemStyle: { color: "#1f4e79" }, label: { show: true, formatter: (p) => p.value + "%" } },
      { name: T("office_outcomes.series_target"), type: "line", symbol: "none", data: c.months.map(() => pct(c.target)),
        lineStyle: { type: "dashed", color: "#b5412c" }, itemStyle: { color: "#b5412c" } },
    ],
  });
  draw("chart-payments", "payments", {
    legend: { top: 0, left: 0 },
    xAxis: { type: "category", data: c.months },
    yAxis: { type: "value", name: T("office_outcomes.axis_payments") },
    series: [
      { name: method("cash"), type: "bar", stack: "n", data: c.cash, itemStyle: { color: "#9aa5b1" } },
      { name: method("cashless"), type: "bar", stack: "n", data: c.cashless, itemStyle: { color: "#4f7cac" } },
    ],
  });
  draw("chart-to-pay", "time-to-pay", {
    legend: { top: 0, left: 0 },
    xAxis: { type: "category", data: c.methods.map(method) },
    yAxis: { type: "value", name: T("office_outcomes.axis_seconds") },
    series: [
      { name: T("office_outcomes.series_median"), type: "bar", data: c.median, itemStyle: { color: "#4f7cac" },
        label: { show: true, position: "top" } },
      { name: T("office_outcomes.series_p90"), type: "bar", data: c.p90, itemStyle: { color: "#1f4e79" },
        label: { show: true, position: "top" } },
    ],
  });
  draw("chart-brands", "brands", {
    tooltip: { trigger: "item", renderMode: "richText" },
    xAxis: { type: "category", data: c.brands, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", name: T("office_outcomes.axis_payments") },
    grid: { left: 56, right: 24, top: 48, bottom: 64 },
    series: [{ name: T("office_outcomes.axis_payments"), type: "bar", data: c.brand_payments,
      itemStyle: { color: "#4f7cac" }, label: { show: true, position: "top" } }],
  });
  window.addEventListener("resize", () => plots.forEach((p) => p.resize()));
})();
