/* The resident's payment station: pay the sale this station is given, in cash or cashless.
 * The server decides the phase (idle, due, cash, paying, paid, in_doubt, fault); this script
 * keeps only the resident's choices on the way (category, brand) and the language.
 * API: /station/{id}/api/... with this screen's pairing cookie; live: /station/{id}/events. */
"use strict";

const STATION = BOOT.station;
const BASE = `/station/${encodeURIComponent(STATION.id)}`;
const BRANDS = BOOT.brands;
const GROUP_LABEL = { transit: "station.transit", credit: "station.credit" };
const main = document.getElementById("screen");

let lang = "ja";
let TS = makeT(BOOT.texts.ja);
let state = null;
const ui = { saleRef: null, view: "method", category: null, choice: null, busy: false, attemptId: null,
  noticeAck: null, noticeSeen: null, paidAck: null, lastPhase: null, served: null, paidShown: null };
/* How long "paid" stays on screen (the server keeps it no longer: station_view.PAID_SHOWN). */
const PAID_SHOWN_MS = 30000;

function money(n) { return TS("station.yen", { amount: digits(n) }); }

/* --- language ------------------------------------------------------------------------- */
function setLang(next) {
  lang = BOOT.texts[next] ? next : "ja";
  TS = makeT(BOOT.texts[lang]);
  document.documentElement.lang = BOOT.html_lang[lang];
  document.querySelectorAll(".lang").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
  setText(document.getElementById("station-name"), TS("station.name", { number: STATION.number }));
  setText(document.getElementById("connection"), TS("station.connection_lost"));
  setText(document.getElementById("training-banner"), TS("station.training_banner"));
  render();
}
document.getElementById("lang-switch").addEventListener("click", (ev) => {
  const b = ev.target.closest(".lang");
  if (b) setLang(b.dataset.lang);
});

/* --- talking to the server ------------------------------------------------------------ */
/* Answers are applied in the order their requests were sent: an older one never wins. */
let sent = 0;
let applied = 0;
async function fetchState(method, path, body) {
  const seq = ++sent;
  const answer = await api(method, BASE + path, body);
  if (seq > applied) { applied = seq; state = answer; }
  return answer;
}

/* One action of the resident; `after` adjusts the screen's own choices before it is drawn. */
async function act(method, path, body, after) {
  ui.busy = true;
  render();
  try {
    await fetchState(method, path, body);
    return true;
  } catch (err) {
    if (err.status === 401) { location.reload(); return false; }
    if (!["changer_jammed", "cannot_make_change", "payment_in_doubt", "conflict", "invalid_transition"].includes(err.code)) {
      flash(TS("station.error"));
    }
    await refresh();
    return false;
  } finally {
    ui.busy = false;
    if (after) after();
    render();
  }
}

const refresh = coalesce(async () => {
  try {
    const answer = await fetchState("GET", "/api/state");
    // A supervisor switched this station to or from training mode: the page comes back in the other
    // mode (its banner, and the simulator panel with which the trainer plays the resident).
    if (typeof answer.training === "boolean" && answer.training !== Boolean(BOOT.training)) { location.reload(); return; }
    render();
  } catch (err) {
    if (err.status === 401) location.reload();
  }
});

let flashTimer = null;
function flash(text) {
  const bar = document.getElementById("flash");
  setText(bar, text);
  bar.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { bar.hidden = true; }, 5000);
}

function payCash() { return act("POST", "/api/cash", { id: uuid() }); }
function cancelCash() { return act("POST", "/api/cash/cancel"); }

function payCashless(brand) {
  if (!ui.attemptId) ui.attemptId = uuid(); // kept until an answer: a retry asks, never charges twice
  return act("POST", "/api/cashless", { id: ui.attemptId, brand }, () => { ui.attemptId = null; });
}

/* --- the resident's way through ---------------------------------------------------------- */
function choose(view, extra) { Object.assign(ui, { view }, extra || {}); render(); }

function chooseBrand(choice) {
  ui.choice = choice; // {brand} or {group}
  ui.view = "present";
  render();
  // A real terminal reads the card or code itself; the demo waits for the simulator panel.
  if (!BOOT.demo && choice.brand) payCashless(choice.brand);
}

function retry() {
  ui.noticeAck = state.notice_id;
  if (state.last_brand) chooseBrand({ brand: state.last_brand, category: ui.category });
  else choose("method");
}

