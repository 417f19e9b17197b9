/* madoguchi screens: what every page shares.
 * - BOOT: the page's data block (server-rendered JSON, never executed as script).
 * - T(key, params): a text from the page's catalog, {name} filled in.
 * - api(): JSON (or a form, or files) over fetch with the CSRF token of the session; throws ApiError.
 * - h(): builds DOM nodes (text always goes in as text, never as HTML).
 * - live(): a Server-Sent Events stream that reconnects and says when to re-read.
 * No inline script anywhere (the Content-Security-Policy forbids it). */
"use strict";

const BOOT = JSON.parse(document.getElementById("boot").textContent);
const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

function format(text, params) {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

function makeT(texts) {
  const T = function (key, params) {
    const text = texts[key];
    if (text === undefined) {
      console.error("missing text", key);
      return key;
    }
    return format(text, params);
  };
  T.has = (key) => texts[key] !== undefined;
  return T;
}

const T = makeT(BOOT.texts && !BOOT.texts.ja ? BOOT.texts : {});

function digits(n) {
  return Number(n || 0).toLocaleString("ja-JP");
}

function yen(n) {
  return T("common.yen", { amount: digits(n) });
}

class ApiError extends Error {
  /* data: the whole error answer ({error, message} and what else the error carries, e.g. findings). */
  constructor(status, code, message, data) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data || {};
  }
}

async function api(method, path, body, options) {
  const opts = options || {};
  const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
  if (method !== "GET" && (opts.csrf !== false)) headers["X-CSRF-Token"] = opts.csrfToken || CSRF;
  let payload;
  if (opts.files) {
    payload = opts.files;  /* a FormData with files: the browser writes the multipart boundary */
  } else if (opts.form) {
    payload = new URLSearchParams(opts.form);
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch (err) {
    showConnection(false);
    throw new ApiError(0, "network", String(err && err.message || err));
  }
  if (response.status === 502 || response.status === 503 || response.status === 504) showConnection(false);
  else showConnection(true);
  if (response.status === 204) return null;
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  if (!response.ok) {
    const code = (data && data.error) || "http_" + response.status;
    const message = (data && data.message) || response.statusText;
    throw new ApiError(response.status, code, message, data);
  }
  return data;
}

/* A UUID v4 for idempotent writes (crypto.randomUUID needs a secure context; this does not). */
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/* h("div", {class: "x", onclick: fn, dataset: {a: 1}}, "text", child, [more]) */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") Object.entries(value).forEach(([k, v]) => el.style.setProperty(k, v));
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value).replace(/\u200b/g, ""));
  }
  const add = (child) => {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) child.forEach(add);
    else if (child instanceof Node) el.append(child);
    else phrases(String(child)).forEach((node) => el.append(node));
  };
  children.forEach(add);
  return el;
}

/* Text with phrase marks (U+200B, put in on the server by BudouX: web/phrases.py) becomes text
 * nodes with a <wbr> between phrases, so a Japanese line breaks between phrases only
 * (with `word-break: keep-all`), and the text itself reads exactly as written. */
function phrases(text) {
  if (text.indexOf("\u200b") < 0) return [document.createTextNode(text)];
  const out = [];
  text.split("\u200b").forEach((part, i) => {
    if (i) out.push(document.createElement("wbr"));
    if (part) out.push(document.createTextNode(part));
  });
  return out;
}

/* Sets an element's text (phrase marks become <wbr>). */
function setText(el, text) {
  el.replaceChildren(...phrases(String(text)));
  return el;
}

function clear(el, ...children) {
  el.replaceChildren();
  children.forEach((c) => c && el.append(c));
  return el;
}

