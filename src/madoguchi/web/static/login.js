/* Staff login: a cookie session; then on to the page asked for. */
"use strict";
(function () {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  const submit = document.getElementById("login-submit");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      await api("POST", "/api/auth/login", {
        login: document.getElementById("login").value.trim(),
        password: document.getElementById("password").value,
      }, { csrf: false });
      location.href = BOOT.next || "/";
    } catch (err) {
      error.textContent = err.status === 401 ? T("login.failed") : errorText(err);
      error.hidden = false;
      submit.disabled = false;
      document.getElementById("password").select();
    }
  });
})();
