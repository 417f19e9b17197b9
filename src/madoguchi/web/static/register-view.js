/* Drawing the staff register from its state S (see register.js): the sale being entered,
 * the hand-off targets, the live cards of handed-off sales, the in-doubt banner, today's list. */
"use strict";

const RV = (() => {
  const $ = (id) => document.getElementById(id);

  function station(id) { return S.stations.find((s) => s.id === id) || BOOT.places.payment_stations.find((s) => s.id === id); }
  function stationName(id) { const s = station(id); return s ? T("common.station_label", { number: s.number }) : "—"; }
  function items(sale) {
    if (!sale.lines.length) return "—";
    const first = `${sale.lines[0].name_ja} × ${sale.lines[0].quantity}`;
    return sale.lines.length === 1 ? first : T("register.items_more", { first, n: sale.lines.length - 1 });
  }
  function methodText(p) {
    if (!p) return "";
    if (p.method === "cash") return T("common.category.cash");
    return T("common.with_detail", { main: T("common.category." + p.category), detail: BOOT.brands[p.brand] || p.brand });
  }
  /* Why an attempt failed, in the clerk's words (the core records it in English for the log). */
  function failure(p) {
    const text = (p.failure || "").toLowerCase();
    if (p.state === "declined") return T("register.failure.declined");
    const known = [["cannot make change", "no_change"], ["cancelled at the station", "cancelled"],
      ["jammed", "jammed"], ["never received", "not_received"]].find(([needle]) => text.includes(needle));
    return known ? T("register.failure." + known[1]) : (p.failure || p.state);
  }
  function lastPayment(sale) { return sale.payments[sale.payments.length - 1]; }
  /* Receipt numbers restart at each payment station: a number is always shown with its station. */
  function receiptText(sale) {
    const r = sale.receipt;
    if (!r) return "";
    return T("register.day.receipt", { station: stationName(r.payment_station), number: String(r.number).padStart(4, "0") });
  }
  function dayText(iso) { const [, m, d] = iso.split("-"); return T("register.day.date", { m: Number(m), d: Number(d) }); }
  /* A sale made after today's close belongs to a later business day: say which, wherever it shows. */
  function laterDay(sale) { return sale && sale.business_date > BOOT.today ? sale.business_date : null; }
  function dayNotice(sale) {
    const day = laterDay(sale);
    return day ? h("p", { class: "alert alert-info day-notice", dataset: { day } },
      T("register.day.notice", { date: dayText(day), today: dayText(BOOT.today) })) : null;
  }
  /* A 0-yen (exempt) sale never goes to a payment station: no payment, no receipt, nothing to refund. */
  function free(sale) { return sale.total === 0 && sale.paid_amount === 0; }
  function sortedLines() {
    const order = (l) => (S.order.has(lineKey(l)) ? S.order.get(lineKey(l)) : 1e9);
    return [...S.sale.lines].sort((a, b) => order(a) - order(b));
  }

  function place() {
    const desk = BOOT.places.staff_stations.find((d) => d.id === S.place.desk);
    const site = BOOT.places.sites.find((s) => s.code === S.place.site);
    $("place-label").textContent = T("common.joined", { a: site ? site.name : "", b: desk ? desk.name : "" });
    $("training-banner").hidden = !(BOOT.training || []).includes(S.place.desk); // training mode
  }

  function sale() {
    const s = S.sale;
    const lines = s ? sortedLines() : [];
    $("empty-sale").hidden = lines.length > 0;
    $("clear-sale").hidden = !s;
    clear($("lines"), ...lines.map((line) => {
      const fee = FEES.get(line.fee_code);
      return h("li", { class: "line" + (line.exemption ? " is-exempt" : "") },
        h("div", { class: "line-main" },
          h("span", { class: "line-name" }, line.name_ja),
          line.exemption ? h("span", { class: "pill pill-info" }, T("register.exempted", { reason: T("register.exemption." + line.exemption) })) : null),
        h("div", { class: "qty" },
          h("button", { type: "button", class: "qty-btn", "aria-label": T("register.less"), onclick: () => changeQuantity(line, -1) }, "−"),
          h("span", { class: "qty-value", "aria-label": T("register.quantity") }, String(line.quantity)),
          h("button", { type: "button", class: "qty-btn", "aria-label": T("register.more"), onclick: () => changeQuantity(line, 1) }, "+")),
        h("span", { class: "line-amount" }, yen(line.amount)),
        h("div", { class: "line-actions" },
          fee && fee.exemptible ? h("button", { type: "button", class: "btn btn-quiet btn-sm", onclick: () => askExemption(line) }, T("register.exempt")) : null,
          h("button", { type: "button", class: "btn btn-quiet btn-sm btn-remove", "aria-label": T("register.remove_line"), onclick: () => removeLine(line) }, T("register.remove_line"))));
    }));
    $("total").textContent = yen(s ? s.total : 0);
    $("handoff").disabled = !lines.length && !writing;
    $("handoff-label").textContent = s && lines.length && s.total === 0 ? T("register.day.free_handoff")
      : S.target ? T("register.handoff_to", { station: stationName(S.target) }) : T("register.handoff");
    const notice = $("sale-day-notice");
    const day = laterDay(s);
    notice.hidden = !day;
    notice.textContent = day ? T("register.day.notice", { date: dayText(day), today: dayText(BOOT.today) }) : "";
  }

  /* Can a resident sent there pay now (the server's word: a paired screen that is connected)? */
  function takes(st) { return !st.screen || st.screen.takes_residents !== false; }

  function stationState(st) {
    if (st.fault_code && st.fault_code.code === "training") return ["stopped", T("register.station_training")];
    if (st.fault) return ["stopped", T("register.stopped")];
    if (st.current_sale_id) return ["busy", T("register.busy")];
    if (!st.screen.online) return ["warn", T("register.screen_off")];
    return ["free", T("register.free")];
  }

  function stations() {
    clear($("station-status"), ...S.stations.map((st) => {
      const [kind, label] = stationState(st);
      return h("span", { class: "station-pill station-pill-" + kind, title: st.name }, stationChip(st, "sm"), h("span", {}, label));
    }));
  }

  function targets() {
    const choose = async (id) => {
      const st = id && S.stations.find((x) => x.id === id);
      // Never send a resident where they cannot pay: choosing such a station by hand asks first.
      if (st && !takes(st) && (await ask(T("register.ask_screen_off", { station: stationName(id) }))) === null) return;
      S.target = id;
      S.targetOffline = Boolean(st && !takes(st));
      targets(); sale();
    };
    const auto = h("button", { type: "button", role: "radio", "aria-checked": String(!S.target),
      class: "target" + (!S.target ? " is-selected" : ""), onclick: () => choose(null) }, T("register.target_auto"));
    clear($("targets"), auto, ...S.stations.map((st) => {
      const [kind, label] = stationState(st);
      return h("button", { type: "button", role: "radio", "aria-checked": String(S.target === st.id),
        class: "target" + (S.target === st.id ? " is-selected" : "") + " target-" + kind,
        disabled: Boolean(st.fault), onclick: () => choose(st.id) },
      stationChip(st, "sm"), h("span", { class: "target-text" }, h("span", {}, T("common.station_label", { number: st.number })), h("small", {}, label)));
    }));
  }

  function freeOther(exceptId) {
    const free = S.stations.filter((st) => st.id !== exceptId && !st.fault && !st.current_sale_id && takes(st));
    return free.length === 1 ? free[0] : null;
  }

  function moveButton(sale, label) {
    const other = freeOther(sale.payment_station);
    const none = !S.stations.some((st) => st.id !== sale.payment_station && !st.fault && !st.current_sale_id && takes(st));
    if (none) return h("p", { class: "muted", dataset: { action: "move-none" } }, T("register.no_connected_station"));
    const text = label || (other ? T("register.move_to", { station: T("common.station_label", { number: other.number }) }) : T("register.move"));
    return h("button", { type: "button", class: "btn btn-primary", dataset: { action: "move" },
      onclick: () => moveSale(sale, other ? other.id : null) }, text);
  }

  function alerts(sale) {
    const out = [];
    const st = sale.payment_station ? S.stations.find((s) => s.id === sale.payment_station) : null;
    if (sale.state !== "awaiting_payment") return out;
    if (!sale.payment_station) {
      out.push(h("div", { class: "alert alert-warn" }, h("p", {}, T("register.alert_no_station")), moveButton(sale, T("register.send"))));
      return out;
    }
    if (!st) return out;
    if (st.fault) {
      const held = S.incidents.filter((i) => i.kind === "cash_jam" && i.payment_station === st.id).reduce((n, i) => n + i.amount, 0);
      const jam = Boolean(st.fault_code && st.fault_code.code === "changer_jammed");
      out.push(h("div", { class: "alert alert-danger", role: "alert" },
        h("p", { class: "alert-title" }, jam ? T("register.alert_jam", { station: stationName(st.id) }) : T("register.alert_stopped", { station: stationName(st.id), fault: faultText(st) })),
        held ? h("p", {}, T("register.alert_held", { amount: yen(held) })) : null,
        moveButton(sale)));
    } else if (!takes(st) || !st.screen.online) {
      out.push(h("div", { class: "alert alert-warn", role: "alert" }, h("p", { class: "alert-title" }, T("register.alert_screen", { station: stationName(st.id) })), moveButton(sale)));
    } else if (!st.terminal_online) {
      out.push(h("div", { class: "alert alert-info" }, h("p", {}, T("register.alert_terminal", { station: stationName(st.id) }))));
    }
    return out;
  }

  function details(sale) {
    const p = lastPayment(sale);
    if (sale.state === "paying" && S.cash[sale.id]) {
      const c = S.cash[sale.id];
      return h("p", { class: "card-detail" }, T("register.inserted_live", { amount: yen(c.inserted), remaining: yen(c.remaining) }));
    }
    if (sale.state === "paying" && p) return h("p", { class: "card-detail" }, methodText(p));
    if (sale.state === "paid" && p) {
      return h("p", { class: "card-detail card-paid" },
        h("span", {}, T("register.paid_by", { method: methodText(p) })),
        p.change ? h("span", {}, T("register.change_given", { amount: yen(p.change) })) : null);
    }
    if (sale.state === "in_doubt") return h("p", { class: "card-detail doubt-help" }, T("register.doubt_help"));
    const st = sale.payment_station ? S.stations.find((x) => x.id === sale.payment_station) : null;
    if (sale.state === "awaiting_payment" && p && ["declined", "failed", "not_sent"].includes(p.state) && !(st && st.fault)) {
      return h("p", { class: "card-detail muted" }, T("register.failed_help", { reason: T("common.joined", { a: methodText(p), b: failure(p) }) }));
    }
    return null;
  }

  function actions(sale) {
    const b = (label, fn, cls) => h("button", { type: "button", class: "btn btn-sm " + (cls || "btn-secondary"), onclick: fn }, label);
    const out = [];
    const st = sale.payment_station ? S.stations.find((x) => x.id === sale.payment_station) : null;
    const alerted = st && (st.fault || !st.screen.online || !takes(st));
    if (sale.state === "awaiting_payment") {
      if (sale.payment_station && !alerted) out.push(b(T("register.move"), () => moveSale(sale, null)));
      out.push(b(T("register.recall"), () => recallSale(sale)));
      out.push(b(T("register.cancel"), () => askCancel(sale), "btn-danger-quiet"));
    }
    if (sale.state === "in_doubt") out.push(b(T("register.allow_cash"), () => askApproval("allow_cash", sale)));
    if (sale.state === "paid" && !free(sale)) {
      out.push(b(T("register.reprint"), () => reprint(sale)));
      out.push(b(T("register.refund"), () => askApproval("refund", sale), "btn-danger-quiet"));
    }
    if (!ACTIVE.has(sale.state)) out.push(b(T("register.dismiss"), () => dismiss(sale), "btn-quiet"));
    return out;
  }

  function title(sale, st) {
    const at = st ? stationName(st.id) : "";
    if (sale.state === "awaiting_payment" && st && !takes(st)) return T("register.alert_screen", { station: at });
    if (sale.state === "awaiting_payment") return st ? T("register.guide", { station: at }) : T("register.alert_no_station");
    if (sale.state === "paying") return T("register.paying_at", { station: at });
    if (sale.state === "paid" && sale.receipt) return T("register.receipt_no", { number: receiptText(sale) });
    if (sale.state === "paid" && free(sale)) return T("register.day.free_done");
    return T("common.sale_state." + sale.state);
  }

  function card(sale) {
    const st = sale.payment_station ? station(sale.payment_station) : null;
    return h("article", { class: `sale-state sale-${sale.state}`, dataset: { sale: sale.id, state: sale.state } },
      h("div", { class: "sale-state-head" },
        st ? stationChip(st, "lg") : h("span", { class: "station-chip station-chip-lg station-chip-none" }, "—"),
        h("p", { class: "sale-state-guide" }, title(sale, st)),
        h("span", { class: "pill pill-" + sale.state }, T("common.sale_state." + sale.state)),
        h("p", { class: "sale-state-sub" }, h("span", {}, items(sale)), h("strong", {}, yen(sale.total)))),
      dayNotice(sale), details(sale), ...alerts(sale),
      h("div", { class: "sale-state-actions" }, actions(sale)));
  }

  function active() {
    const now = Date.now();
    const recent = (s) => {
      const at = Date.parse(s.paid_at || s.created_at);
      return !S.dismissed.has(s.id) && now - at < 10 * 60000;
    };
    const live = S.sales.filter((s) => ACTIVE.has(s.state) || (s.state === "open" && s.payment_station));
    const done = S.sales.filter((s) => ["paid", "cancelled", "refunded"].includes(s.state) && s.lines.length && recent(s)).slice(-3);
    const shown = [...live, ...done].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    const list = $("active-list");
    if (!shown.length) clear(list, h("p", { class: "muted" }, T("register.no_active")));
    else clear(list, ...shown.map(card));
  }

  function banner() {
    const doubt = S.incidents.filter((i) => i.kind === "cashless_unknown");
    const box = $("doubt-banner");
    box.hidden = !doubt.length;
    if (!doubt.length) return;
    $("doubt-banner-title").textContent = T("register.banner_doubt", { n: doubt.length });
    clear($("doubt-banner-list"), ...doubt.map((i) => h("li", {}, T("register.banner_item", {
      station: stationName(i.payment_station), brand: BOOT.brands[i.brand] || i.brand || "", amount: yen(i.amount), age: ageText(i.opened_at),
    }))));
  }

  function today() {
    const rows = S.sales.filter((s) => s.lines.length && s.state !== "open");
    $("today-count").textContent = String(rows.length);
    $("today-date").textContent = BOOT.today;
    $("today-empty").hidden = rows.length > 0;
    clear($("today-rows"), ...[...rows].reverse().map((s) => {
      const p = s.payments.filter((x) => x.state === "approved" || x.state === "refunded" || x.state === "cancelled").pop();
      const day = laterDay(s);
      return h("tr", { dataset: { sale: s.id, day: s.business_date } },
        h("td", {}, clock(s.created_at), day ? h("span", { class: "pill pill-info day-pill" }, T("register.day.pill", { date: dayText(day) })) : null),
        h("td", {}, items(s)), h("td", { class: "num" }, yen(s.total)),
        h("td", {}, s.payment_station ? stationName(s.payment_station) : (s.receipt ? stationName(s.receipt.payment_station) : "—")),
        h("td", {}, methodText(p)), h("td", {}, h("span", { class: "pill pill-" + s.state }, T("common.sale_state." + s.state))),
        h("td", { class: "receipt-no" }, receiptText(s)),
        h("td", { class: "row-actions" }, actions(s).filter((el) => el.textContent !== T("register.dismiss"))));
    }));
  }

  function lastLine() { const lines = sortedLines(); return lines[lines.length - 1]; }

  return { place, sale, stations, targets, active, banner, today, items, lastLine, takes };
})();