/* --- screens ------------------------------------------------------------------------------ */
const big = (cls, ...children) => h("button", { type: "button", class: "kiosk-btn " + cls }, ...children);

/* The fee in the resident's language; the Japanese name (as on the receipt) goes beneath. */
function lineName(l) {
  if (lang === "zh") return l.name_zh || l.name_ja;
  if (lang === "ko") return l.name_ko || l.name_en;
  return lang === "ja" ? l.name_ja : l.name_en;
}

function amountBlock(sale) {
  return h("section", { class: "due" },
    h("p", { class: "due-label" }, TS("station.due")),
    h("p", { class: "due-amount", dataset: { testid: "due" } }, money(sale.due)),
    h("ul", { class: "due-lines", "aria-label": TS("station.items"), dataset: { count: String(sale.lines.length) } }, sale.lines.map((l) => h("li", {},
      h("span", { class: "due-line-name" }, lineName(l),
        lang === "ja" ? null : h("small", { lang: "ja" }, l.name_ja)),
      h("span", { class: "due-line-qty" }, TS("station.quantity", { n: l.quantity })),
      h("span", { class: "due-line-amount" }, l.exempt ? TS("station.exempt") : money(l.amount))))));
}

/* At most one notice: why the last attempt ended, else that the changer is short of change
 * (the "no change" notice already says to pay the exact amount). */
function oneNotice(kind, exactOnly) {
  const key = { no_change: "station.no_change", cash_returned: "station.cash_returned", not_completed: "station.not_completed" }[kind]
    || (exactOnly ? "station.exact_only" : null);
  return key ? h("p", { class: "kiosk-notice", role: "alert", dataset: { notice: key } }, TS(key)) : null;
}

function screenIdle() {
  return h("section", { class: "kiosk-center idle" },
    stationChip(STATION, "hero"),
    h("h1", {}, TS("station.welcome")),
    h("p", { class: "lead" }, TS("station.idle_lead")));
}

function screenDue() {
  const s = state;
  if (s.notice === "declined" && ui.noticeAck !== s.notice_id) return screenDeclined();
  const cashless = s.sale.cash_only ? null : big("kiosk-cashless",
    h("span", { class: "kiosk-btn-title" }, TS("station.cashless")),
    h("span", { class: "kiosk-btn-hint" }, s.terminal_online ? TS("station.cashless_hint") : TS("station.cashless_unavailable")));
  if (cashless) {
    cashless.disabled = !s.terminal_online || ui.busy;
    cashless.addEventListener("click", () => choose("category"));
  }
  const cash = big("kiosk-cash", h("span", { class: "kiosk-btn-title" }, TS("station.cash")), h("span", { class: "kiosk-btn-hint" }, TS("station.cash_hint")));
  cash.disabled = ui.busy;
  cash.addEventListener("click", payCash);
  return h("div", { class: "kiosk-split" }, amountBlock(s.sale),
    h("section", { class: "choices" },
      h("h1", {}, TS("station.choose_method")),
      oneNotice(ui.noticeAck === s.notice_id ? null : s.notice, s.exact_only),
      h("div", { class: "kiosk-methods" }, cash, cashless)));
}

function screenDeclined() {
  const again = big("kiosk-primary", h("span", { class: "kiosk-btn-title" }, TS("station.retry")));
  again.addEventListener("click", retry);
  const other = big("kiosk-secondary", h("span", { class: "kiosk-btn-title" }, TS("station.other_method")));
  other.addEventListener("click", () => { ui.noticeAck = state.notice_id; choose("method"); });
  return h("section", { class: "kiosk-center declined" },
    h("div", { class: "kiosk-icon kiosk-icon-stop", "aria-hidden": "true" }, "!"),
    h("h1", {}, TS("station.declined_title")),
    h("p", { class: "lead" }, TS("station.declined_body")),
    h("div", { class: "kiosk-row" }, again, other));
}

function backButton(view) {
  const b = h("button", { type: "button", class: "kiosk-back" }, "← " + TS("station.back"));
  b.addEventListener("click", () => choose(view));
  return b;
}

