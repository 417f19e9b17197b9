/* madoguchi screens, shared (after common.js): the connection to the server. live() follows
 * a stream of change keys, the "connection lost" notice says when the server is gone (api() in
 * common-api.js reports each call's outcome to it), coalesce() and debounce() pace re-reads. */
"use strict";

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

/* Calls fn at most once per `ms`, always with the last arguments (a burst becomes one call). */
function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