/* Text colour (near-black or white) with the better contrast on a station's colour. */
function inkOn(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
  if (!m) return "#ffffff";
  const lin = (c) => { c = parseInt(c, 16) / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const L = 0.2126 * lin(m[1]) + 0.7152 * lin(m[2]) + 0.0722 * lin(m[3]);
  return (1.05 / (L + 0.05)) >= ((L + 0.05) / 0.05) ? "#ffffff" : "#111111";
}

function paintColour(el, colour) {
  el.style.setProperty("--station-colour", colour);
  el.style.setProperty("--station-ink", inkOn(colour));
}

function paintAll(root) {
  (root || document).querySelectorAll("[data-colour]").forEach((el) => paintColour(el, el.dataset.colour));
}

function stationChip(station, size) {
  const chip = h("span", { class: "station-chip" + (size ? " station-chip-" + size : "") }, String(station.number));
  paintColour(chip, station.colour);
  return chip;
}

function ageText(iso, now) {
  const minutes = Math.max(0, Math.floor(((now || Date.now()) - Date.parse(iso)) / 60000));
  if (minutes < 1) return T("common.just_now");
  if (minutes < 60) return T("common.minutes_ago", { n: minutes });
  return T("common.hours_ago", { h: Math.floor(minutes / 60), m: minutes % 60 });
}

function clock(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tokyo" });
}

/* Calls fn at most once per `ms`, always with the last arguments (a burst becomes one call). */
function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/* One stream of change keys. onChange(keys) gets null after every (re)connect: re-read all. */
function live(url, onChange, onStatus) {
  let source = null;
  let retry = 1000;
  const status = onStatus || (() => {});
  function connect() {
    source = new EventSource(url);
    source.addEventListener("hello", () => { retry = 1000; status(true); onChange(null); });
    source.addEventListener("change", (ev) => {
      let keys = [];
      try { keys = JSON.parse(ev.data).keys || []; } catch (err) { keys = []; }
      onChange(keys);
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        status(false);
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 4000); // back within seconds of the server
      } else if (source.readyState === EventSource.CONNECTING) {
        status(false);
      }
    });
  }
  connect();
  return () => source && source.close();
}

/* The "connection lost" notice. Losing the server is noticed two ways: a stream that cannot
 * reconnect, and a call that gets no answer at all. The notice appears LOST_AFTER ms after the
 * first sign (a stream ending and reconnecting by design takes well under that) and stays until
 * the server answers again; the timer is started once, never restarted by later errors, so
 * repeated failures cannot keep pushing it back. When the server answers again every listener
 * of onReconnect re-reads what it shows (the streams also say "re-read all" on reconnect). */
const LOST_AFTER = 3000;
const connection = { ok: true, since: null, timer: null, listeners: [] };
function showConnection(ok) {
  const bar = document.getElementById("connection");
  if (ok) {
    const wasShown = bar && !bar.hidden;
    clearTimeout(connection.timer);
    connection.timer = null;
    connection.ok = true;
    connection.since = null;
    if (bar) bar.hidden = true;
    if (wasShown) connection.listeners.forEach((fn) => fn());
    return;
  }
  if (!connection.ok) return; // already counting (or shown): the first sign sets the clock
  connection.ok = false;
  connection.since = Date.now();
  connection.timer = setTimeout(() => { if (bar && !connection.ok) bar.hidden = false; }, LOST_AFTER);
}
function onReconnect(fn) { connection.listeners.push(fn); }

let toastTimer = null;
function toast(message, kind) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = message;
  el.className = "toast" + (kind ? " toast-" + kind : "");
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
}

/* Dialogs: [data-close] buttons close them; Escape closes them (the browser does). */
document.addEventListener("click", (ev) => {
  const button = ev.target.closest("[data-close]");
  if (button) {
    const dialog = button.closest("dialog");
    if (dialog) dialog.close();
  }
});

function wireLogout() {
  const button = document.getElementById("logout");
  if (!button) return;
  button.addEventListener("click", async () => {
    try { await api("POST", "/api/auth/logout"); } catch (err) { /* already gone */ }
    location.href = "/login";
  });
}

paintAll();
wireLogout();

/* Names the screen knows for an id or a login (display names, station and site names): pages
 * may add their own (e.g. the register's live station list). */