function screenCategory() {
  const tile = (cat) => {
    const b = big("kiosk-tile", h("span", { class: "kiosk-btn-title" }, TS("station." + cat)), h("span", { class: "kiosk-btn-hint" }, TS(`station.${cat}_hint`)));
    b.dataset.category = cat;
    b.addEventListener("click", () => {
      ui.category = cat;
      // The simulated terminal reads a credit card's brand from the card (the demo panel says
      // which); a real terminal's port still needs it named, so it is asked.
      if (cat === "credit" && BOOT.demo) chooseBrand({ group: "credit", category: cat });
      else choose("brand");
    });
    return b;
  };
  return h("section", { class: "kiosk-step" }, h("div", { class: "kiosk-step-head" }, backButton("method"), h("h1", {}, TS("station.choose_category")),
    h("p", { class: "kiosk-step-amount" }, money(state.sale.due))),
  h("div", { class: "kiosk-tiles kiosk-tiles-3" }, ["emoney", "credit", "qr"].map(tile)));
}

function brandTiles(category) {
  const tiles = [];
  const list = BRANDS.filter((b) => b.category === category);
  if (category === "emoney" && BOOT.demo) {
    const t = big("kiosk-tile", h("span", { class: "kiosk-btn-title" }, TS("station.transit")), h("span", { class: "kiosk-btn-hint" }, TS("station.transit_hint")));
    t.addEventListener("click", () => chooseBrand({ group: "transit", category }));
    tiles.push(t);
  }
  for (const b of list) {
    if (b.group === "transit" && BOOT.demo) continue;
    const t = big("kiosk-tile kiosk-tile-brand", h("span", { class: "kiosk-btn-title" }, b.name));
    t.dataset.brand = b.code;
    t.addEventListener("click", () => chooseBrand({ brand: b.code, category }));
    tiles.push(t);
  }
  return tiles;
}

function screenBrand() {
  const tiles = brandTiles(ui.category);
  return h("section", { class: "kiosk-step" }, h("div", { class: "kiosk-step-head" }, backButton("category"), h("h1", {}, TS("station.choose_brand")),
    h("p", { class: "kiosk-step-amount" }, money(state.sale.due))),
  h("div", { class: "kiosk-tiles " + (tiles.length > 6 ? "kiosk-tiles-4" : "kiosk-tiles-3") }, tiles));
}

function guidance(category) {
  return TS({ emoney: "station.touch_emoney", credit: "station.touch_credit", qr: "station.show_qr" }[category] || "station.processing");
}

function screenPresent() {
  const category = (state.payment && state.payment.category) || (ui.choice && ui.choice.category) || ui.category;
  const working = ui.busy || state.phase === "paying";
  const brand = state.payment && state.payment.brand || (ui.choice && ui.choice.brand);
  const label = brand ? (BRANDS.find((b) => b.code === brand) || {}).name : TS(GROUP_LABEL[ui.choice && ui.choice.group] || "station.cashless");
  return h("section", { class: "kiosk-center present" },
    h("div", { class: "reader reader-" + category, "aria-hidden": "true" }, h("span", { class: "reader-card" }), h("span", { class: "reader-waves" })),
    h("p", { class: "present-brand" }, h("span", {}, label), h("span", {}, money(state.sale.due))),
    h("h1", {}, guidance(category)),
    working ? h("p", { class: "lead processing" }, TS("station.processing")) : backButton("category"));
}

function screenCash() {
  const p = state.payment;
  const cancel = big("kiosk-secondary kiosk-cancel", h("span", { class: "kiosk-btn-title" }, TS("station.cancel_cash")));
  cancel.disabled = ui.busy || p.state !== "pending";
  cancel.addEventListener("click", cancelCash);
  return h("div", { class: "kiosk-split" }, amountBlock(state.sale),
    h("section", { class: "cash" },
      h("h1", {}, TS("station.insert_cash")),
      state.exact_only ? h("p", { class: "kiosk-notice", role: "alert" }, TS("station.exact_only")) : null,
      h("dl", { class: "cash-figures" },
        h("div", {}, h("dt", {}, TS("station.inserted")), h("dd", { class: "cash-inserted", dataset: { testid: "inserted" } }, money(p.inserted))),
        h("div", {}, h("dt", {}, TS("station.remaining")), h("dd", {}, money(p.remaining))),
        p.inserted > p.amount ? h("div", { class: "cash-change" }, h("dt", {}, TS("station.change")), h("dd", {}, money(p.inserted - p.amount))) : null),
      cancel));
}

function paidMethod(p) {
  if (p.method === "cash") return TS("station.cash");
  const brand = BRANDS.find((b) => b.code === p.brand);
  return brand ? brand.name : TS(p.category === "emoney" || p.category === "credit" || p.category === "qr" ? "station." + p.category : "station.cashless");
}

