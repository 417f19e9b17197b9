/* Pairing a payment-station screen: a supervisor of the site types their login and
 * password once; the screen gets its own cookie for this station only. */
"use strict";
(function () {
  const form = document.getElementById("pair-form");
  const error = document.getElementById("pair-error");
  const submit = document.getElementById("pair-submit");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      await api("POST", `/station/${encodeURIComponent(BOOT.station.id)}/pair`, {
        login: document.getElementById("login").value.trim(),
        password: document.getElementById("password").value,
      }, { csrf: false });
      location.reload();
    } catch (err) {
      error.textContent = T("pair.failed", { message: errorText(err) });
      error.hidden = false;
      submit.disabled = false;
    }
  });
})();
