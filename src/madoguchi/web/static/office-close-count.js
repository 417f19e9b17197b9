/* Counting one payment station's cash at the close of day (used by office-close.js):
 * - blind: the changer's own count is shown only once the staff's count is entered and they
 *   say they are done, so nobody closes "even" by copying what the machine says;
 * - copying the machine's count instead of counting is a supervisor's decision, asked first
 *   and journalled with the station's close (counted_from_machine);
 * - what was typed survives a reload: sessionStorage, keyed by site, day and station;
 * - closing a station asks first, with the figures it will be locked with. */
"use strict";

const CloseCount = (() => {
  const DENOMS = [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1];
  const storeKey = (site, day, station) => `madoguchi.close.count.${site}.${day}.${station}`;

  /* One station's count as typed: {counts: {denomination: text}, reason, revealed, copied}. */
  function restore(site, day, station) {
    const empty = { counts: {}, reason: "", revealed: false, copied: false };
    try {
      const kept = JSON.parse(sessionStorage.getItem(storeKey(site, day, station)) || "null");
      return kept && typeof kept.counts === "object" ? Object.assign(empty, kept) : empty;
    } catch (err) {
      return empty; // a broken value is a count to type again, not an error
    }
  }
  function save(site, day, station, entry) { sessionStorage.setItem(storeKey(site, day, station), JSON.stringify(entry)); }
  function forget(site, day, station) { sessionStorage.removeItem(storeKey(site, day, station)); }

  const typed = (entry) => DENOMS.some((d) => entry.counts[d] !== undefined && entry.counts[d] !== "");
  const total = (entry) => DENOMS.reduce((sum, d) => sum + d * (parseInt(entry.counts[d], 10) || 0), 0);
  const body = (entry) => Object.fromEntries(DENOMS.map((d) => [String(d), parseInt(entry.counts[d], 10) || 0]));

  /* The count form of station ``st``. env: {entry, machine, canApprove, name, saveEntry(), redraw(),
   * overShortText(diff), confirmBox (element), close()}. */
  function form(st, env) {
    const { entry, machine } = env;
    const counted = h("strong", { class: "count-total" });
    const diff = h("strong", { class: "over-short" });
    const reasonInput = h("input", { type: "text", maxlength: "300", class: "reason-input", value: entry.reason || "",
      "aria-label": T("office_close.reason"), oninput: (ev) => { entry.reason = ev.target.value; env.saveEntry(); refresh(); } });
    const reasonField = h("label", { class: "field reason-field" }, h("span", {}, T("office_close.reason")), reasonInput,
      h("small", { class: "reason-hint" }, T("office_close.reason_needed")));
    const reveal = h("button", { type: "button", class: "btn btn-secondary btn-sm reveal-machine", hidden: entry.revealed,
      onclick: () => {
        if (!typed(entry)) { toast(T("office_close.safe.reveal_first"), "error"); return; }
        entry.revealed = true; env.saveEntry(); env.redraw();
      } }, T("office_close.safe.reveal"));
    const rows = DENOMS.map((d) => {
      const sub = h("td", { class: "num" }, yen(d * (parseInt(entry.counts[d], 10) || 0)));
      const input = h("input", { type: "number", min: "0", step: "1", inputmode: "numeric", class: "count-input",
        value: entry.counts[d] === undefined ? "" : entry.counts[d], dataset: { denom: String(d) },
        "aria-label": T("office_close.yen_denom", { d: digits(d) }),
        oninput: (ev) => {
          entry.counts[d] = ev.target.value;
          entry.copied = false; // typed by hand again: no longer the machine's count
          env.saveEntry();
          sub.textContent = yen(d * (parseInt(ev.target.value, 10) || 0));
          refresh();
        } });
      const shown = entry.revealed && machine[d] !== undefined ? digits(machine[d]) : "";
      return h("tr", {}, h("th", {}, T("office_close.yen_denom", { d: digits(d) })),
        h("td", { class: "num muted machine-count" }, shown), h("td", {}, input), sub);
    });
    const copy = entry.revealed && env.canApprove ? h("button", { type: "button", class: "btn btn-quiet btn-sm copy-machine",
      onclick: async () => {
        if (await ask(T("office_close.safe.copy_confirm", { station: env.name })) === null) return;
        DENOMS.forEach((d) => { entry.counts[d] = String(machine[d] || 0); });
        entry.copied = true; env.saveEntry(); env.redraw();
      } }, T("office_close.fill_from_machine")) : null;
    const clearButton = h("button", { type: "button", class: "btn btn-quiet btn-sm", onclick: () => {
      entry.counts = {}; entry.copied = false; entry.revealed = false; env.saveEntry(); env.redraw();
    } }, T("office_close.clear_counts"));

    function refresh() {
      const amount = total(entry);
      counted.textContent = typed(entry) ? yen(amount) : T("office_close.not_counted");
      const d = amount - st.expected;
      diff.textContent = typed(entry) ? env.overShortText(d) : "—";
      const row = diff.closest(".status-row"); /* red, as on a closed card, while it does not balance */
      if (row) row.classList.toggle("is-bad", typed(entry) && d !== 0);
      const needReason = typed(entry) && d !== 0;
      const given = !!(entry.reason || "").trim();
      reasonField.classList.toggle("is-needed", needReason && !given);
      reasonField.hidden = !needReason && !given;
    }

    const head = entry.revealed ? T("office_close.machine_count")
      : `${T("office_close.machine_count")}${T("office_close.safe.hidden_count")}`;
    const out = h("div", { class: "count-form", dataset: { revealed: String(entry.revealed), copied: String(entry.copied) } },
      h("table", { class: "denoms count-table" },
        h("thead", {}, h("tr", {}, h("th", {}, T("office_close.denomination")), h("th", { class: "num" }, head),
          h("th", {}, T("office_close.count")), h("th", { class: "num" }, T("office_close.subtotal")))),
        h("tbody", {}, rows)),
      h("div", { class: "count-tools" }, reveal, copy, clearButton),
      entry.copied ? h("p", { class: "muted copied-note" }, T("office_close.safe.copied")) : null,
      h("dl", { class: "status-list count-sums" },
        h("div", { class: "status-row is-strong" }, h("dt", {}, T("office_close.col_counted")), h("dd", {}, counted)),
        h("div", { class: "status-row is-strong" }, h("dt", {}, T("office_close.col_over_short")), h("dd", {}, diff))),
      reasonField, env.confirmBox,
      h("button", { type: "button", class: "btn btn-primary btn-block close-station", onclick: env.close }, T("office_close.close_station")));
    refresh();
    return out;
  }

  /* Closing locks the station's day: asked first, with the figures it will be closed with. */
  function confirmClose(st, entry, name, overShortText) {
    const amount = total(entry);
    const lines = [T("office_close.safe.confirm_close", { station: name }),
      T("office_close.safe.confirm_figures", { expected: yen(st.expected), counted: yen(amount), over_short: overShortText(amount - st.expected) })];
    if ((entry.reason || "").trim()) lines.push(T("office_close.safe.confirm_reason", { reason: entry.reason.trim() }));
    if (entry.copied) lines.push(T("office_close.safe.copied"));
    return ask(lines.join("\n")).then((answer) => answer !== null);
  }

  return { restore, save, forget, typed, total, body, form, confirmClose };
})();
