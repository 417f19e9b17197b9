"""待ち時間の試算 (/office/plan) in a real browser: the chart is drawn, downloads as PNG, and the
page passes axe with no console error at all."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens, publish_doc_image
from tests.e2e.browser.test_accessibility import _check

expect.set_options(timeout=10_000)


def test_a_supervisor_sees_the_waits_chart_and_downloads_it_as_png(screens: Screens) -> None:
    errors: list[str] = []
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office/plan?arrivals=100")
    office.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    office.set_viewport_size({"width": 1366, "height": 900})  # a common office PC
    office.reload()
    expect(office.locator("h1")).to_have_text("待ち時間の試算")
    canvas = office.locator("#plan-chart canvas")
    expect(canvas.first).to_be_visible()
    box = canvas.first.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 300
    drawn: Any = office.evaluate("""() => {
      const plot = echarts.getInstanceByDom(document.getElementById('plan-chart'));
      return {series: plot.getOption().series.length, png: plot.getDataURL({type: 'png'}).slice(0, 22)};
    }""")
    assert drawn == {"series": 3, "png": "data:image/png;base64,"}
    expect(office.locator("#plan-table tbody tr")).to_have_count(4)
    expect(office.locator("#target-saving")).to_contain_text("秒短縮")

    # The toolbox's save button (top right of the chart) downloads the chart as a PNG file.
    icon: Any = office.evaluate("""() => {
      const plot = echarts.getInstanceByDom(document.getElementById('plan-chart'));
      const corner = plot.getWidth() - 60;  /* the toolbox's one icon sits in the top right corner */
      for (const el of plot.getZr().storage.getDisplayList()) {
        const r = el.getBoundingRect().clone();
        r.applyTransform(el.getComputedTransform());
        if (r.x > corner && r.y < 40) return {x: r.x, y: r.y, width: r.width, height: r.height};
      }
      return null;
    }""")
    with office.expect_download() as download:
        canvas.first.click(position={"x": icon["x"] + icon["width"] / 2, "y": icon["y"] + icon["height"] / 2})
    assert download.value.suggested_filename == "madoguchi-plan-100.png"

    _check(office, "office plan")
    assert not errors, errors
    publish_doc_image(screens.snap("office", "chart"), "office-plan.png")
