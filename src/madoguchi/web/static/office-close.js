/* Close of day (the back office): the day's figures of one site, the cash of each payment station counted by
 * denomination against what the books expect, the checks (every finding at once), then the
 * close of each station and of the site. Counts typed in stay while the page re-reads, and across
 * a reload; the count form itself (blind count, copying, the close's confirmation) is office-close-count.js. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const DENOMS = [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1];
  const CC = CloseCount;
  const canApprove = BOOT.me.may_approve;
  const S = {
    site: BOOT.sites[0], day: BOOT.today, summary: null, machines: {},
    entries: {}, confirm: {}, findings: null, findingsSource: "current", siteNote: "",
  };
  const siteName = (code) => (BOOT.places.sites.find((s) => s.code === code) || { name: code }).name;
  const stationConf = (id) => BOOT.places.payment_stations.find((p) => p.id === id) || { id, number: "?", colour: "#888" };
  const pct = (x) => `${((x || 0) * 100).toFixed(1)}%`;
  const kindText = (kind) => { const key = ["office.kind_" + kind, "office_close.kind_" + kind].find(T.has); return key ? T(key) : kind; };
  const base = () => `/api/close/${encodeURIComponent(S.site)}/${S.day}`;
  /* What was typed for a station (kept in sessionStorage by site, day and station). */
  const entryOf = (id) => (S.entries[id] = S.entries[id] || CC.restore(S.site, S.day, id));
  const saveEntry = (id) => CC.save(S.site, S.day, id, entryOf(id));
  const typed = (id) => CC.typed(entryOf(id));
  const countedTotal = (id) => CC.total(entryOf(id));
  const countedBody = (id) => CC.body(entryOf(id));

  /* --- loading ------------------------------------------------------------------------------ */
  async function load() {
    const [summary, stations] = await Promise.all([
      api("GET", base()),
      api("GET", `/api/stations?site=${encodeURIComponent(S.site)}`).catch(() => []),
    ]);
    S.summary = summary;
    S.machines = Object.fromEntries(stations.map((st) => [st.id, st.changer.counts]));
    if (S.findingsSource === "current") S.findings = summary.findings;
    draw();
  }
  const reload = coalesce(() => load().catch((err) => toast(errorText(err), "error")));

  /* --- drawing ------------------------------------------------------------------------------ */
  function draw() {
    const s = S.summary;
    const closed = s.state === "closed";
    $("day-state").textContent = T(closed ? "office_close.state_closed" : "office_close.state_open");
    $("day-state").className = "pill " + (closed ? "pill-paid" : "pill-open");
    $("day-wareki").textContent = s.date_wareki;
    $("sheet-xlsx").href = `${base()}/sheet?format=xlsx`;
    $("sheet-csv").href = `${base()}/sheet?format=csv`;
    $("interim").disabled = closed;
    $("print-slip").disabled = closed;
    $("kpi-sales").textContent = T("office_close.count_n", { n: digits(s.sales_count) });
    $("kpi-payments").textContent = T("office.kpi_payments", { n: digits(s.payments_count) });
    $("kpi-gross").textContent = yen(s.gross);
    $("kpi-net").textContent = `${T("office_close.kpi_net")} ${yen(s.net)}`;
    $("kpi-cashless").textContent = pct(s.cashless_share);
    $("kpi-incidents").textContent = String(s.open_incidents);
    $("kpi-incidents-box").classList.toggle("kpi-bad", s.open_incidents > 0);
    drawFindings();
    drawStations();
    drawSiteClose();
    drawTotals();
    drawIncidents();
  }

  /* Someone typing a count keeps their field: the cards are redrawn when they leave it. */
  function drawStations() {
    const active = document.activeElement;
    if (!S.summary) return;
    if (active && active.tagName === "INPUT" && $("stations").contains(active)) { S.stale = true; return; }
    S.stale = false;
    clear($("stations"), ...S.summary.stations.map(stationCard));
  }

  function drawFindings() {
    const list = S.findings || [];
    const source = { current: "office_close.findings_current", interim: "office_close.findings_from_interim",
      refusal: "office_close.findings_from_refusal", confirm: "office_close.findings_need_confirm" }[S.findingsSource];
    $("findings-source").textContent = T(source);
    $("findings-card").classList.toggle("is-refused", S.findingsSource === "refusal");
    $("findings-card").classList.toggle("is-confirm", S.findingsSource === "confirm");
    $("findings-none").hidden = list.length > 0;
    clear($("findings"), ...list.map((f) => h("li", { class: "finding finding-" + f.severity, dataset: { code: f.code, station: f.station || "" } },
      h("span", { class: "pill finding-severity" }, T("office_close.severity_" + f.severity)),
      h("span", { class: "finding-text" }, f.message_ja || f.message))));
  }

  function figureRow(key, amount, strong) {
    return h("div", { class: "status-row" + (strong ? " is-strong" : "") }, h("dt", {}, T("office_close." + key)), h("dd", {}, yen(amount)));
  }

  function overShortText(diff) {
    if (diff === 0) return T("office_close.even");
    return T(diff > 0 ? "office_close.over" : "office_close.short", { amount: yen(Math.abs(diff)) });
  }

  function stationCard(st) {
    const conf = stationConf(st.id);
    const head = h("div", { class: "station-card-head" }, stationChip(conf),
      h("div", {}, h("h3", {}, st.name), h("span", { class: "station-card-site" }, siteName(S.site))),
      h("span", { class: "pill " + (st.closed ? "pill-paid" : "pill-open") }, T(st.closed ? "office_close.state_closed" : "office_close.state_open")));
    const figures = h("dl", { class: "status-list figures" },
      figureRow("col_float", st.float), figureRow("col_received", st.received), figureRow("col_change", -st.change),
      figureRow("col_refunds", -st.refunds), figureRow("col_cash_in", st.cash_in), figureRow("col_cash_out", -st.cash_out),
      st.adjustments ? figureRow("col_adjustments", st.adjustments) : null,
      figureRow("col_expected", st.expected, true),
      st.machine !== null && st.machine !== undefined && (st.closed || entryOf(st.id).revealed) ? figureRow("col_machine", st.machine) : null);
    const card = h("article", { class: "station-card count-card", dataset: { station: st.id } }, head, figures);
    if (st.closed) {
      card.append(closedView(st));
      return card;
    }
    card.append(countForm(st));
    return card;
  }

  function closedView(st) {
    const by = st.counted_by_denomination || {};
    return h("div", { class: "closed-view" },
      h("dl", { class: "status-list" },
        figureRow("col_counted", st.counted),
        h("div", { class: "status-row is-strong" + (st.over_short ? " is-bad" : "") }, h("dt", {}, T("office_close.col_over_short")), h("dd", { class: "over-short" }, overShortText(st.over_short)))),
      st.reason ? h("p", { class: "reason-text" }, `${T("office_close.reason")}: ${st.reason}`) : null,
      h("table", { class: "denoms" }, h("tbody", {}, DENOMS.filter((d) => by[d]).map((d) => h("tr", {},
        h("th", {}, T("office_close.yen_denom", { d: digits(d) })), h("td", { class: "num" }, digits(by[d])), h("td", { class: "num" }, yen(d * by[d])))))),
      h("p", { class: "muted" }, T("office_close.closed_by", { who: personName(st.closed_by), time: st.closed_at ? clock(st.closed_at) : "" })));
  }

  function countForm(st) {
    const id = st.id;
    const confirmBox = h("label", { class: "confirm-warnings", hidden: !S.confirm[id] },
      h("input", { type: "checkbox", checked: S.confirm[id] === "yes", onchange: (ev) => { S.confirm[id] = ev.target.checked ? "yes" : "shown"; } }),
      h("span", {}, T("office_close.confirm_warnings")));
    return CC.form(st, { entry: entryOf(id), machine: S.machines[id] || {}, canApprove, name: st.name,
      saveEntry: () => saveEntry(id), redraw: draw, overShortText, confirmBox, close: () => closeStation(st) });
  }

  function drawSiteClose() {
    const s = S.summary;
    const body = $("site-close-body");
    if (s.state === "closed") {
      clear(body, h("p", { class: "strong site-closed" }, T("office_close.site_closed", { date: s.date_wareki })),
        h("p", { class: "muted" }, T("office_close.approved_by", { who: personName(s.approved_by), time: s.approved_at ? clock(s.approved_at) : "" })),
        s.anchor ? h("p", { class: "anchor-code", dataset: { written: String(s.anchor.written) } }, T("office_close.anchor_code", { code: s.anchor.code })) : null);
      return;
    }
    if (!canApprove) {
      clear(body, h("p", { class: "muted" }, T("office_close.only_supervisor")));
      return;
    }
    const note = h("input", { type: "text", maxlength: "300", id: "site-note", value: S.siteNote, oninput: (ev) => { S.siteNote = ev.target.value; } });
    const confirm = h("label", { class: "confirm-warnings", hidden: !S.confirm["*"] },
      h("input", { type: "checkbox", id: "site-confirm", checked: S.confirm["*"] === "yes", onchange: (ev) => { S.confirm["*"] = ev.target.checked ? "yes" : "shown"; } }),
      h("span", {}, T("office_close.confirm_warnings")));
    clear(body, h("div", { class: "site-close-form" },
      h("label", { class: "field" }, h("span", {}, T("office_close.site_note")), note), confirm,
      h("button", { type: "button", class: "btn btn-primary", id: "close-site", onclick: closeSite },
        T("office_close.close_site_button", { date: s.date_wareki }))));
  }

  function table(titleKey, rows) {
    return h("div", { class: "totals-block" }, h("h3", {}, T(titleKey)),
      h("table", { class: "table table-compact" },
        h("thead", {}, h("tr", {}, h("th", {}, T("office_close.col_item")), h("th", { class: "num" }, T("office_close.col_count")), h("th", { class: "num" }, T("office_close.col_amount")))),
        h("tbody", {}, rows.length ? rows.map(([label, count, amount]) => h("tr", {}, h("td", {}, label), h("td", { class: "num" }, digits(count)), h("td", { class: "num" }, yen(amount))))
          : h("tr", {}, h("td", { class: "muted", colspan: "3" }, T("office_close.none_today"))))));
  }

  function drawTotals() {
    const s = S.summary;
    const cats = ["cash", "emoney", "credit", "qr"].map((c) => [T("common.category." + c), s.by_category[c].count, s.by_category[c].amount]);
    const sorted = (obj) => Object.entries(obj).sort((a, b) => b[1].amount - a[1].amount);
    const brands = sorted(s.by_brand).map(([code, v]) => [BOOT.brands[code] || code, v.count, v.amount]);
    const lines = Object.entries(s.by_revenue_line).map(([code, v]) => [`${code} ${BOOT.revenue_lines[code] || ""}`, v.count, v.amount]);
    const fees = sorted(s.by_fee_item).map(([code, v]) => [BOOT.fees[code] || code, v.count, v.amount]);
    const other = [[T("office_close.voids"), s.voids.count, s.voids.amount], [T("office_close.refunds"), s.refunds.count, s.refunds.amount],
      [T("office_close.refunds_pending"), s.refunds_pending.count, s.refunds_pending.amount]];
    const exemptions = Object.entries(s.exemptions).map(([reason, v]) =>
      h("li", {}, `${T.has("register.exemption." + reason) ? T("register.exemption." + reason) : reason}: ${T("office_close.exemption_lines", { lines: v.lines, copies: v.copies })}`));
    clear($("totals"), table("office_close.by_category", cats), table("office_close.by_brand", brands),
      table("office_close.by_revenue_line", lines), table("office_close.by_fee_item", fees),
      h("div", { class: "totals-block" }, table("office_close.voids_refunds", other),
        h("h3", {}, T("office_close.exemptions")), exemptions.length ? h("ul", { class: "plain-list" }, exemptions) : h("p", { class: "muted" }, "—")));
  }

  function drawIncidents() {
    const rows = S.summary.incidents || [];
    $("incident-empty").hidden = rows.length > 0;
    clear($("incident-rows"), ...rows.map((i) => h("tr", { dataset: { kind: i.kind } },
      h("td", { class: "age" }, clock(i.opened_at), i.carried_over ? h("small", { class: "muted block" }, T("office_close.carried_over")) : null),
      h("td", {}, kindText(i.kind)),
      h("td", {}, i.station ? T("common.station_label", { number: stationConf(i.station).number }) : "—"),
      h("td", { class: "num" }, yen(i.amount)),
      h("td", {}, h("span", { class: "pill " + (i.state === "open" ? "pill-in_doubt" : "pill-paid") }, T(i.state === "open" ? "office_close.incident_open" : "office_close.incident_resolved"))),
      h("td", { class: "summary" }, incidentSummary(i)))));
  }

  /* --- actions ------------------------------------------------------------------------------ */
  function showFindings(list, source) {
    S.findings = list;
    S.findingsSource = source;
    drawFindings();
    $("findings-card").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  /* A refusal made only of warnings can be confirmed: show the box for it. */
  function refused(err, key) {
    const findings = (err.data && err.data.findings) || [];
    if (err.code !== "close_refused") { toast(errorText(err), "error"); return; }
    const onlyWarnings = !findings.some((f) => f.severity === "error");
    if (onlyWarnings && !S.confirm[key]) S.confirm[key] = "shown";
    showFindings(findings, onlyWarnings ? "confirm" : "refusal");
    draw();
  }

  async function interim(printAt) {
    if (!S.summary) await load();  /* asked before the page's first load came back */
    const counted = {};
    const reasons = {};
    S.summary.stations.filter((st) => !st.closed && typed(st.id)).forEach((st) => {
      counted[st.id] = countedBody(st.id);
      if ((entryOf(st.id).reason || "").trim()) reasons[st.id] = entryOf(st.id).reason.trim();
    });
    try {
      const result = await api("POST", `${base()}/interim`, { counted, reasons, print_at: printAt || null });
      S.summary = result;
      S.findings = result.findings;
      S.findingsSource = "interim";
      draw();
      const printed = result.printed;
      if (printed && !printed.ok) toast(T("office_close.slip_not_printed", { why: printed.error }), "error");
      else if (printed) toast(T("office_close.slip_printed", { station: stationConf(printAt).name || printAt }), "ok");
      else toast(T("office_close.interim_done"), "ok");
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  async function closeStation(st) {
    const id = st.id;
    if (!typed(id)) { toast(T("office_close.not_counted"), "error"); return; }
    const entry = entryOf(id);
    const reason = (entry.reason || "").trim();
    if (countedTotal(id) !== st.expected && !reason) { toast(T("office_close.reason_needed"), "error"); draw(); return; }
    if (!(await CC.confirmClose(st, entry, st.name, overShortText))) return;
    try {
      await api("POST", `${base()}/stations/${encodeURIComponent(id)}`,
        { counted: countedBody(id), reason: reason || null, confirm_warnings: S.confirm[id] === "yes",
          counted_from_machine: Boolean(entry.copied) });
      CC.forget(S.site, S.day, id);
      delete S.entries[id];
      delete S.confirm[id];
      S.findingsSource = "current";
      toast(T("common.done"), "ok");
      await load();
    } catch (err) {
      refused(err, id);
    }
  }

  async function closeSite() {
    if (await ask(T("office_close.confirm_close_site", { site: siteName(S.site), date: S.summary.date_wareki })) === null) return;
    try {
      await api("POST", base(), { note: S.siteNote.trim() || null, confirm_warnings: S.confirm["*"] === "yes" });
      delete S.confirm["*"];
      S.findingsSource = "current";
      toast(T("common.done"), "ok");
      await load();
    } catch (err) {
      refused(err, "*");
    }
  }

  /* --- wiring -------------------------------------------------------------------------------- */
  const siteSelect = $("site");
  BOOT.sites.forEach((code) => siteSelect.append(h("option", { value: code }, siteName(code))));
  siteSelect.value = S.site;
  $("day").value = S.day;
  $("day").max = BOOT.today;
  const switchTo = () => { S.entries = {}; S.confirm = {}; S.findingsSource = "current"; reload(); };
  siteSelect.addEventListener("change", () => { S.site = siteSelect.value; switchTo(); });
  $("day").addEventListener("change", () => { if ($("day").value) { S.day = $("day").value; switchTo(); } });
  $("interim").addEventListener("click", () => interim(null));
  $("print-slip").addEventListener("click", () => interim($("slip-printer").value));
  const fillPrinters = () => clear($("slip-printer"), ...BOOT.places.payment_stations.filter((p) => p.site === S.site)
    .map((p) => h("option", { value: p.id }, p.name)));
  fillPrinters();
  siteSelect.addEventListener("change", fillPrinters);
  $("stations").addEventListener("focusout", () => setTimeout(() => { if (S.stale) drawStations(); }, 0));
  live("/events/office", (keys) => {
    if (keys === null || keys.some((k) => k === "journal" || k === `site:${S.site}` || k.startsWith("station:"))) reload();
  }, showConnection);
})();
