/* training mode in the back office (supervisors): each staff station and payment station of the
 * sites they may see, whether it trains, and a switch (POST /api/training/stations/{id}).
 * The register and the station show or hide their banner by themselves (a switch publishes
 * its site); this card re-reads on the office's own live changes ("office:change"). */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  if (!$("training-switch")) return;
  const mine = (site) => BOOT.me.sites.includes("*") || BOOT.me.sites.includes(site);
  const siteName = (code) => (BOOT.places.sites.find((s) => s.code === code) || { name: code }).name;
  const places = [
    ...BOOT.places.staff_stations.filter((d) => mine(d.site)).map((d) => ({ id: d.id, site: d.site, kind: "staff", name: d.name })),
    ...BOOT.places.payment_stations.filter((p) => mine(p.site))
      .map((p) => ({ id: p.id, site: p.site, kind: "payment", name: T("common.station_label", { number: p.number }) })),
  ];
  let on = new Set();

  function showError(text) { $("training-error").textContent = text || ""; $("training-error").hidden = !text; }

  function draw() {
    clear($("training-rows"), ...places.map((p) => {
      const trains = on.has(p.id);
      return h("tr", { dataset: { station: p.id }, class: trains ? "is-training" : "" },
        h("td", {}, T("common.joined", { a: siteName(p.site), b: p.name })),
        h("td", {}, T("office.training.kind_" + p.kind)),
        h("td", {}, h("span", { class: "pill " + (trains ? "pill-training" : "pill-quiet") },
          T(trains ? "office.training.state_on" : "office.training.state_off"))),
        h("td", {}, h("button", { type: "button", class: "btn btn-sm " + (trains ? "btn-secondary" : "btn-primary"),
          "aria-label": T(trains ? "office.training.off_label" : "office.training.on_label", { place: p.name }),
          onclick: () => toggle(p, !trains) }, T(trains ? "office.training.off" : "office.training.on"))));
    }));
  }

  async function load() {
    const status = await api("GET", "/api/training");
    on = new Set([...status.staff_stations, ...status.payment_stations]);
    draw();
  }
  const reload = coalesce(() => load().catch((err) => showError(errorText(err))));

  async function toggle(p, training) {
    showError("");
    try {
      const status = await api("POST", `/api/training/stations/${encodeURIComponent(p.id)}`, { training });
      on = new Set([...status.staff_stations, ...status.payment_stations]);
      draw();
      toast(T(training ? "office.training.switched_on" : "office.training.switched_off", { place: p.name }), "ok");
    } catch (err) {
      showError(errorText(err));
    }
  }

  document.addEventListener("office:change", (ev) => {
    const keys = ev.detail;
    if (keys === null || keys.some((k) => k.startsWith("site:") || k.startsWith("station:"))) reload();
  });
  reload();
})();