const NAMES = {
  person: (login) => personName(login),
  station: (id) => {
    const st = ((BOOT.places || {}).payment_stations || []).find((s) => s.id === id);
    return st ? T("common.station_label", { number: st.number }) : null;
  },
  site: (code) => { const s = ((BOOT.places || {}).sites || []).find((x) => x.code === code); return s ? s.name : null; },
};

/* A staff member's display name, never their login ID (BOOT.people: login -> name). The
 * system's own actors have names in the catalog; a payment station acts as its screen. */
function personName(login) {
  if (!login) return "";
  const people = BOOT.people || {};
  if (people[login]) return people[login];
  if (T.has("common.person." + login)) return T("common.person." + login);
  if (String(login).startsWith("station:")) return NAMES.station(login.slice(8)) || T("common.person.unknown");
  return T("common.person.unknown");
}

/* Why a station is out of service, in words (the server's fault_code; its fault text is English). */
function faultText(st) {
  const f = st && st.fault_code;
  if (!f) return st && st.fault ? T("common.fault.out_of_service") : "";
  if (f.code === "changer_jammed") {
    return T.has("common.step." + f.step) ? T("common.fault.changer_jammed_at", { step: T("common.step." + f.step) })
      : T("common.fault.changer_jammed");
  }
  return T.has("common.fault." + f.code) ? T("common.fault." + f.code) : T("common.fault.out_of_service");
}

/* The error said in the screen's words, from its code and params: never the server's English
 * message. A param value that is itself a code (a role, an action, a changer step) is said in
 * words too (common.<param>.<value>), an id by its name; an unknown code shows the code. */
function errorText(err) {
  const code = (err && err.code) || "unknown";
  const params = {};
  Object.entries((err && err.data && err.data.params) || {}).forEach(([key, value]) => {
    const named = NAMES[key] ? NAMES[key](value) : null;
    params[key] = named || (T.has(`common.${key}.${value}`) ? T(`common.${key}.${value}`) : value);
  });
  if (code !== "unknown" && T.has("common.err." + code)) return T("common.err." + code, params);
  return T("common.err_unknown", { code });
}

/* Runs fn now, never twice at once: a call while it runs asks for exactly one more run after
 * it. So answers cannot arrive out of order, and the last run always starts after the last
 * change it was told about (a burst of changes costs at most two reads). */
function coalesce(fn) {
  let running = null;
  let again = false;
  return function run() {
    if (running) { again = true; return running; }
    running = (async () => {
      try {
        do { again = false; await fn(); } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

/* An incident said in the screen's words (the server's summary is English, for the log);
 * needs the page's "office" texts and BOOT.brands. Other kinds keep the text typed by staff. */
function incidentSummary(i) {
  if (i.kind === "cashless_unknown") {
    return T("office.doubt_summary", { brand: BOOT.brands[i.brand] || i.brand || "", amount: yen(i.amount) });
  }
  if (i.kind === "cash_jam") return T("office.jam_summary", { amount: yen(i.amount) });
  return i.summary || "";
}

/* A question in the page's own <dialog id="ask-dialog"> (templates/_ask_dialog.html): resolves to
 * the note typed (or "" when none is asked), or null when cancelled. */
function ask(text, noteLabel) {
  const dialog = document.getElementById("ask-dialog");
  document.getElementById("ask-text").textContent = text;
  document.getElementById("ask-note-field").hidden = !noteLabel;
  document.getElementById("ask-note-label").textContent = noteLabel || "";
  document.getElementById("ask-note").value = "";
  document.getElementById("ask-note").required = !!noteLabel;
  return new Promise((resolve) => {
    let answer = null;
    document.getElementById("ask-form").onsubmit = (ev) => {
      ev.preventDefault();
      answer = noteLabel ? document.getElementById("ask-note").value.trim() : "";
      if (noteLabel && !answer) return;
      dialog.close();
    };
    dialog.onclose = () => resolve(answer);
    dialog.showModal();
  });
}
