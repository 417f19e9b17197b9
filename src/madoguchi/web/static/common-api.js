/* madoguchi screens, shared (after common-connection.js): calls to the server. api() sends
 * JSON (or a form, or files) over fetch with the CSRF token of the session and throws ApiError;
 * uuid() names an idempotent write. */
"use strict";

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
