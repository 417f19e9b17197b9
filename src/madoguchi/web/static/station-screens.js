/* The resident's payment station: what each screen looks like (the amount due, the method,
 * the card or code category and brand, cash, paid, in doubt, fault) and its one notice.
 * Loaded before station.js, whose state (state, ui, TS, lang) and actions these read when
 * render() draws them. */
"use strict";

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
