"""キャッシュレス化の成果 (/office/outcomes) in a real browser: three months of simulated
payments, four charts drawn on canvases (each downloads as PNG), a month's figures as .xlsx,
and the page passes axe with no console error at all."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import expect
from tests.e2e.browser.conftest import LiveServer, Screens, publish_doc_image
from tests.e2e.browser.test_accessibility import _check

from madoguchi.adapters.db.engine import make_engine
from madoguchi.bootstrap import sim_runtime
from madoguchi.domain.receipt import business_date
from madoguchi.services.sim.simulate import simulate_day

expect.set_options(timeout=10_000)
CHARTS = ("share", "payments", "to-pay", "brands")


def _three_months(server: LiveServer) -> list[str]:
    """A day of each of the last three months, the cashless share rising; their months."""
    today = business_date(server.rt.clock())
    days = [today - dt.timedelta(days=n) for n in (62, 31, 1)]
    engine = make_engine(server.rt.settings.database_url)
    try:
        for n, (day, share) in enumerate(zip(days, (0.2, 0.3, 0.4), strict=True)):
            rt, clock = sim_runtime(server.rt.settings, day=day, engine=engine)
            simulate_day(rt, clock, day=day, sales=30, seed=n + 1, fault_rate=0.05, cashless_share=share)
    finally:
        engine.dispose()
    return sorted({d.strftime("%Y-%m") for d in days})


def test_a_supervisor_sees_the_outcomes_charts_and_downloads_a_month(screens: Screens, server: LiveServer) -> None:
    months = _three_months(server)
    errors: list[str] = []
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office/outcomes")
    office.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    office.set_viewport_size({"width": 1366, "height": 900})
    office.reload()
    expect(office.locator("h1")).to_have_text("キャッシュレス化の成果")
    for chart in CHARTS:
        canvas = office.locator(f"#chart-{chart} canvas")
        expect(canvas.first).to_be_visible()
        box = canvas.first.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 250
    drawn: Any = office.evaluate("""(ids) => ids.map((id) => {
      const plot = echarts.getInstanceByDom(document.getElementById('chart-' + id));
      const o = plot.getOption();
      return {series: o.series.length, png: !!o.toolbox[0].feature.saveAsImage,
              image: plot.getDataURL({type: 'png'}).slice(0, 22)};
    })""", list(CHARTS))
    assert [d["series"] for d in drawn] == [2, 2, 2, 1]
    assert all(d["png"] and d["image"] == "data:image/png;base64," for d in drawn)
    expect(office.locator("#kpi-share")).to_contain_text("%")
    for month in months:
        expect(office.locator("#month-table tbody")).to_contain_text(month)

    # The last month's figures download as a workbook with the same payments.
    with office.expect_download() as download:
        office.locator(f'a.xlsx-link[href^="/office/outcomes/{months[-1]}.xlsx"]').click()
    assert download.value.suggested_filename == f"madoguchi-outcomes-{months[-1]}.xlsx"
    path = download.value.path()
    with open(path, "rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    assert wb.sheetnames == ["概要", "拠点別", "ブランド別"]
    assert wb["概要"]["A3"].value == "支払い件数" and int(wb["概要"]["B3"].value) > 0

    _check(office, "office outcomes")
    assert not errors, errors
    publish_doc_image(screens.shoot()["office"], "office-outcomes.png")


def test_a_cashier_may_not_see_the_outcomes(screens: Screens) -> None:
    page = screens.staff(label="cashier", login="cashier", desk=None, path="/office/outcomes")
    expect(page.locator("#chart-share")).to_have_count(0)
    assert page.request.get("/office/outcomes").status == 403
    assert page.request.get("/office/outcomes/2026-11.xlsx").status == 403
