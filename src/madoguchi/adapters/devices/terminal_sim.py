"""A simulated cashless payment terminal for the 32 brands, deterministic under a seed.

It charges nothing and stores no card data (there is none: a brand code and an
amount). What it models is the part that goes wrong in real life:

* Every ``pay`` carries our ``request_id``, the idempotency key. A repeat of a known
  request never charges twice: it answers the recorded outcome; while that outcome
  is still open (a timeout the processor has not answered yet) it answers TIMEOUT
  again, and the caller must ask :meth:`SimulatedTerminal.status`. A request that
  timed out before reaching the processor is not known at all (status NOT_FOUND),
  so paying it again with the same id is a fresh, safe attempt.
* Timeouts come in four kinds (see :data:`OUTCOMES`): the processor approved,
  declined, never saw the request, or does not know yet (処理未了: status
  stays IN_PROGRESS until the provider answers, :meth:`settle`).
* Cancels follow the brand's window (:func:`madoguchi.domain.brands.cancel_allowed`):
  transit IC only for the terminal's last approved payment on the same day, Edy and
  nanaco never, WAON 14 days, iD and QUICPay 60 days; ages are JST calendar days.

A test decides the next outcome with :meth:`script`; otherwise outcomes are drawn
from the rates with a ``random.Random(seed)``. TxStatus has no "cancelled": a
cancelled payment keeps answering APPROVED with ``reason="cancelled"``.
"""
from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from madoguchi.adapters.devices.ports import CancelReply, PayOutcome, PayReply, StatusReply, TxStatus
from madoguchi.adapters.devices.state import StateLog
from madoguchi.domain.brands import CancelPolicy, brand, cancel_allowed
from madoguchi.domain.receipt import business_date
from madoguchi.errors import BadInput, Conflict, IdempotencyMismatch, TerminalError

#: What :meth:`SimulatedTerminal.script` accepts.
OUTCOMES = ("approved", "declined", "timeout_approved", "timeout_declined",
            "timeout_not_found", "timeout_unknown")
