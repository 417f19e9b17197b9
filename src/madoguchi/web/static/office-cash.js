/* Cash without a sale (back office, supervisors): record an opening float, a replenishment
 * or a collection at one payment station, by denomination.
 * POST /api/stations/{id}/cash with the client's id: a retry after a lost answer keeps the
 * id, so the cash is never moved twice; a new entry gets a new id. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("cash-form");
  if (!form) return;
  const inputs = Array.from(form.querySelectorAll(".cash-count"));
  const siteName = (code) => (BOOT.places.sites.find((s) => s.code === code) || { name: code }).name;
  const stations = BOOT.places.payment_stations.filter((p) => BOOT.me.sites.includes("*") || BOOT.me.sites.includes(p.site));
  const labelOf = (p) => T("common.joined", { a: siteName(p.site), b: T("common.station_label", { number: p.number }) });
  let moveId = null;  /* kept while the same movement is retried */

  clear($("cash-station"), ...stations.map((p) => h("option", { value: p.id }, labelOf(p))));
  const direction = () => form.querySelector('input[name="direction"]:checked').value;
  const counts = () => Object.fromEntries(inputs
    .map((i) => [i.dataset.denomination, parseInt(i.value, 10) || 0]).filter(([, n]) => n > 0));
  const total = () => Object.entries(counts()).reduce((sum, [d, n]) => sum + Number(d) * n, 0);

  function showError(text) {
    $("cash-error").textContent = text || "";
    $("cash-error").hidden = !text;
  }

  function changed() {
    moveId = null;
    $("cash-total").textContent = yen(total());
    const needReason = direction() !== "float";
    $("cash-reason-label").textContent = T(needReason ? "office.cash.reason_required" : "office.cash.reason");
    $("cash-reason").required = needReason;
    showError("");
  }

  async function loadMachine() {
    const id = $("cash-station").value;
    let held = {};
    try {
      const all = await api("GET", "/api/stations");
      held = (all.find((s) => s.id === id) || { changer: { counts: {} } }).changer.counts;
    } catch (err) { /* the column stays empty; recording still works */ }
    form.querySelectorAll("[data-machine]").forEach((cell) => {
      cell.textContent = held[cell.dataset.machine] === undefined ? "—" : digits(held[cell.dataset.machine]);
    });
  }

  async function submit(ev) {
    ev.preventDefault();
    showError("");
    const body = { direction: direction(), counts: counts(), reason: $("cash-reason").value.trim() };
    if (!Object.keys(body.counts).length) return showError(T("office.cash.nothing"));
    if (body.direction !== "float" && !body.reason) return showError(T("office.cash.need_reason"));
    moveId = moveId || uuid();
    const station = $("cash-station").value;
    $("cash-submit").disabled = true;
    try {
      const done = await api("POST", `/api/stations/${station}/cash`, Object.assign({ id: moveId }, body));
      moveId = null;
      const kind = T("office.cash." + done.direction);
      const lines = [h("p", { class: "alert alert-info" }, T("office.cash.done", {
        kind, station: labelOf(stations.find((p) => p.id === station)), amount: yen(done.amount), seq: done.journal_seq }))];
      if (done.differences.length) {
        lines.push(h("div", { class: "alert alert-warn" }, h("strong", {}, T("office.cash.differs_title")),
          h("ul", {}, done.differences.map((x) => h("li", {}, T("office.cash.differs", {
            denomination: digits(x.denomination), machine: digits(x.machine), journal: digits(x.journal) }))))));
      }
      clear($("cash-result"), ...lines);
      inputs.forEach((i) => { i.value = ""; });
      $("cash-reason").value = "";
      $("cash-total").textContent = yen(0);
      toast(T("common.done"), "ok");
      loadMachine();
    } catch (err) {
      showError(errorText(err));  /* the same id is sent again if the supervisor retries */
    } finally {
      $("cash-submit").disabled = false;
    }
  }

  inputs.forEach((i) => i.addEventListener("input", changed));
  form.querySelectorAll('input[name="direction"]').forEach((r) => r.addEventListener("change", changed));
  $("cash-reason").addEventListener("input", () => { moveId = null; });
  $("cash-station").addEventListener("change", () => { changed(); loadMachine(); });
  form.addEventListener("submit", submit);
  changed();
  loadMachine();
})();
