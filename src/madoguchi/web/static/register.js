/* The staff register: fee buttons -> a sale -> handed to a payment station, then its live state.
 * Data: the core JSON API (/api/sales, /api/incidents, ...) and /api/screens/stations;
 * live: /events/register/{staff station} tells which keys changed, and the page re-reads them.
 * Drawing the cards and the table is in register-view.js (RV). */
"use strict";

const FEES = new Map(BOOT.fees.map((f) => [f.code, f]));
const FEES_BY_KEY = new Map(BOOT.fees.map((f) => [String(f.key), f]));
const PLACE_KEY = "madoguchi.register.place";
const ACTIVE = new Set(["awaiting_payment", "paying", "in_doubt"]);

const S = {
  place: null,        // {site, desk}: remembered on this device
  sale: null,         // the sale being entered (state open)
  sales: [],          // today's sales of this staff station
  stations: [],       // payment stations of the site, with devices and screen
  incidents: [],      // open incidents of the site
  cash: {},           // sale id -> pending cash payment detail (inserted so far)
  target: null,       // payment station chosen for the next hand-off (null: any free one)
  targetOffline: false, // the clerk was asked and chose it although its screen is not connected
  dismissed: new Set(JSON.parse(sessionStorage.getItem("madoguchi.dismissed") || "[]")),
  order: new Map(),   // line key -> first seen, so a changed quantity keeps its place
};

/* --- one write at a time, in order (quick taps must not race) ------------------------- */
let chain = Promise.resolve();
let writing = 0; // writes queued or under way: the sale being entered is ours until they are done
function serial(fn) {
  writing += 1;
  RV.sale(); // a tap on the hand-off button right after a fee tap is queued behind it, never lost
  chain = chain.then(fn).catch((err) => toast(errorText(err), "error"))
    .finally(() => { writing -= 1; RV.sale(); });
  return chain;
}

/* --- place: site and staff station, remembered on the device ----------------------------- */
function maySell(site) {
  return BOOT.me.sites.includes("*") || BOOT.me.sites.includes(site);
}

function loadPlace() {
  try {
    const p = JSON.parse(localStorage.getItem(PLACE_KEY) || "null");
    if (p && maySell(p.site) && BOOT.places.staff_stations.some((d) => d.id === p.desk && d.site === p.site)) return p;
  } catch (err) { /* ignore a broken value */ }
  return null;
}

/* --- reading --------------------------------------------------------------------------- */
async function loadSales() {
  const q = new URLSearchParams({ site: S.place.site, staff_station: S.place.desk });
  S.sales = await api("GET", "/api/sales?" + q);
  // The sale being entered is edited here only: a list read while a write was under way may be
  // older than what this page holds, so it only says when the sale left "open" elsewhere.
  if (S.sale && !writing) {
    const current = S.sales.find((s) => s.id === S.sale.id);
    if (current && current.state !== "open") S.sale = null;
  }
  if (!S.resumed) { // after a reload: go on with the sale left open at this staff station
    S.resumed = true;
    const open = S.sales.filter((s) => s.state === "open" && s.lines.length).pop();
    if (open && !S.sale) S.sale = open;
  }
  const paying = S.sales.filter((s) => s.state === "paying");
  const fresh = {};
  await Promise.all(paying.map(async (sale) => {
    const p = sale.payments[sale.payments.length - 1];
    if (p && p.method === "cash" && p.state === "pending") {
      try { fresh[sale.id] = await api("GET", `/api/payments/${p.id}`); } catch (err) { /* shown next time */ }
    }
  }));
  S.cash = fresh;
  RV.sale(); RV.active(); RV.today();
}

/* training mode: a staff station in training hands off to the training store's stations. */
function inTraining() { return (BOOT.training || []).includes(S.place.desk); }

async function loadTraining() {
  const was = inTraining();
  BOOT.training = (await api("GET", "/api/training")).staff_stations;
  RV.place();  // the banner, shown or hidden as the supervisor switched, without a reload
  if (inTraining() !== was) {  // another store: its sales and its stations
    if (S.sale && S.sale.state === "open" && !S.sale.lines.length) S.sale = null;
    reload.sales(); reload.stations();
  }
}

async function loadStations() {
  const path = inTraining() ? "/api/screens/training-stations?" : "/api/screens/stations?";
  S.stations = await api("GET", path + new URLSearchParams({ site: S.place.site }));
  if (S.target && !S.stations.some((s) => s.id === S.target && !s.fault)) S.target = null;
  const target = S.target && S.stations.find((s) => s.id === S.target);
  if (target && RV.takes(target)) S.targetOffline = false;
  RV.stations(); RV.targets(); RV.active();
}

