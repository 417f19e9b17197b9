/* madoguchi screens, shared (after common-api.js): building and wiring the page. h() builds
 * DOM nodes (text always goes in as text, never as HTML), station colours, toasts, dialogs and
 * ask(), the logout button; paints the page's station colours and wires logout on load. */
"use strict";

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
