"""What the counter's browser tests share: the station's readability check (font size and
contrast), and waits for the register to be ready and for the station to show a phase.
"""
from __future__ import annotations

from playwright.sync_api import expect

#: The smallest font size and the lowest text contrast (WCAG formula) among the visible texts
#: of the resident's screen (the demo panel aside; disabled buttons are exempt in WCAG too).
READABILITY = """() => {
  const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map((v) => { v = v / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const opaque = (c) => !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== "transparent";
  let size = 1e9, contrast = 1e9, worst = "";
  for (const el of document.querySelectorAll(".kiosk *")) {
    if (!el.offsetParent || el.closest(":disabled")) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    size = Math.min(size, parseFloat(style.fontSize));
    let bg = el;
    while (bg && !opaque(getComputedStyle(bg).backgroundColor)) bg = bg.parentElement;
    const [a, b] = [lum(style.color), lum(getComputedStyle(bg || document.body).backgroundColor)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < contrast) { contrast = ratio; worst = el.textContent.trim().slice(0, 40); }
  }
  return {size, contrast, worst};
}"""


def _readable(page) -> None:  # type: ignore[no-untyped-def]
    """Body text at least 24 px and every text at WCAG AA contrast (4.5:1) on the station."""
    r = page.evaluate(READABILITY)
    assert r["size"] >= 24, r
    assert r["contrast"] >= 4.5, r


def _ready_register(page) -> None:  # type: ignore[no-untyped-def]
    """The register has its place and has heard from the server (stations are drawn)."""
    expect(page.locator("#place-label")).not_to_have_text("—")
    expect(page.locator("#targets .target")).to_have_count(3)  # 自動 + the two stations of 本庁


def _station_shows(page, phase: str) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("#screen")).to_have_attribute("data-phase", phase)
