/* Corrections of closed days (adjusting entries) on the close-of-day page: the site's list, a request
 * by accounting or a supervisor, approval or rejection by a supervisor other than the requester.
 * The site is the page's site picker; an approval's journal entry reaches the figures above
 * through the page's live stream. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const canApprove = BOOT.me.may_approve;
  const A = { site: BOOT.sites[0], pending: null };
  const stationConf = (id) => BOOT.places.payment_stations.find((p) => p.id === id) || { id, name: id };

  /* --- adjustments (corrections of closed days) -------------------------------------------------------------- */
  async function loadAdjustments() {
    const rows = await api("GET", `/api/adjustments?site=${encodeURIComponent(A.site)}`);
    $("adjustment-empty").hidden = rows.length > 0;
    clear($("adjustment-rows"), ...rows.map((a) => {
      const actions = [];
      if (a.state === "requested" && canApprove && a.requested_by !== BOOT.me.login) {
        actions.push(h("button", { type: "button", class: "btn btn-sm btn-primary adj-approve", onclick: () => decide(a, "approve") }, T("office_close.adj_approve")),
          h("button", { type: "button", class: "btn btn-sm btn-danger-quiet adj-reject", onclick: () => decide(a, "reject") }, T("office_close.adj_reject")));
      } else if (a.state === "requested" && a.requested_by === BOOT.me.login) {
        actions.push(h("span", { class: "muted" }, T("office_close.adj_own")));
      }
      return h("tr", { dataset: { adjustment: a.id, state: a.state } },
        h("td", {}, a.corrects), h("td", {}, T("common.category." + a.category)),
        h("td", {}, a.station ? (stationConf(a.station).name || a.station) : (a.revenue_line || "—")),
        h("td", { class: "num" }, yen(a.amount)), h("td", {}, a.reason),
        h("td", {}, h("span", { class: "pill " + { requested: "pill-paying", approved: "pill-paid", rejected: "pill-cancelled" }[a.state] }, T("office_close.adj_state_" + a.state))),
        h("td", {}, personName(a.requested_by)), h("td", {}, a.approved_by ? personName(a.approved_by) : "—"), h("td", { class: "row-actions" }, actions));
    }));
  }

  async function decide(a, how) {
    try {
      if (how === "approve") await api("POST", `/api/adjustments/${a.id}/approve`);
      else {
        const note = await ask(T("office_close.adj_reject"), T("office_close.adj_reject_note"));
        if (!note) return;
        await api("POST", `/api/adjustments/${a.id}/reject`, { note });
      }
      toast(T("common.done"), "ok");
      await loadAdjustments();  /* the day's figures above follow through the page's live stream */
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  function fillAdjustForm() {
    const stations = BOOT.places.payment_stations.filter((p) => p.site === A.site);
    clear($("adj-category"), ...["cash", "emoney", "credit", "qr"].map((c) => h("option", { value: c }, T("common.category." + c))));
    clear($("adj-station"), h("option", { value: "" }, T("office_close.none_option")), ...stations.map((p) => h("option", { value: p.id }, p.name)));
    clear($("adj-line"), h("option", { value: "" }, T("office_close.over_short_option")),
      ...Object.entries(BOOT.revenue_lines).map(([code, name]) => h("option", { value: code }, `${code} ${name}`)));
    $("adj-corrects").max = BOOT.today;
  }

  async function requestAdjustment(ev) {
    ev.preventDefault();
    const body = { id: A.pending = A.pending || uuid(), site: A.site, corrects: $("adj-corrects").value,
      category: $("adj-category").value, amount: parseInt($("adj-amount").value, 10), reason: $("adj-reason").value.trim(),
      station: $("adj-station").value || null, revenue_line: $("adj-line").value || null };
    try {
      await api("POST", "/api/adjustments", body);
      A.pending = null;
      $("adjust-form").reset();
      fillAdjustForm();
      toast(T("office_close.adj_requested"), "ok");
      await loadAdjustments();
    } catch (err) {
      if (err.status && err.status < 500) A.pending = null;
      toast(errorText(err), "error");
    }
  }

  $("site").addEventListener("change", () => {
    A.site = $("site").value;
    fillAdjustForm();
    loadAdjustments().catch((err) => toast(errorText(err), "error"));
  });
  fillAdjustForm();
  loadAdjustments().catch((err) => toast(errorText(err), "error"));
  $("adjust-form").addEventListener("submit", requestAdjustment);
  $("adjust-form").addEventListener("input", () => { A.pending = null; });
})();