async function loadIncidents() {
  S.incidents = await api("GET", "/api/incidents?" + new URLSearchParams({ site: S.place.site }));
  RV.banner(); RV.active();
}

const reload = {
  sales: coalesce(() => loadSales().catch(showLoadError)),
  stations: coalesce(() => loadStations().catch(showLoadError)),
  incidents: coalesce(() => loadIncidents().catch(showLoadError)),
  training: coalesce(() => loadTraining().catch(showLoadError)),
};

function showLoadError(err) {
  if (err.status === 401) location.href = "/login?next=/register";
  else toast(errorText(err), "error");
}

function onChange(keys) {
  if (keys === null) { reload.sales(); reload.stations(); reload.incidents(); reload.training(); return; }
  if (keys.some((k) => k.startsWith("sale:") || k.startsWith("site:"))) reload.sales();
  if (keys.some((k) => k.startsWith("station:") || k.startsWith("site:"))) reload.stations();
  if (keys.some((k) => k.startsWith("site:"))) reload.training(); // a switch to or from training says site:
  if (keys.includes("incidents")) reload.incidents();
}

/* --- entering a sale -------------------------------------------------------------------- */
function lineKey(line) { return `${line.fee_code}|${line.exemption || ""}`; }

async function ensureSale() {
  if (!S.sale) S.sale = await api("POST", "/api/sales", { id: uuid(), staff_station: S.place.desk });
  return S.sale;
}

function addFee(code, quantity) {
  return serial(async () => {
    const sale = await ensureSale();
    const same = sale.lines.find((l) => l.fee_code === code && !l.exemption);
    if (same && quantity === undefined) {
      await replaceLine(same, { quantity: same.quantity + 1 });
    } else {
      S.sale = await api("POST", `/api/sales/${sale.id}/lines`, { id: uuid(), fee_code: code, quantity: quantity || 1 });
      S.sale.lines.forEach((l) => { if (!S.order.has(lineKey(l))) S.order.set(lineKey(l), S.order.size); });
    }
    RV.sale();
  });
}

/* Lines are immutable in the API: a change is "remove, then add the changed copy". */
async function replaceLine(line, change) {
  const next = Object.assign({ quantity: line.quantity, exemption: line.exemption, exemption_note: line.exemption_note }, change);
  const key = lineKey(line);
  const removed = await api("DELETE", `/api/sales/${S.sale.id}/lines/${line.id}`);
  if (next.quantity <= 0) { S.sale = removed; return; }
  const body = { id: uuid(), fee_code: line.fee_code, quantity: next.quantity };
  if (next.exemption) { body.exemption = next.exemption; body.exemption_note = next.exemption_note || null; }
  try {
    S.sale = await api("POST", `/api/sales/${S.sale.id}/lines`, body); // the screen never shows the gap
  } catch (err) {
    S.sale = removed;
    throw err;
  }
  const added = S.sale.lines[S.sale.lines.length - 1];
  if (!S.order.has(lineKey(added))) S.order.set(lineKey(added), S.order.has(key) ? S.order.get(key) - 0.5 : S.order.size);
}

function changeQuantity(line, delta) {
  return serial(async () => { await replaceLine(line, { quantity: line.quantity + delta }); RV.sale(); });
}

function removeLine(line) {
  return serial(async () => { await replaceLine(line, { quantity: 0 }); RV.sale(); });
}

function handOff() {
  return serial(async () => {
    if (!S.sale || !S.sale.lines.length) return;
    const sale = await api("POST", `/api/sales/${S.sale.id}/handoff`,
      { id: uuid(), payment_station: S.target, screen_offline_ok: Boolean(S.target && S.targetOffline) });
    S.sale = null;
    S.target = null;
    S.targetOffline = false;
    S.order.clear();
    upsert(sale);
    RV.sale(); RV.targets(); RV.active(); RV.today();
    focusKeypad();
  });
}

function upsert(sale) {
  const i = S.sales.findIndex((s) => s.id === sale.id);
  if (i >= 0) S.sales[i] = sale; else S.sales.push(sale);
}

function moveSale(sale, stationId) {
  return serial(async () => {
    upsert(await api("POST", `/api/sales/${sale.id}/move`, { id: uuid(), payment_station: stationId || null }));
    RV.active();
  });
}

