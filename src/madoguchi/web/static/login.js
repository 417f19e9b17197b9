/* Staff login: a cookie session; then on to the page asked for. */
"use strict";
(function () {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  const submit = document.getElementById("login-submit");

  /* The server already keeps only a path of this site; the browser checks again, with its
     own URL parser (the one that decides where location.href goes). */
  function sameOriginPath(next) {
    if (typeof next !== "string" || !next.startsWith("/") || /[\\\s\u0000-\u001f\u007f]/.test(next)) return "/";
    let url;
    try {
      url = new URL(next, location.origin);
    } catch (_err) {
      return "/";
    }
    if (url.origin !== location.origin) return "/";
    return url.pathname + url.search + url.hash;
  }
  /* A lock says until when, in JST (the server sends e.g. 2026-11-02T09:36+09:00). */
  function lockedText(err) {
    const until = err.status === 429 && err.data && err.data.locked_until;
    const m = typeof until === "string" && until.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/);
    if (!m) return null;
    const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date());
    const day = `${m[1]}-${m[2]}-${m[3]}` === today ? "" : T("login.locked_day", { month: Number(m[2]), day: Number(m[3]) });
    const key = err.data.locked === "client" ? "login.locked_client" : "login.locked_account";
    return T(key, { until: `${day}${m[4]}:${m[5]}` });
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      await api("POST", "/api/auth/login", {
        login: document.getElementById("login").value.trim(),
        password: document.getElementById("password").value,
      }, { csrf: false });
      location.href = sameOriginPath(BOOT.next);
    } catch (err) {
      error.textContent = err.status === 401 ? T("login.failed") : lockedText(err) || errorText(err);
      error.hidden = false;
      submit.disabled = false;
      document.getElementById("password").select();
    }
  });
})();
