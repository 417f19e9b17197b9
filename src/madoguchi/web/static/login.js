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
      error.textContent = err.status === 401 ? T("login.failed") : errorText(err);
      error.hidden = false;
      submit.disabled = false;
      document.getElementById("password").select();
    }
  });
})();