function screenPaid() {
  const p = state.payment;
  const done = h("section", { class: "kiosk-center paid" },
    h("div", { class: "kiosk-icon kiosk-icon-ok", "aria-hidden": "true" }, "✓"),
    h("h1", {}, TS("station.paid_title")),
    p ? h("p", { class: "paid-with", dataset: { testid: "paid-with" } }, TS("station.paid_with", { method: paidMethod(p), amount: money(p.amount) })) : null,
    h("p", { class: "receipt" }, h("span", {}, TS("station.receipt_number")), h("strong", { class: "receipt-number", dataset: { testid: "receipt" } }, String(state.receipt_number || "—"))),
    p && p.change > 0 ? h("p", { class: "take-change" }, TS("station.take_change", { amount: money(p.change) })) : null,
    h("p", { class: "lead lead-pair" }, h("span", {}, TS("station.take_receipt")), h("span", {}, TS("station.thanks"))));
  return done;
}

function screenDoubt() {
  return h("section", { class: "kiosk-center doubt" },
    h("div", { class: "kiosk-icon kiosk-icon-wait", "aria-hidden": "true" }, "…"),
    h("h1", {}, TS("station.doubt_title")),
    h("p", { class: "lead" }, TS("station.doubt_body")),
    h("p", { class: "staff-notified" }, TS("station.staff_notified")));
}

function screenFault() {
  return h("section", { class: "kiosk-center fault" },
    h("div", { class: "kiosk-icon kiosk-icon-stop", "aria-hidden": "true" }, "!"),
    h("h1", {}, TS("station.call_staff")),
    h("p", { class: "lead" }, TS("station.fault_body")),
    state.held > 0 ? h("p", { class: "held" }, TS("station.fault_held", { amount: money(state.held) })) : null,
    h("p", { class: "staff-notified" }, TS("station.staff_notified")));
}

let paidTimer = null;
function render() {
  const s = state;
  if (!s) return;
  const ref = s.sale ? s.sale.ref : null;
  if (ref !== ui.saleRef) {
    const after = ui.lastPhase === "paid" || ui.lastPhase === "in_doubt";
    Object.assign(ui, { saleRef: ref, view: "method", category: null, choice: null, attemptId: null });
    if (after && lang !== "ja") { ui.lastPhase = null; setLang("ja"); return; } // a new resident
  }
  if (s.phase === "idle" && ui.lastPhase && ui.lastPhase !== "idle" && lang !== "ja") { ui.lastPhase = "idle"; setLang("ja"); return; }
  ui.lastPhase = s.phase;
  // An attempt just ended without payment (declined, no change, ...): whichever answer brought
  // the news, the resident chooses again from the start.
  if (s.phase === "due" && s.notice_id && s.notice_id !== ui.noticeSeen) {
    ui.noticeSeen = s.notice_id;
    ui.view = "method";
  }
  // "Paid" is shown for the sale this screen was serving, once, for PAID_SHOWN_MS: never for a
  // sale it did not see being paid (after a reload), nor after a fault or another sale.
  if (["due", "cash", "paying"].includes(s.phase)) ui.served = ref;
  else if (s.phase !== "paid") ui.served = null;
  let screen;
  let shown = s.phase;
  if (s.phase === "fault") screen = screenFault();
  else if (s.phase === "in_doubt") screen = screenDoubt();
  else if (s.phase === "paid" && ref && ref === ui.served && ui.paidAck !== ref) {
    screen = screenPaid();
    if (ui.paidShown !== ref) {
      ui.paidShown = ref;
      clearTimeout(paidTimer);
      paidTimer = setTimeout(() => { ui.paidAck = ref; ui.served = null; if (lang !== "ja") setLang("ja"); else render(); }, PAID_SHOWN_MS);
    }
  } else if (s.phase === "paid") { screen = screenIdle(); shown = "idle"; }
  else if (s.phase === "cash") screen = screenCash();
  else if (s.phase === "paying") screen = screenPresent();
  else if (s.phase === "due") screen = ({ category: screenCategory, brand: screenBrand, present: screenPresent }[ui.view] || screenDue)();
  else screen = screenIdle();
  main.dataset.phase = s.phase === "due" ? "due-" + ui.view : shown;
  clear(main, screen);
  document.body.classList.toggle("is-alert", s.phase === "fault");
  if (window.SIM) window.SIM.update(s, ui);
}

live(BASE + "/events", () => refresh(), showConnection);
setLang("ja");
