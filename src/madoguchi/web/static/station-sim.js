/* Demo mode only: the simulator panel, so one person can play the resident and the machine.
 * Insert a note or a coin, present a card or a QR code (approved, declined, timed out with an
 * unknown outcome), jam the changer, take the terminal off line. */
"use strict";

window.SIM = (() => {
  const panel = document.getElementById("sim");
  const note = document.getElementById("sim-note");
  const select = document.getElementById("sim-brand");
  const TJ = makeT(BOOT.sim_texts);
  let current = { state: null, ui: null };

  async function call(path, body) {
    try {
      await fetchState("POST", "/api/sim/" + path, body);
    } catch (err) {
      if (err.code !== "changer_jammed" && err.code !== "cannot_make_change") note.textContent = err.message;
      await refresh();
      return;
    }
    render();
  }

  function brandsFor(choice) {
    if (!choice) return [];
    if (choice.brand) return BRANDS.filter((b) => b.code === choice.brand);
    if (choice.group === "transit") return BRANDS.filter((b) => b.group === "transit");
    if (choice.group === "credit") return BRANDS.filter((b) => b.category === "credit");
    return [];
  }

  function update(s, ui) {
    current = { state: s, ui };
    const cashOpen = s.phase === "cash" && s.payment && s.payment.state === "pending";
    panel.querySelectorAll("[data-insert]").forEach((b) => { b.disabled = !cashOpen; });
    const presenting = s.phase === "due" && ui.view === "present" && !ui.busy;
    panel.querySelectorAll("[data-outcome]").forEach((b) => { b.disabled = !presenting; });
    const options = presenting ? brandsFor(ui.choice) : [];
    const key = options.map((b) => b.code).join(",");
    if (select.dataset.key !== key) {
      clear(select, ...options.map((b) => h("option", { value: b.code }, b.name)));
      select.dataset.key = key;
    }
    select.disabled = options.length < 2;
    const online = s.terminal_online;
    const terminal = document.getElementById("sim-terminal");
    terminal.dataset.online = String(online);
    terminal.textContent = online ? TJ("sim.terminal_off") : TJ("sim.terminal_on");
  }

  panel.addEventListener("click", async (ev) => {
    const b = ev.target.closest("button");
    if (!b || b.disabled) return;
    note.textContent = "";
    if (b.dataset.insert) await call("insert", { denomination: Number(b.dataset.insert) });
    else if (b.dataset.outcome) {
      const brand = select.value;
      if (!brand) return;
      await call("terminal", { outcome: b.dataset.outcome });
      await payCashless(brand);
    } else if (b.id === "sim-jam") {
      await call("jam");
      note.textContent = TJ("sim.armed");
    } else if (b.id === "sim-terminal") {
      await call("terminal", { outcome: b.dataset.online === "true" ? "offline" : "online" });
    } else if (b.id === "sim-toggle") {
      const open = panel.classList.toggle("is-collapsed") === false;
      b.setAttribute("aria-expanded", String(open));
    }
  });

  return { update };
})();
if (state) window.SIM.update(state, ui);
