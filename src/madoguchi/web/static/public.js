/* The public congestion page (/public/congestion): re-reads /public/congestion.json every few
 * seconds and updates each site in place, so the page follows the queue without a reload.
 * The server renders the same figures first, so the page reads without this script too. */
"use strict";

(function () {
  const BOOT = JSON.parse(document.getElementById("boot").textContent);
  const TEXTS = BOOT.texts;
  const LANG = BOOT.lang;

  function T(key, params) {
    const text = TEXTS[key];
    if (text === undefined) {
      console.error("missing text", key);
      return key;
    }
    return text.replace(/\{(\w+)\}/g, (m, name) => (params && name in params ? String(params[name]) : m));
  }

  const clock = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" });

  function waitText(site) {
    if (site.wait_minutes === null) return T("public.no_station");
    if (site.wait_minutes === 0) return T("public.no_wait");
    return T("public.minutes", { n: site.wait_minutes });
  }

  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  function show(board) {
    for (const site of board.sites) {
      const card = document.querySelector(`[data-site="${CSS.escape(site.code)}"]`);
      if (!card) continue;
      const lamp = card.querySelector('[data-field="lamp"]');
      lamp.className = `pub-lamp lamp-${site.lamp}`;
      setText(lamp, T(`public.lamp_${site.lamp}`));
      setText(card.querySelector('[data-field="waiting"]'), T("public.people", { n: site.waiting }));
      setText(card.querySelector('[data-field="wait"]'), waitText(site));
      setText(card.querySelector('[data-field="stations"]'), T("public.station_count", { n: site.stations_in_service }));
    }
    setText(document.getElementById("updated"), T("public.updated", { time: clock.format(new Date(board.updated_at)) }));
    document.body.dataset.updatedAt = board.updated_at;
  }

  async function refresh() {
    try {
      const r = await fetch("/public/congestion.json", { headers: { Accept: "application/json" } });
      if (r.ok) {
        show(await r.json());
      } else if (r.status !== 304) {
        throw new Error(String(r.status));
      }
    } catch (e) {
      setText(document.getElementById("updated"), T("public.stale"));
    }
  }

  setInterval(refresh, Math.max(5, BOOT.refresh_seconds) * 1000);
})();