DECLINE_REASONS = ("insufficient balance", "card expired", "declined by issuer")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SimulatedTerminal:
    """A payment terminal simulator; implements :class:`~madoguchi.adapters.devices.ports.PaymentTerminal`."""

    def __init__(self, terminal_id: str, *, seed: int = 0, state_path: Path | None = None,
                 decline_rate: float = 0.0, timeout_rate: float = 0.0, unknown_rate: float = 0.0,
                 clock: Callable[[], dt.datetime] = _utc_now) -> None:
        if decline_rate + timeout_rate + unknown_rate > 1:
            raise BadInput("decline, timeout and unknown rates together must not exceed 1")
        self.terminal_id = terminal_id
        self._rates = (decline_rate, timeout_rate, unknown_rate)
        self._rng = random.Random(seed)
        self._clock = clock
        self._state = StateLog(state_path, self._whole) if state_path is not None else None
        self._lock = threading.RLock()
        self._online = True
        self._seq = 0                        # last reference number used
        self._last: str | None = None        # request id of the last approved payment
        self._txs: dict[str, dict[str, Any]] = {}
        self._scripts: list[dict[str, Any]] = []
        saved = self._state.read() if self._state is not None else None
        if saved is not None:
            self._online = saved["online"]
            self._seq = saved["seq"]
            self._last = saved["last"]
            self._txs = saved["txs"]
            self._scripts = saved["scripts"]
        else:
            self._save()

    # --- the port --------------------------------------------------------------------
    def online(self) -> bool:
        return self._online

    def pay(self, request_id: str, amount: int, brand: str) -> PayReply:
        with self._lock:
            self._require_online()
            if not isinstance(request_id, str) or not request_id:
                raise BadInput("request_id must be a non-empty string")
            code = _brand_code(brand)
            if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                raise BadInput(f"amount must be whole yen above 0, got {amount!r}")
            known = self._txs.get(request_id)
            if known is not None:
                if (known["amount"], known["brand"]) != (amount, code):
                    raise IdempotencyMismatch(
                        f"request {request_id} was a payment of {known['amount']} yen by "
                        f"{known['brand']}; use a new request id for a different payment")
                return _pay_reply(known)
            step = self._next_outcome()
            outcome = step["outcome"]
            if outcome == "timeout_not_found":
                return PayReply(PayOutcome.TIMEOUT)  # never reached the processor: no record
            tx: dict[str, Any] = {
                "amount": amount, "brand": code, "at": self._clock().isoformat(),
                "status": TxStatus.IN_PROGRESS.value, "final": None,
                "queries_left": step["in_progress_queries"], "reference": None,
                "reason": None, "cancelled": False, "cancel_reference": None,
            }
            if outcome in ("approved", "timeout_approved"):
                tx["final"] = TxStatus.APPROVED.value
                tx["reference"] = self._next_reference()
                self._last = request_id
            elif outcome in ("declined", "timeout_declined"):
                tx["final"] = TxStatus.DECLINED.value
                tx["reason"] = step["reason"]
            if not outcome.startswith("timeout_"):
                tx["status"] = tx["final"]
            self._txs[request_id] = tx
            self._save(request_id)
            return _pay_reply(tx)

    def status(self, request_id: str) -> StatusReply:
        with self._lock:
            self._require_online()
            tx = self._txs.get(request_id)
            if tx is None:
                return StatusReply(TxStatus.NOT_FOUND)
            if tx["status"] == TxStatus.IN_PROGRESS.value and tx["final"] is not None:
                if tx["queries_left"] > 0:
                    tx["queries_left"] -= 1
                else:
                    tx["status"] = tx["final"]
                self._save(request_id)
            return _status_reply(tx)

    def cancel(self, request_id: str) -> CancelReply:
        with self._lock:
            self._require_online()
            tx = self._txs.get(request_id)
            if tx is None or tx["status"] != TxStatus.APPROVED.value:
                return CancelReply(False, reason="only an approved payment can be cancelled")
            if tx["cancelled"]:
                return CancelReply(False, reference=tx["cancel_reference"], reason="already cancelled")
            b = brand(tx["brand"])
            age = (business_date(self._clock()) - business_date(dt.datetime.fromisoformat(tx["at"]))).days
            if not cancel_allowed(b, age_days=age, is_terminal_last=self._last == request_id):
                return CancelReply(False, reason=_refusal(b))
            tx["cancelled"] = True
            tx["cancel_reference"] = self._next_reference()
            self._last = None  # the cancel is now the terminal's last transaction
            self._save(request_id)
            return CancelReply(True, reference=tx["cancel_reference"])

    # --- test and simulator controls -------------------------------------------------
    def set_online(self, online: bool) -> None:
        with self._lock:
            self._online = bool(online)
            self._save()

    def script(self, outcome: str, *, reason: str = "declined by issuer",
               in_progress_queries: int = 1) -> None:
        """Decide the outcome of the next ``pay`` (calls queue up in order).

        ``reason`` is the decline reason; ``in_progress_queries`` is how many status
        queries answer IN_PROGRESS before a timed-out payment shows its final answer.
        """
        if outcome not in OUTCOMES:
            raise BadInput(f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
        if in_progress_queries < 0:
            raise BadInput("in_progress_queries must not be negative")
        with self._lock:
            self._scripts.append({"outcome": outcome, "reason": reason,
                                  "in_progress_queries": in_progress_queries})
            self._save()

    def settle(self, request_id: str, approved: bool, *, reason: str = "not completed") -> StatusReply:
        """The provider's late answer for a payment still in progress (e.g. a month later)."""
        with self._lock:
            tx = self._txs.get(request_id)
            if tx is None or tx["status"] != TxStatus.IN_PROGRESS.value:
                raise Conflict(f"request {request_id} is not a payment in progress")
            if approved:
                tx["final"] = TxStatus.APPROVED.value
                tx["reference"] = tx["reference"] or self._next_reference()
                tx["reason"] = None
            else:
                tx["final"] = TxStatus.DECLINED.value
                tx["reference"] = None
                tx["reason"] = reason
            tx["status"] = tx["final"]
            tx["queries_left"] = 0
            self._save(request_id)
            return _status_reply(tx)

    def transactions(self) -> dict[str, dict[str, Any]]:
        """Every payment the processor saw, by request id (a copy, for screens and tests)."""
        with self._lock:
            return {rid: dict(tx) for rid, tx in self._txs.items()}

    # --- internals -------------------------------------------------------------------
    def _require_online(self) -> None:
        if not self._online:
            raise TerminalError(f"terminal {self.terminal_id} is offline: check its cable "
                                "and network, or take cash", terminal_id=self.terminal_id)

    def _next_outcome(self) -> dict[str, Any]:
        if self._scripts:
            return self._scripts.pop(0)
        decline, timeout, unknown = self._rates
        draw = self._rng.random()
        reason = "declined by issuer"
        if draw < decline:
            outcome = "declined"
            reason = self._rng.choice(DECLINE_REASONS)
        elif draw < decline + timeout:
            outcome = self._rng.choice(("timeout_approved", "timeout_declined", "timeout_not_found"))
        elif draw < decline + timeout + unknown:
            outcome = "timeout_unknown"
        else:
            outcome = "approved"
        return {"outcome": outcome, "reason": reason, "in_progress_queries": 1}

    def _next_reference(self) -> str:
        self._seq += 1
        return f"T{self.terminal_id}-{self._seq:06d}"

    def _fields(self) -> dict[str, Any]:
        return {"version": 1, "terminal_id": self.terminal_id, "online": self._online, "seq": self._seq,
                "last": self._last, "scripts": self._scripts}

    def _whole(self) -> dict[str, Any]:
        return self._fields() | {"txs": self._txs}

    def _save(self, request_id: str | None = None) -> None:
        """Record the terminal's fields, and the transaction ``request_id`` if it changed
        (not every transaction: they only grow in number)."""
        if self._state is not None:
            self._state.change(self._fields(), {"txs": {request_id: self._txs[request_id]}} if request_id else None)


def _brand_code(code: object) -> str:
    if not isinstance(code, str):
        raise BadInput(f"brand must be a brand code, got {code!r}")
    return brand(code).code


def _pay_reply(tx: dict[str, Any]) -> PayReply:
    if tx["status"] == TxStatus.APPROVED.value:
        return PayReply(PayOutcome.APPROVED, reference=tx["reference"])
    if tx["status"] == TxStatus.DECLINED.value:
        return PayReply(PayOutcome.DECLINED, reason=tx["reason"])
    return PayReply(PayOutcome.TIMEOUT, reason="outcome not known yet; ask for the status")


def _status_reply(tx: dict[str, Any]) -> StatusReply:
    if tx["status"] == TxStatus.APPROVED.value:
        return StatusReply(TxStatus.APPROVED, reference=tx["reference"],
                           reason="cancelled" if tx["cancelled"] else None)
    if tx["status"] == TxStatus.DECLINED.value:
        return StatusReply(TxStatus.DECLINED, reason=tx["reason"])
    return StatusReply(TxStatus.IN_PROGRESS)


def _refusal(b: Any) -> str:
    if b.cancel_policy is CancelPolicy.NONE:
        return f"{b.name} payments cannot be cancelled at the terminal; refund by bank transfer"
    if b.cancel_policy is CancelPolicy.LAST_TRANSACTION:
        return (f"a {b.name} payment can be cancelled only on the same day while it is the "
                "terminal's last transaction; refund by bank transfer")
    return f"the {b.cancel_days}-day cancel window of {b.name} has passed; refund by bank transfer"


if TYPE_CHECKING:  # mypy proves the SimulatedTerminal is a PaymentTerminal, signature for signature
    from madoguchi.adapters.devices.ports import PaymentTerminal
    _: PaymentTerminal = SimulatedTerminal("check")
