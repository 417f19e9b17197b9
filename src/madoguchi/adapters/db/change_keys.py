"""Change keys: what a committed write touched, for the live screens to refresh."""
from __future__ import annotations

from sqlalchemy.orm import Session


def collect_touched(session: Session, _context: object) -> None:
    """Remember what a flush wrote, as change keys for live screens."""
    touched: set[str] = session.info.setdefault("touched", set())
    for obj in (*session.new, *session.dirty):
        touched.update(change_keys(obj))


def change_keys(obj: object) -> set[str]:
    from madoguchi.adapters.db import tables as t
    if isinstance(obj, t.Sale):
        keys = {f"sale:{obj.id}", f"site:{obj.site}"}
        if obj.payment_station:
            keys.add(f"station:{obj.payment_station}")
        return keys
    if isinstance(obj, (t.Payment, t.Receipt, t.Refund)):
        station = getattr(obj, "payment_station", None)
        return {f"sale:{obj.sale_id}"} | ({f"station:{station}"} if station else set())
    if isinstance(obj, t.PaymentStation):
        return {f"station:{obj.id}", f"site:{obj.site}"}
    if isinstance(obj, t.Incident):
        return {"incidents", f"site:{obj.site}"} | ({f"sale:{obj.sale_id}"} if obj.sale_id else set())
    if isinstance(obj, t.JournalRow):
        return {"journal"} | ({f"site:{obj.site}"} if obj.site else set())
    from madoguchi.adapters.db.training_tables import TrainingSwitch
    if isinstance(obj, TrainingSwitch):  # 練習モード switched: the site's screens show it without a reload
        return {f"site:{obj.site}"} | ({f"station:{obj.station_id}"} if obj.kind == "payment" else set())
    return set()
