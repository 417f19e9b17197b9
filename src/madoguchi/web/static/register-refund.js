/* The refund dialog's lines: which copies of which lines go back (all that is left by default).
 * Giving back everything of a sale not refunded before is the whole refund (POST
 * /api/screens/approvals); anything less is a partial refund (POST
 * /api/screens/approvals/partial-refund), approved by the same supervisor in the same dialog.
 * Loaded after register-dialogs.js, which calls refundPicker() for a refund. */
"use strict";

function refundPicker(sale) {
  const rows = document.getElementById("refund-rows");
  const total = document.getElementById("refund-total");
  const note = document.getElementById("refund-method-note");
  const cash = (sale.payments || []).filter((p) => p.state === "approved").every((p) => p.method === "cash");
  let done = null;  // line id -> copies refunded before (null until read)
  let before = new Set();  // the sale's refunds before this one
  const inputs = new Map();

  const left = (line) => line.quantity - ((done && done[line.id]) || 0);
  const amountOf = (line, n) => {
    if (n <= 0) return 0;
    return n === left(line) ? line.amount - ((done && done[line.id]) || 0) * line.unit_price : n * line.unit_price;
  };
  const picks = () => sale.lines.map((line) => {
    const input = inputs.get(line.id);
    const n = input ? Math.max(0, Math.min(left(line), parseInt(input.value, 10) || 0)) : 0;
    return { line, n };
  });
  const copiesBefore = () => Object.values(done || {}).reduce((a, b) => a + b, 0);
  const whole = () => copiesBefore() === 0 && picks().every(({ line, n }) => line.amount <= 0 || n === line.quantity);

  function update() {
    document.getElementById("approval-error").hidden = true;  // a choice made anew: the last complaint is gone
    const chosen = picks();
    const sum = chosen.reduce((a, { line, n }) => a + amountOf(line, n), 0);
    const copies = chosen.reduce((a, { n }) => a + n, 0);
    total.textContent = yen(sum);
    const partly = copiesBefore() ? T("register.refund_partly_done", { copies: copiesBefore() }) + " " : "";
    note.textContent = partly + (whole() ? T("register.refund_whole") : T("register.refund_partial", { copies }))
      + " " + T(cash ? "register.refund_method_cash" : "register.refund_method_cashless");
  }

  function draw() {
    inputs.clear();
    clear(rows, ...sale.lines.filter((line) => line.amount > 0).map((line) => {
      const max = left(line);
      const input = h("input", { type: "number", min: "0", max: String(max), step: "1", value: String(max),
        inputmode: "numeric", class: "refund-copies", disabled: max === 0, dataset: { line: line.id },
        "aria-label": T("register.refund_copies_label", { name: line.name_ja }), oninput: update });
      inputs.set(line.id, input);
      return h("tr", {}, h("td", {}, line.name_ja), h("td", { class: "num" }, yen(line.unit_price)),
        h("td", { class: "num" }, `${max} / ${line.quantity}`), h("td", { class: "num" }, input));
    }));
    update();
  }

  return {
    async load() {
      clear(rows);
      note.textContent = T("register.refund_loading");
      total.textContent = "";
      const answer = await api("GET", `/api/sales/${sale.id}/partial-refunds`);
      done = answer.refunded_copies || {};
      before = new Set((answer.refunds || []).map((r) => r.id));
      draw();
    },
    /* null when nothing is chosen; else whether it is the whole refund, and the lines. */
    request() {
      if (done === null) return null;
      const lines = picks().filter(({ n }) => n > 0).map(({ line, n }) => ({ line_id: line.id, copies: n }));
      if (!lines.length) return null;
      return { whole: whole(), lines };
    },
    amount() { return picks().reduce((a, { line, n }) => a + amountOf(line, n), 0); },
    fresh(refunds) { return refunds.filter((r) => !before.has(r.id)); },
  };
}
