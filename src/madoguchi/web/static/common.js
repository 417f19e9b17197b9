/* madoguchi screens: what every page shares, in five scripts loaded in this order by
 * templates/base.html (plain scripts sharing one global scope; no bundler):
 * - common.js (this one): BOOT, the page's data block (server-rendered JSON, never executed as
 *   script); T(key, params), a text from the page's catalog, {name} filled in; money, times,
 *   names, faults, errors and incidents said in the screen's words.
 * - common-connection.js: live(), a Server-Sent Events stream that reconnects and says when to
 *   re-read; the "connection lost" notice; coalesce() and debounce().
 * - common-api.js: api(), JSON (or a form, or files) over fetch with the CSRF token of the
 *   session; throws ApiError. uuid() for idempotent writes.
 * - common-dom.js: h() builds DOM nodes (text always goes in as text, never as HTML); station
 *   colours, toasts, dialogs, ask(), the logout button.
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

/* An incident said in the screen's words (the server's summary is English, for the log);
 * needs the page's "office" texts and BOOT.brands. Other kinds keep the text typed by staff. */
function incidentSummary(i) {
  if (i.kind === "cashless_unknown") {
    return T("office.doubt_summary", { brand: BOOT.brands[i.brand] || i.brand || "", amount: yen(i.amount) });
  }
  if (i.kind === "cash_jam") return T("office.jam_summary", { amount: yen(i.amount) });
  return i.summary || "";
}
