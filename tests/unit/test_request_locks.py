"""DeviceRegistry.request: one caller at a time per terminal request id, and nothing kept after."""
from __future__ import annotations

import threading
import time

from madoguchi.services.runtime import DeviceRegistry


def test_a_second_caller_of_the_same_request_id_waits_and_another_id_does_not():
    devices = DeviceRegistry({})
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with devices.request("p-1"):
            inside.set()
            time.sleep(0.2)
            order.append("first done")

    def same() -> None:
        with devices.request("p-1"):
            order.append("same id")

    t = threading.Thread(target=first)
    t.start()
    assert inside.wait(5)
    with devices.request("p-2"):
        order.append("other id")  # not held up by p-1
    u = threading.Thread(target=same)
    u.start()
    t.join(5)
    u.join(5)
    assert order == ["other id", "first done", "same id"]


def test_a_request_id_s_lock_is_forgotten_once_nobody_holds_or_waits_for_it():
    devices = DeviceRegistry({})
    for n in range(100):
        with devices.request(f"p-{n}"):
            pass
    try:
        with devices.request("failing"):
            raise RuntimeError("the payment failed")
    except RuntimeError:
        pass
    assert devices._requests == {}
