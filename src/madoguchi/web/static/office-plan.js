/* The capacity planner's chart (/office/plan): mean wait for a payment station by the number
 * of stations, one bar per cashless share, drawn with the vendored Apache ECharts on a canvas.
 * The figures come from the server (BOOT.chart); the toolbox downloads the chart as PNG.
 * Tooltips are drawn on the canvas too (richText): HTML tooltips carry inline styles,
 * which the Content-Security-Policy refuses. */
"use strict";

(() => {
  const chart = BOOT.chart;
  const el = document.getElementById("plan-chart");
  if (!el || typeof echarts === "undefined") return;
  const plot = echarts.init(el, null, { renderer: "canvas" });
  const colours = ["#9aa5b1", "#4f7cac", "#1f4e79"];
  const series = chart.shares.map((share, i) => ({
    name: T("office_plan.col_share", { share: Math.round(share * 100) }),
    type: "bar",
    itemStyle: { color: colours[i % colours.length] },
    label: { show: true, position: "top", formatter: (p) => (p.value === null ? T("office_plan.overloaded_short") : p.value) },
    data: chart.waits[i].map((w) => (w === null ? null : w)),
  }));
  plot.setOption({
    animation: false,
    textStyle: { fontFamily: "sans-serif" },
    legend: { top: 0 },
    grid: { left: 56, right: 24, top: 48, bottom: 40 },
    tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: (v) => (v === null || v === undefined ? "—" : T("office_plan.seconds", { s: v })) },
    toolbox: {
      right: 8,
      feature: { saveAsImage: { type: "png", name: "madoguchi-plan-" + chart.arrivals, title: T("office_plan.save_png"), pixelRatio: 2, backgroundColor: "#ffffff" } },
    },
    xAxis: { type: "category", name: T("office_plan.col_stations"), data: chart.stations.map((n) => T("office_plan.stations_n", { n })) },
    yAxis: { type: "value", name: T("office_plan.axis_wait") },
    series,
  });
  window.addEventListener("resize", () => plot.resize());
})();
