/* Close of month (the back office): upload the agent's statements for a month and run the
 * matching, read the result (classes, fees, the transfer, deposits, the three-way check),
 * the exceptions item by item (filtered by class, site and brand, each with its evidence
 * and a link to its sale), past runs of the month, and every open incident with its inquiry log. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const R = { month: BOOT.month, run: null, runs: [], incidents: [], pending: null, exceptions: [] };
  const siteName = (code) => (BOOT.places.sites.find((s) => s.code === code) || { name: code }).name;
  const stationConf = (id) => BOOT.places.payment_stations.find((p) => p.id === id);
  const place = (i) => {
    const p = stationConf(i.station);
    return p ? T("common.joined", { a: siteName(p.site), b: T("common.station_label", { number: p.number }) }) : siteName(i.site);
  };
  const CLASS_ORDER = ["matched", "missing_in_statement", "missing_in_register", "amount_mismatch", "fee_mismatch",
    "duplicate_in_statement", "other_period", "in_doubt_resolved_paid", "in_doubt_resolved_not_paid", "in_doubt_open",
    "not_yet_due"];
  const exceptions = (counts) => Object.entries(counts || {}).filter(([k]) => k !== "matched").reduce((n, [, v]) => n + v, 0);

  /* --- the result of one run ------------------------------------------------------------------ */
  function moneyRow(key, amount, strong) {
    return h("div", { class: "status-row" + (strong ? " is-strong" : "") }, h("dt", {}, T("office_reconcile." + key)), h("dd", {}, yen(amount)));
  }

  function drawRun() {
    const run = R.run;
    $("no-run").hidden = !!run;
    $("result").hidden = !run;
    if (!run) { $("result-of").textContent = ""; return; }
    const s = run.summary;
    $("result-of").textContent = T("office_reconcile.run_of", { time: run.ran_at.replace("T", " ").slice(0, 16), who: run.ran_by_name || run.ran_by, id: run.id });
    $("partial").hidden = s.complete !== false;
    clear($("class-rows"), ...CLASS_ORDER.filter((c) => c in s.counts).map((c) => h("tr", { dataset: { cls: c }, class: c !== "matched" && s.counts[c] ? "is-flagged" : "" },
      h("td", {}, BOOT.classes[c] || c), h("td", { class: "num" }, digits(s.counts[c])))));
    const from = (s.transfer && s.transfer.from) || {};
    clear($("money"), moneyRow("register_gross", s.register_gross), moneyRow("statement_gross", s.statement_gross),
      moneyRow("fees", s.fees), moneyRow("expected_fees", s.expected_fees), moneyRow("net", s.net),
      moneyRow("transfer", s.transfer_amount, true),
      ...(s.transfer && s.transfer.provisional ? [h("div", { class: "status-row transfer-provisional" }, h("dt", {}, T("office_reconcile.transfer_provisional")), h("dd", {}))] : []),
      ...(s.transfer && s.transfer.disputed && s.transfer.disputed.length ? [moneyRow("transfer_disputed", s.transfer.disputed_fee)] : []),
      h("div", { class: "status-row transfer-from" }, h("dt", {}, T("office_reconcile.transfer_from", { code: from.code || "", name: from.name || "" })), h("dd", {})));
    $("dl-report").href = `/api/reconcile/runs/${run.id}/report`;
    $("dl-matched").href = `/api/reconcile/runs/${run.id}/matched`;
    clear($("imported"), ...(s.statements || []).map((st) => h("li", {}, `${st.filename}: `,
      st.new ? T("office_reconcile.imported_new", { rows: digits(st.rows) }) : T("office_reconcile.imported_again"))));
    clear($("deposit-rows"), ...(s.deposits || []).map((d) => {
      const diff = d.statement_net - d.expected_net;
      return h("tr", { class: diff ? "is-flagged" : "" }, h("td", {}, d.date), h("td", { class: "num" }, yen(d.expected_net)),
        h("td", { class: "num" }, yen(d.statement_net)), h("td", { class: "num" }, yen(diff)));
    }));
    const days = (s.three_way || []).filter((d) => d.differs !== false || (d.unclosed || []).length);  // days only corrected agree
    $("three-way-none").hidden = days.length > 0;
    $("three-way-table").hidden = days.length === 0;
    const cell = (v) => h("td", { class: "num" }, v === null || v === undefined ? T("office_reconcile.not_closed") : yen(v));
    clear($("three-way-rows"), ...days.map((d) => h("tr", {}, h("td", {}, d.date), cell(d.register), cell(d.daily_sheet), cell(d.statement),
      h("td", {}, (d.unclosed || []).map(siteName).join(T("common.separator"))))));
  }

  /* --- the exceptions, item by item --------------------------------------------------------------- */
  function evidence(e) {
    const rows = e.rows.map((r) => h("span", { class: "block" }, T("office_reconcile.evidence_row", {
      source: r.source, line: r.line, kind: T.has("office_reconcile.row_kind_" + r.kind) ? T("office_reconcile.row_kind_" + r.kind) : r.kind,
      gross: yen(r.gross), fee: yen(r.fee), deposit: r.deposit_date })));
    if (!rows.length) rows.push(h("span", { class: "block muted" }, T("office_reconcile.evidence_none")));
    if (e.note) rows.push(h("small", { class: "block muted" }, e.note));
    if (e.candidates.length) rows.push(h("small", { class: "block" }, T("office_reconcile.candidates", { refs: e.candidates.join(T("common.separator")) })));
    return rows;
  }

  function drawExceptions() {
    const want = { cls: $("filter-class").value, site: $("filter-site").value, brand: $("filter-brand").value };
    const shown = R.exceptions.filter((e) => (!want.cls || e.class === want.cls) && (!want.site || e.site === want.site)
      && (!want.brand || e.brand === want.brand));
    $("exceptions-count").textContent = T("office_reconcile.exceptions_count", { n: digits(shown.length) });
    $("exceptions-none").hidden = shown.length > 0;
    clear($("exception-rows"), ...shown.map((e) => h("tr", { dataset: { cls: e.class, ref: e.ref } },
      h("td", {}, BOOT.classes[e.class] || e.class), h("td", {}, e.day), h("td", {}, e.site ? siteName(e.site) : "-"),
      h("td", {}, e.brand ? (BOOT.brands[e.brand] || e.brand) : "-"),
      h("td", { class: "num" }, e.amount === null ? "-" : yen(e.amount)), h("td", { class: "evidence" }, ...evidence(e)),
      h("td", {}, e.sale_id ? h("a", { href: `/api/sales/${e.sale_id}`, target: "_blank", rel: "noopener", class: "sale-link" }, T("office_reconcile.open_sale"))
        : h("span", { class: "muted" }, T("office_reconcile.no_sale"))))));
  }

  function fillFilter(id, values, label) {
    const keep = $(id).value;
    clear($(id), h("option", { value: "" }, T("office_reconcile.filter_all")), ...values.map((v) => h("option", { value: v }, label(v))));
    $(id).value = values.includes(keep) ? keep : "";
  }

  async function loadExceptions() {
    $("exceptions-card").hidden = !R.run;
    if (!R.run) return;
    R.exceptions = await api("GET", `/api/reconcile/runs/${R.run.id}/exceptions`);
    const uniq = (xs) => [...new Set(xs.filter(Boolean))].sort();
    fillFilter("filter-class", CLASS_ORDER.filter((c) => R.exceptions.some((e) => e.class === c)), (c) => BOOT.classes[c] || c);
    fillFilter("filter-site", uniq(R.exceptions.map((e) => e.site)), siteName);
    fillFilter("filter-brand", uniq(R.exceptions.map((e) => e.brand)), (b) => BOOT.brands[b] || b);
    drawExceptions();
  }

  function drawRuns() {
    $("run-empty").hidden = R.runs.length > 0;
    clear($("run-rows"), ...R.runs.map((r) => h("tr", { class: R.run && R.run.id === r.id ? "is-current" : "" },
      h("td", {}, String(r.id)), h("td", {}, r.ran_at.replace("T", " ").slice(0, 16)), h("td", {}, r.ran_by_name || r.ran_by),
      h("td", { class: "num" }, digits((r.counts || {}).matched || 0)), h("td", { class: "num" }, digits(exceptions(r.counts))),
      h("td", { class: "num" }, yen(r.transfer_amount)),
      h("td", {}, h("button", { type: "button", class: "btn btn-quiet btn-sm", onclick: () => showRun(r.id) }, T("office_reconcile.show"))))));
  }

  async function showRun(id) {
    R.run = await api("GET", `/api/reconcile/runs/${id}`);
    drawRun();
    drawRuns();
    await loadExceptions();
  }

  async function loadMonth() {
    R.runs = await api("GET", `/api/reconcile/runs?month=${R.month}`);
    if (R.runs.length) await showRun(R.runs[0].id);
    else { R.run = null; drawRun(); drawRuns(); await loadExceptions(); }
  }

  /* --- open incidents and inquiries ----------------------------------------------------------- */
  async function loadIncidents() {
    R.incidents = await api("GET", "/api/reconcile/open-incidents");
    $("incident-empty").hidden = R.incidents.length > 0;
    clear($("incident-rows"), ...R.incidents.map((i) => {
      const kind = T.has("office.kind_" + i.kind) ? T("office.kind_" + i.kind)
        : T.has("office_reconcile.kind_" + i.kind) ? T("office_reconcile.kind_" + i.kind) : i.kind;
      const q = i.last_inquiry;
      const last = q ? [h("span", { class: "block" }, T("office_reconcile.inquiry_line", { when: q.asked_at.replace("T", " ").slice(0, 16), whom: q.asked_whom })),
        h("small", { class: q.answer ? "" : "muted" }, q.answer || T("office_reconcile.no_answer"))] : h("span", { class: "muted" }, T("office_reconcile.no_inquiry"));
      return h("tr", { dataset: { incident: i.id, kind: i.kind } },
        h("td", { class: "age strong" }, T("office_reconcile.age_days", { n: i.age_days })), h("td", {}, kind),
        h("td", {}, place(i), i.brand ? h("small", { class: "block muted" }, BOOT.brands[i.brand] || i.brand) : null),
        h("td", { class: "num" }, yen(i.amount)), h("td", { class: "last-inquiry" }, last),
        h("td", {}, h("button", { type: "button", class: "btn btn-sm btn-secondary record-inquiry", onclick: () => askInquiry(i) }, T("office_reconcile.record_inquiry"))));
    }));
  }

  function localNow() {
    const d = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 16);
  }

  /* datetime-local has no zone: the office works in Japan time. */
  const withZone = (local) => `${local}:00+09:00`;

  async function askInquiry(incident) {
    const dialog = $("inquiry-dialog");
    clear($("inquiry-what"), h("span", {}, place(incident)), h("span", {}, BOOT.brands[incident.brand] || incident.brand || ""), h("span", {}, yen(incident.amount)));
    $("inquiry-error").hidden = true;
    $("asked-whom").value = "";
    $("asked-at").value = localNow();
    $("answer").value = "";
    const id = uuid();  /* one id per dialog: a double submit records it once */
    clear($("inquiry-history"));
    $("inquiry-history-title").hidden = true;
    api("GET", `/api/incidents/${incident.id}/inquiries`).then((log) => {
      $("inquiry-history-title").hidden = log.length === 0;
      clear($("inquiry-history"), ...log.map((q) => h("li", {}, T("office_reconcile.inquiry_answered",
        { when: q.asked_at.replace("T", " ").slice(0, 16), whom: q.asked_whom, answer: q.answer || T("office_reconcile.no_answer") }))));
    }).catch(() => {});
    $("inquiry-form").onsubmit = async (ev) => {
      ev.preventDefault();
      try {
        await api("POST", `/api/incidents/${incident.id}/inquiries`, {
          id, asked_whom: $("asked-whom").value.trim(), asked_at: withZone($("asked-at").value),
          answer: $("answer").value.trim() || null,
        });
        dialog.close();
        toast(T("common.done"), "ok");
        await loadIncidents();
      } catch (err) {
        $("inquiry-error").textContent = errorText(err);
        $("inquiry-error").hidden = false;
      }
    };
    dialog.showModal();
  }

  /* --- upload ------------------------------------------------------------------------------------ */
  async function upload(ev) {
    ev.preventDefault();
    const files = $("statements").files;
    const error = $("upload-error");
    error.hidden = true;
    if (!files.length) { error.textContent = T("office_reconcile.choose_file"); error.hidden = false; return; }
    const form = new FormData();
    form.append("month", R.month);
    for (const f of files) form.append("statements", f, f.name);
    if ($("mapping").files.length) form.append("mapping", $("mapping").files[0], $("mapping").files[0].name);
    if ($("complete").value) form.append("complete", $("complete").value);  /* empty: judged from the dates */
    R.pending = R.pending || uuid();  /* the same upload retried keeps its key */
    const button = $("run");
    button.disabled = true;
    button.textContent = T("office_reconcile.running");
    try {
      const summary = await api("POST", "/api/reconcile", undefined, { files: form, headers: { "Idempotency-Key": R.pending } });
      R.pending = null;
      toast(summary.replayed ? T("office_reconcile.replayed") : T("common.done"), "ok");
      R.runs = await api("GET", `/api/reconcile/runs?month=${R.month}`);
      await showRun(summary.run_id);
      await loadIncidents();
    } catch (err) {
      if (err.status && err.status < 500) R.pending = null;  /* refused: a corrected file is a new request */
      if (err.code === "statement_invalid") {  /* the file did not parse: what to do, then where (line, column, value) */
        error.replaceChildren(h("strong", { class: "block" }, T("office_reconcile.refused")),
          h("span", { class: "block" }, T("office_reconcile.refused_hint")), h("span", { class: "block" }, errorText(err)),
          h("ul", { class: "error-detail" }, (err.data.rows || []).map((r) => h("li", {},
            T(r.value === null || r.value === undefined ? "office_reconcile.bad_row_empty" : "office_reconcile.bad_row",
              { line: r.line, column: r.column, value: r.value })))));
      } else {
        error.replaceChildren(h("strong", { class: "block" }, errorText(err)));
      }
      error.hidden = false;
    } finally {
      button.disabled = false;
      button.textContent = T("office_reconcile.run");
    }
  }

  /* --- wiring -------------------------------------------------------------------------------------- */
  function monthOptions() {
    const [y, m] = BOOT.max_month.split("-").map(Number);
    const options = [];
    for (let i = 0; i < 36; i += 1) {
      const d = new Date(y, m - 1 - i, 1);
      const value = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
      options.push(h("option", { value }, T("office_reconcile.month_label", { y: d.getFullYear(), m: d.getMonth() + 1 })));
    }
    clear($("month"), ...options);
    $("month").value = R.month;
  }

  function showChosen(id) {
    const files = [...$(id).files];
    $(id + "-names").textContent = files.length
      ? (files.length > 1 ? T("office_reconcile.files_chosen", { n: files.length, names: files.map((f) => f.name).join(T("common.separator")) }) : files[0].name)
      : T("office_reconcile.none_chosen");
    $(id + "-names").classList.toggle("is-chosen", files.length > 0);
  }

  monthOptions();
  ["filter-class", "filter-site", "filter-brand"].forEach((id) => $(id).addEventListener("change", drawExceptions));
  $("month").addEventListener("change", () => {
    if (!$("month").value) return;
    R.month = $("month").value;
    R.pending = null;
    loadMonth().catch((err) => toast(errorText(err), "error"));
  });
  if (BOOT.may_run) {
    ["statements", "mapping"].forEach((id) => $(id).addEventListener("change", () => showChosen(id)));
    ["statements", "mapping", "complete"].forEach((id) => $(id).addEventListener("change", () => { R.pending = null; }));
    $("upload").addEventListener("submit", upload);
  }
  Promise.all([loadMonth(), loadIncidents()]).catch((err) => toast(errorText(err), "error"));
})();
