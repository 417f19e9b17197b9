/* The back office: every payment station of every site, open incidents, today's figures,
 * the journal's verification. Live: /events/office says which keys changed; the page re-reads. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const canApprove = BOOT.me.may_approve;
  const O = { stations: [], incidents: [], figures: null, journal: null };
  const siteName = (code) => (BOOT.places.sites.find((s) => s.code === code) || { name: code }).name;
  const stationConf = (id) => BOOT.places.payment_stations.find((p) => p.id === id);
  const stationLabel = (id) => { const p = stationConf(id); return p ? T("common.joined", { a: siteName(p.site), b: T("common.station_label", { number: p.number }) }) : (id || "—"); };
  const pct = (x) => `${(x * 100).toFixed(1)}%`;

  async function act(fn) {
    try { await fn(); toast(T("common.done"), "ok"); } catch (err) { toast(errorText(err), "error"); }
  }

  /* --- figures --------------------------------------------------------------------------- */
  async function loadFigures() {
    const f = O.figures = await api("GET", "/api/screens/office");
    $("office-date").textContent = T("office.today", { date: f.date });
    $("kpi-gross").textContent = yen(f.gross);
    $("kpi-payments").textContent = T("office.kpi_payments", { n: f.payments_count });
    $("kpi-cashless").textContent = pct(f.cashless_share);
    const cats = ["cash", "emoney", "credit", "qr"];
    const cell = (t) => h("td", { class: "num" }, h("span", { class: "fig" }, yen(t.amount)), h("small", {}, T("office.count_n", { n: t.count })));
    clear($("site-rows"), ...f.sites.map((s) => h("tr", {},
      h("th", { scope: "row" }, s.name), ...cats.map((c) => cell(s.by_category[c])),
      h("td", { class: "num strong" }, yen(s.gross)), h("td", { class: "num" }, pct(s.cashless_share)),
      h("td", {}, h("span", { class: "pill " + (s.state === "closed" ? "pill-paid" : "pill-open") }, T(s.state === "closed" ? "office.day_closed" : "office.day_open"))))),
    h("tr", { class: "total-row" }, h("th", { scope: "row" }, T("office.col_total")), ...cats.map((c) => cell(f.by_category[c])),
      h("td", { class: "num strong" }, yen(f.gross)), h("td", { class: "num" }, pct(f.cashless_share)), h("td", {})));
  }

  async function loadJournal() {
    $("kpi-journal").textContent = T("office.journal_checking");
    const j = O.journal = await api("GET", "/api/journal/verify");
    $("kpi-journal").textContent = j.ok ? T("office.journal_ok") : T("office.journal_broken", { seq: j.broken_at });
    $("kpi-journal-note").textContent = j.ok ? T("office.journal_entries", { n: digits(j.entries) }) : (j.reason || "");
    $("kpi-journal-box").classList.toggle("kpi-bad", !j.ok);
    $("kpi-journal-box").classList.toggle("kpi-good", j.ok);
  }

  /* --- incidents --------------------------------------------------------------------------- */
  async function loadIncidents() {
    O.incidents = await api("GET", "/api/incidents");
    drawIncidents();
  }

  function drawIncidents() {
    const rows = O.incidents;
    $("kpi-incidents").textContent = String(rows.length);
    $("kpi-incidents-box").classList.toggle("kpi-bad", rows.length > 0);
    $("incident-empty").hidden = rows.length > 0;
    clear($("incident-rows"), ...rows.map((i) => {
      const kind = T.has("office.kind_" + i.kind) ? T("office.kind_" + i.kind) : i.kind;
      const buttons = [];
      if (i.kind === "cashless_unknown") {
        buttons.push(h("button", { type: "button", class: "btn btn-sm btn-secondary", onclick: () => recheck(i) }, T("office.recheck")));
        if (canApprove) buttons.push(h("button", { type: "button", class: "btn btn-sm btn-primary", onclick: () => askResolve(i) }, T("office.resolve")));
      }
      if (i.kind === "cash_jam" && canApprove && i.payment_station) {
        buttons.push(h("button", { type: "button", class: "btn btn-sm btn-primary", onclick: () => clearJam(i.payment_station) }, T("office.clear_jam")));
      }
      return h("tr", { dataset: { incident: i.id, kind: i.kind } },
        h("td", { class: "age" }, ageText(i.opened_at)), h("td", {}, h("span", { class: "pill pill-" + (i.kind === "cash_jam" ? "danger" : "in_doubt") }, kind)),
        h("td", {}, stationLabel(i.payment_station)), h("td", { class: "num" }, yen(i.amount)),
        h("td", { class: "summary" }, describe(i)), h("td", { class: "row-actions" }, buttons));
    }));
  }

  function describe(i) {  /* the shared wording, and our request id to quote to the provider */
    if (i.kind !== "cashless_unknown") return incidentSummary(i);
    return [incidentSummary(i), h("small", { class: "request-id" }, T("office.request_id", { id: i.request_id || "" }))];
  }

  /* Asking the terminal again reports what was learned: still unknown, or resolved and how. */
  async function recheck(incident) {
    try {
      const answer = await api("POST", `/api/incidents/${incident.id}/recheck`);
      const what = { brand: BOOT.brands[incident.brand] || incident.brand || "", amount: yen(incident.amount) };
      const payment = answer.sale && answer.sale.payments.find((p) => p.id === answer.payment_id);
      const key = answer.state === "open" ? "still" : answer.answer === "approved" ? "approved"
        : answer.answer === "declined" ? "declined" : "not_found";
      const text = T("office.incident.recheck_" + key, Object.assign(what, { reference: (payment && payment.processor_reference) || "" }));
      const report = $("recheck-report");
      report.textContent = text;
      report.dataset.outcome = key;
      report.hidden = false;
      toast(text, answer.state === "open" ? "" : "ok");
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  function askResolve(incident) {
    const dialog = $("resolve-dialog");
    clear($("resolve-what"), h("span", {}, stationLabel(incident.payment_station)), h("span", {}, BOOT.brands[incident.brand] || incident.brand || ""), h("span", {}, yen(incident.amount)));
    $("resolve-error").hidden = true;
    $("resolve-evidence").value = "";
    $("resolve-reference").value = "";
    dialog.querySelectorAll('input[name="paid"]').forEach((r) => { r.checked = false; }); // a question about money: no default
    $("resolve-form").onsubmit = async (ev) => {
      ev.preventDefault();
      const chosen = dialog.querySelector('input[name="paid"]:checked');
      if (!chosen) {
        $("resolve-error").textContent = T("office.incident.resolve_choose");
        $("resolve-error").hidden = false;
        return;
      }
      try {
        await api("POST", `/api/incidents/${incident.id}/resolve`, {
          paid: chosen.value === "true",
          evidence: $("resolve-evidence").value.trim(), reference: $("resolve-reference").value.trim() || null,
        });
        dialog.close();
        toast(T("common.done"), "ok");
      } catch (err) {
        $("resolve-error").textContent = errorText(err);
        $("resolve-error").hidden = false;
      }
    };
    dialog.showModal();
  }

  /* Clearing a jam hands cash back: asked first, with a note of what was returned to whom. */
  async function clearJam(stationId) {
    const held = O.incidents.filter((i) => i.kind === "cash_jam" && i.payment_station === stationId).reduce((n, i) => n + i.amount, 0);
    const note = await ask(T("office.incident.clear_jam_confirm", { station: stationLabel(stationId), amount: yen(held) }),
      T("office.incident.clear_jam_note"));
    if (note === null) return;
    await act(() => api("POST", `/api/stations/${stationId}/clear-jam`, { note }));
  }

  /* --- payment stations ---------------------------------------------------------------------- */
  async function loadStations() {
    O.stations = await api("GET", "/api/screens/stations");
    drawStations();
  }

  function levelLabel(level) { return level === "ok" ? "" : T("office.level_" + level); }

  /* Counts by denomination; the bar is the count against that slot's capacity, with its warning. */
  function denomTable(rows) {
    return h("table", { class: "denoms" },
      h("thead", {}, h("tr", {}, h("th", {}, T("office.denomination")), h("th", { class: "num" }, T("office.count")), h("th", {}, h("span", { class: "visually-hidden" }, T("office.level"))))),
      h("tbody", {}, rows.map((d) => {
        const bar = h("span", { class: "bar-fill" });
        bar.style.setProperty("width", `${Math.min(100, (d.count / Math.max(1, d.capacity || d.count)) * 100)}%`);
        return h("tr", { class: "level-" + d.level, dataset: { denomination: d.denomination } },
          h("th", { scope: "row" }, digits(d.denomination)), h("td", { class: "num" }, digits(d.count)),
          h("td", { class: "bar-cell" }, h("span", { class: "bar" }, bar), d.level !== "ok" ? h("span", { class: "level-tag" }, levelLabel(d.level)) : null));
      })));
  }

  function stationCard(st) {
    const status = (label, value, bad) => h("div", { class: "status-row" + (bad ? " is-bad" : "") }, h("dt", {}, label), h("dd", {}, value));
    const buttons = [];
    if (canApprove && st.fault) buttons.push(h("button", { type: "button", class: "btn btn-sm btn-primary", onclick: () => clearJam(st.id) }, T("office.clear_jam")));
    if (st.pending_receipts) buttons.push(h("button", { type: "button", class: "btn btn-sm btn-secondary", onclick: () => act(() => api("POST", `/api/stations/${st.id}/print-pending`)) }, T("office.print_pending")));
    if (canApprove && st.screen.paired) {
      buttons.push(h("button", { type: "button", class: "btn btn-sm btn-quiet", onclick: () => {
        ask(T("office.unpair_confirm", { station: stationLabel(st.id) })).then((answer) => {
          if (answer !== null) act(() => api("POST", `/station/${st.id}/unpair`));
        });
      } }, T("office.unpair")));
    }
    const screen = !st.screen.paired ? T("office.not_paired") : st.screen.online ? T("office.online") : T("office.offline");
    return h("article", { class: "station-card" + (st.fault ? " is-fault" : ""), dataset: { station: st.id } },
      h("header", { class: "station-card-head" }, stationChip(st, "lg"),
        h("div", {}, h("p", { class: "station-card-site" }, siteName(st.site)), h("h3", {}, `${st.name}`)),
        h("span", { class: "pill pill-changer-" + st.changer.status }, T("common.changer." + st.changer.status))),
      st.fault ? h("p", { class: "alert alert-danger" }, T("office.fault", { fault: faultText(st) })) : null,
      h("dl", { class: "status-list" },
        status(T("office.printer"), T("common.printer." + st.printer), st.printer !== "ok"),
        status(T("office.terminal"), st.terminal_online ? T("office.online") : T("office.offline"), !st.terminal_online),
        status(T("office.screen"), screen, !(st.screen.paired && st.screen.online)),
        status(T("office.current_sale"), st.current_sale ? T("office.current_sale_of", { desk: st.current_sale.staff_station, amount: yen(st.current_sale.total) })
          : (st.current_sale_id ? T("office.current_sale_some") : T("office.none")), false),
        st.pending_receipts ? status(T("office.printer"), T("office.pending_receipts", { n: st.pending_receipts }), true) : null),
      h("div", { class: "denoms-pair" }, denomTable(st.denominations.filter((d) => d.denomination >= 1000)),
        denomTable(st.denominations.filter((d) => d.denomination < 1000))),
      buttons.length ? h("div", { class: "station-card-actions" }, buttons) : null);
  }

  function drawStations() {
    clear($("station-grid"), ...O.stations.map(stationCard));
  }

  /* --- live ------------------------------------------------------------------------------------ */
  const guard = (fn) => () => fn().catch((err) => {
    if (err.status === 401) location.href = "/login?next=/office"; else toast(errorText(err), "error");
  });
  const reload = {
    figures: coalesce(guard(loadFigures)),
    stations: coalesce(guard(loadStations)),
    incidents: coalesce(guard(loadIncidents)),
    journal: debounce(() => verify(), 2000), // re-verifying the whole chain is the costly read
  };
  const verify = coalesce(guard(loadJournal));
  function onChange(keys) {
    document.dispatchEvent(new CustomEvent("office:change", { detail: keys })); // other cards (training mode)
    if (keys === null) { // (re)connected: re-read what may have changed meanwhile
      reload.figures(); reload.stations(); reload.incidents();
      if (!O.journal) verify(); // the whole chain once; after that, when the journal grows
      return;
    }
    if (keys.some((k) => k.startsWith("station:"))) reload.stations();
    if (keys.some((k) => k.startsWith("site:") || k === "journal")) reload.figures();
    if (keys.includes("incidents")) reload.incidents();
    if (keys.includes("journal")) reload.journal();
  }
  $("verify-again").addEventListener("click", () => verify());
  live("/events/office", onChange, showConnection);
  setInterval(drawIncidents, 30000); // the ages move on; nothing is fetched
})();