function recallSale(sale) {
  return serial(async () => {
    if (S.sale && S.sale.lines.length) { toast(T("register.finish_current_first"), "error"); return; }
    S.sale = await api("POST", `/api/sales/${sale.id}/recall`);
    upsert(S.sale);
    RV.sale(); RV.active();
  });
}

function reprint(sale) {
  return serial(async () => { await api("POST", `/api/sales/${sale.id}/reprint`); toast(T("register.reprinted"), "ok"); });
}

function dismiss(sale) {
  S.dismissed.add(sale.id);
  sessionStorage.setItem("madoguchi.dismissed", JSON.stringify([...S.dismissed]));
  RV.active();
}

/* --- keyboard: a numeric keypad or a barcode scanner types into the key field --------- */
const keypad = document.getElementById("keypad");
function focusKeypad() { if (!document.querySelector("dialog[open]")) keypad.focus(); }

function keypadMessage(text) {
  const el = document.getElementById("keypad-message");
  el.textContent = text || "";
  el.hidden = !text;
}

function enter(raw) {
  const text = raw.normalize("NFKC").trim();
  keypadMessage("");
  showMatches("");
  if (!text) return handOff();
  const m = /^(.+?)(?:\*([0-9]{1,3}))?$/.exec(text);
  const fee = m && (FeeSearch.isSearch(m[1]) ? FeeSearch.find(m[1])[0] : (FEES_BY_KEY.get(m[1]) || FEES.get(m[1])));
  if (!fee) { keypadMessage(T("register.key_unknown", { key: text })); return null; }
  return addFee(fee.code, m[2] ? Number(m[2]) : undefined);
}

/* What a typed name or reading finds, under the key field (Enter takes the first). */
function showMatches(text) {
  const list = document.getElementById("keypad-matches");
  const found = FeeSearch.isSearch(text) ? FeeSearch.find(text.normalize("NFKC").replace(/\*[0-9]*$/, "")).slice(0, 6) : [];
  list.replaceChildren(...found.map((f) => h("li", {}, h("button", { type: "button", class: "btn btn-secondary btn-sm",
    onclick: () => { keypad.value = ""; showMatches(""); addFee(f.code); focusKeypad(); } },
    `${f.name} ${yen(f.amount)}`))));
  list.hidden = !found.length;
}

keypad.addEventListener("input", () => showMatches(keypad.value));
keypad.addEventListener("keydown", (ev) => {
  if (ev.isComposing || ev.keyCode === 229) return; // Enter that ends the IME's conversion
  if (ev.key === "Enter") { ev.preventDefault(); const v = keypad.value; keypad.value = ""; enter(v); }
  else if (ev.key === "Escape") { keypad.value = ""; keypadMessage(""); showMatches(""); }
  else if ((ev.key === "+" || ev.key === "-") && keypad.value === "" && S.sale && S.sale.lines.length) {
    ev.preventDefault();
    changeQuantity(RV.lastLine(), ev.key === "+" ? 1 : -1);
  }
});

document.addEventListener("keydown", (ev) => {
  if (document.querySelector("dialog[open]") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const inField = ev.target.closest && ev.target.closest("input, select, textarea");
  if (inField) return;
  if (/^[0-9*+\-]$/.test(ev.key) || (ev.key === "Enter" && ev.target === document.body)) {
    keypad.focus();
    if (ev.key === "Enter") { ev.preventDefault(); const v = keypad.value; keypad.value = ""; enter(v); }
  }
});

/* --- wiring ---------------------------------------------------------------------------- */
document.getElementById("fee-grid").addEventListener("click", (ev) => {
  const button = ev.target.closest("button.fee");
  if (!button) return;
  addFee(button.dataset.code);
  focusKeypad();
});
document.getElementById("handoff").addEventListener("click", () => handOff());
document.getElementById("clear-sale").addEventListener("click", () => S.sale && askCancel(S.sale));
document.getElementById("change-place").addEventListener("click", () => choosePlace());
document.getElementById("open-today").addEventListener("click", () => { RV.today(); document.getElementById("today-dialog").showModal(); });

let stopLive = null;
function start_() {
  RV.place();
  if (stopLive) stopLive();
  S.sale = null; S.sales = []; S.stations = []; S.incidents = []; S.resumed = false;
  stopLive = live(`/events/register/${encodeURIComponent(S.place.desk)}`, onChange, showConnection);
  focusKeypad();
}

S.place = loadPlace();
if (S.place) start_(); else choosePlace();
setInterval(() => { RV.banner(); }, 30000); // the ages on the banner move on; nothing is fetched
