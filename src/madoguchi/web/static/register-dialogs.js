/* The register's dialogs: where this device works (site and staff station), an exemption,
 * a cancellation with its reason, and a supervisor's approval on the spot. Uses the state and
 * actions of register.js (loaded after this file; everything here runs on a click). */
"use strict";

/* --- place: site and staff station, remembered on the device ----------------------------- */
function choosePlace() {
  const dialog = document.getElementById("place-dialog");
  const sites = BOOT.places.sites.filter((s) => maySell(s.code));
  let site = (S.place && S.place.site) || (sites.length === 1 ? sites[0].code : null);
  let desk = S.place && S.place.desk;
  const start = document.getElementById("place-start");
  function draw() {
    clear(document.getElementById("site-choices"), ...sites.map((s) => h("button", {
      type: "button", class: "choice-btn" + (s.code === site ? " is-selected" : ""), "aria-pressed": String(s.code === site),
      onclick: () => { site = s.code; desk = null; draw(); } }, s.name)));
    const desks = BOOT.places.staff_stations.filter((d) => d.site === site);
    clear(document.getElementById("desk-choices"), ...desks.map((d) => h("button", {
      type: "button", class: "choice-btn" + (d.id === desk ? " is-selected" : ""), "aria-pressed": String(d.id === desk),
      onclick: () => { desk = d.id; draw(); } }, d.name)));
    start.disabled = !(site && desk);
  }
  draw();
  document.getElementById("place-form").onsubmit = (ev) => {
    ev.preventDefault();
    if (!(site && desk)) return;
    S.place = { site, desk };
    localStorage.setItem(PLACE_KEY, JSON.stringify(S.place));
    dialog.close();
    start_();
  };
  dialog.oncancel = (ev) => { if (!S.place) ev.preventDefault(); };
  dialog.showModal();
}

function askExemption(line) {
  const dialog = document.getElementById("exempt-dialog");
  document.getElementById("exempt-line").textContent = `${line.name_ja} × ${line.quantity}`;
  const error = document.getElementById("exempt-error");
  const note = document.getElementById("exempt-note");
  error.hidden = true;
  note.value = line.exemption_note || "";
  const lift = document.getElementById("exempt-lift");
  lift.hidden = !line.exemption;
  lift.onclick = () => { dialog.close(); serial(async () => { await replaceLine(line, { exemption: null, exemption_note: null }); RV.sale(); }); };
  document.getElementById("exempt-form").onsubmit = (ev) => {
    ev.preventDefault();
    const reason = dialog.querySelector('input[name="exemption"]:checked').value;
    if (reason === "other" && !note.value.trim()) { error.textContent = T("register.exempt_note"); error.hidden = false; return; }
    dialog.close();
    serial(async () => { await replaceLine(line, { exemption: reason, exemption_note: note.value.trim() || null }); RV.sale(); });
  };
  dialog.showModal();
}

function askCancel(sale) {
  const dialog = document.getElementById("cancel-dialog");
  clear(document.getElementById("cancel-what"), h("span", {}, RV.items(sale)), h("span", {}, yen(sale.total)));
  document.getElementById("cancel-error").hidden = true;
  document.getElementById("cancel-form").onsubmit = (ev) => {
    ev.preventDefault();
    const reason = dialog.querySelector('input[name="reason"]:checked').value;
    dialog.close();
    serial(async () => {
      const done = await api("POST", `/api/sales/${sale.id}/cancel`, { reason });
      if (S.sale && S.sale.id === sale.id) { S.sale = null; S.order.clear(); }
      upsert(done);
      RV.sale(); RV.active(); RV.today();
      focusKeypad();
    });
  };
  dialog.showModal();
}

/* A supervisor approves on the spot: their login and password go with the clerk's request
 * (POST /api/screens/approvals); the action is done as the supervisor, no session is kept. */
function askApproval(kind, sale) {
  const dialog = document.getElementById("approval-dialog");
  const error = document.getElementById("approval-error");
  document.getElementById("approval-title").textContent = T(kind === "refund" ? "register.approval_refund" : "register.approval_allow_cash");
  clear(document.getElementById("approval-what"), h("span", {}, RV.items(sale)), h("span", {}, yen(sale.total)));
  ["approval-reason", "approval-login", "approval-password"].forEach((id) => { document.getElementById(id).value = ""; });
  error.hidden = true;
  const picker = kind === "refund" ? refundPicker(sale) : null;  // which copies go back (register-refund.js)
  document.getElementById("refund-lines").hidden = !picker;
  if (picker) picker.load().catch((err) => { error.textContent = errorText(err); error.hidden = false; });
  document.getElementById("approval-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const reason = document.getElementById("approval-reason").value.trim();
    const login = document.getElementById("approval-login").value.trim();
    const password = document.getElementById("approval-password").value;
    const submit = document.getElementById("approval-submit");
    const pick = picker && picker.request();
    if (picker && !pick) { error.textContent = T("register.refund_none"); error.hidden = false; return; }
    submit.disabled = true;
    try {
      const partial = pick && !pick.whole;
      const answer = partial
        ? await api("POST", "/api/screens/approvals/partial-refund",
          { sale_id: sale.id, id: uuid(), reason, login, password, lines: pick.lines })
        : await api("POST", "/api/screens/approvals",
          { action: kind, sale_id: sale.id, id: uuid(), reason, login, password });
      upsert(answer.sale);
      if (kind === "refund") {
        const made = partial ? picker.fresh(answer.refunds) : answer.refunds;
        const methods = made.map((r) => T("register.refund_method." + r.method)).join(T("common.separator"));
        toast(partial ? T("register.refund_partial_done", { amount: yen(made.reduce((a, r) => a + r.amount, 0)), method: methods })
          : T("register.refund_done", { method: methods }), "ok");
      }
      dialog.close();
      RV.active(); RV.today();
    } catch (err) {
      error.textContent = err.status === 401 ? T("login.failed") : errorText(err);
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  };
  dialog.showModal();
}

