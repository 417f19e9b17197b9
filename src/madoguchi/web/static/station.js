/* The resident's payment station: pay the sale this station is given, in cash or cashless.
 * The server decides the phase (idle, due, cash, paying, paid, in_doubt, fault); this script
 * keeps only the resident's choices on the way (category, brand) and the language.
 * The screens themselves (what each phase looks like) are in station-screens.js, loaded before
 * this script; this one holds the state, the language, the calls and the resident's choices,
 * and render() picks the screen.
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
/* How long "paid" stays on screen (the server keeps it no longer: services.counter.station_screen.PAID_SHOWN). */
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
