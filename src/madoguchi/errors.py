"""One error hierarchy for madoguchi.

Expected failures (a declined card, a jammed machine, a station already in use,
bad input) derive from :class:`MadoguchiError` and carry a stable machine code, an
HTTP status and a message a person can act on. They are turned into HTTP answers in
exactly one place (``http/errors.py``) and into CLI messages in ``cli/__init__.py``.
Anything else is a bug and surfaces as a 500 with no internals leaked.
"""
from __future__ import annotations


class MadoguchiError(Exception):
    """Base of every expected failure."""

    code = "error"
    http_status = 400
    #: Keys of ``details`` an answer may carry beside the message (plain JSON data the
    #: caller needs to act, e.g. every finding of a refused close); the rest stays inside.
    public_details: tuple[str, ...] = ()

    def __init__(self, message: str, *, code: str | None = None,
                 params: dict[str, str | int] | None = None, **details: object) -> None:
        """``message`` is English, for the log and API clients; a screen speaks from ``code``
        (more specific than the class's, e.g. ``not_allowed`` for a PermissionDenied) and
        ``params`` (plain values its text needs: codes it translates, numbers, names)."""
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.params = dict(params or {})
        self.details = details


# --- the caller did something wrong -------------------------------------------------
class BadInput(MadoguchiError):
    """Input that does not parse or does not make sense; says what and where."""

    code = "bad_input"
    http_status = 422


class NotFound(MadoguchiError):
    code = "not_found"
    http_status = 404


class Conflict(MadoguchiError):
    """The request is valid but the world is not in a state that allows it."""

    code = "conflict"
    http_status = 409


class InvalidTransition(Conflict):
    code = "invalid_transition"


class StationBusy(Conflict):
    code = "station_busy"


class StationScreenOffline(StationBusy):
    """The payment station's screen is not connected: a resident sent there could not pay."""
    code = "station_screen_offline"


class IdempotencyMismatch(Conflict):
    """The same client id was used for a different request."""

    code = "idempotency_key_reused"


class PaymentInDoubt(Conflict):
    """A previous cashless attempt has an unknown outcome; it must be resolved first."""

    code = "payment_in_doubt"


class SplitPaymentNotAllowed(Conflict):
    code = "split_payment_not_allowed"


class RefundNotPossible(Conflict):
    code = "refund_not_possible"


# --- who is asking ------------------------------------------------------------------
class NotAuthenticated(MadoguchiError):
    code = "not_authenticated"
    http_status = 401


class PermissionDenied(MadoguchiError):
    code = "permission_denied"
    http_status = 403


class RateLimited(MadoguchiError):
    code = "rate_limited"
    http_status = 429


class LoginLocked(RateLimited):
    """Too many failed logins: ``locked_until`` (ISO, JST) says when to try again, ``locked``
    whether the account or the client address is held."""

    public_details = ("locked_until", "locked")


# --- the installation ---------------------------------------------------------------
class Misconfigured(MadoguchiError):
    """A setting the server needs is missing or unusable; the operator must fix it."""

    code = "misconfigured"
    http_status = 503


# --- the devices and the payment world ----------------------------------------------
class DeviceError(MadoguchiError):
    """A device could not do what was asked; the sale is left in a safe state."""

    code = "device_error"
    http_status = 409


class ChangerJammed(DeviceError):
    code = "changer_jammed"


class CannotMakeChange(DeviceError):
    code = "cannot_make_change"


class ChangerNotReady(DeviceError):
    code = "changer_not_ready"


class PrinterError(DeviceError):
    code = "printer_error"


class PaperOut(PrinterError):
    code = "printer_paper_out"


class PrinterJammed(PrinterError):
    code = "printer_jammed"


class TerminalError(DeviceError):
    code = "terminal_error"


class PaymentDeclined(MadoguchiError):
    code = "payment_declined"
    http_status = 402
