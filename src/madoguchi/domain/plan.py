"""The capacity planner's pure part: what a site is, what a run found, and queueing theory.

A planned site (:class:`PlanInputs`) is residents arriving (a rate per hour, or an hourly
profile), a staff station registering them, payment stations where they pay cash or
cashless, and now and then a jam. The simulation itself runs in ``services/plan/``; here
are the values it takes and gives, the checks of its inputs (every problem at once, each
naming its option), and Erlang C, the exact mean wait of an M/M/c queue, which the
simulation must agree with when its assumptions hold (docs/planner.md).

Payment times are calibrated from the JCB experiment in Narashino (2019, 100 residents):
cash 28 s (15–40), QR 17 s (12–32), credit 12 s (9–19), contactless 8 s (6–10).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from madoguchi.errors import BadInput

Service = Literal["lognormal", "exponential"]
SERVICES: tuple[Service, ...] = ("lognormal", "exponential")

#: Median seconds to pay, Narashino 2019. Cashless is the middle of QR, credit and contactless.
CASH_SECONDS = 28.0
CASHLESS_SECONDS = 13.0
#: Spread (sigma of the log) of a lognormal payment time. The experiment's ranges read as
#: the lowest and highest of about 25 payments per method, about two sigmas either side of
#: the median: ln(40/15)/4 = 0.245 for cash and ln(32/12)/4 = 0.245 for QR (cards are
#: narrower: 0.19 credit, 0.13 contactless; the wider spread is kept, erring on longer queues).
LOGNORMAL_SIGMA = 0.25
#: The cashless share the city reports today, and its target.
CASHLESS_SHARE = 0.20
TARGET_SHARE = 0.40


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """One planned site. Seconds are the median for a lognormal time, the mean for an
    exponential one; ``profile`` (arrivals per hour, hour by hour, repeated) replaces
    ``arrivals_per_hour`` when given."""

    stations: int = 2
    staff: int = 3
    staff_seconds: float = 90.0
    arrivals_per_hour: float = 60.0
    profile: tuple[float, ...] | None = None
    cashless_share: float = CASHLESS_SHARE
    cash_seconds: float = CASH_SECONDS
    cashless_seconds: float = CASHLESS_SECONDS
    service: Service = "lognormal"
    jam_rate: float = 0.01
    jam_seconds: float = 120.0
    hours: float = 8.0
    seed: int = 1

    def rate_in_hour(self, hour: int) -> float:
        """Arrivals per hour during simulated hour ``hour`` (0-based; a profile repeats)."""
        if self.profile is None:
            return self.arrivals_per_hour
        return self.profile[hour % len(self.profile)]

    def echo(self) -> dict[str, object]:
        """The inputs as plain JSON values, echoed in the planner's report."""
        return {"stations": self.stations, "staff": self.staff, "staff_seconds": self.staff_seconds,
                "arrivals_per_hour": None if self.profile else self.arrivals_per_hour,
                "profile": list(self.profile) if self.profile else None,
                "cashless_share": self.cashless_share, "cash_seconds": self.cash_seconds,
                "cashless_seconds": self.cashless_seconds, "service": self.service,
                "lognormal_sigma": LOGNORMAL_SIGMA if self.service == "lognormal" else None,
                "jam_rate": self.jam_rate, "jam_seconds": self.jam_seconds,
                "hours": self.hours, "seed": self.seed}


@dataclass(frozen=True, slots=True)
class PlanResult:
    """What one run found. Waits are for a payment station (queue only, not paying);
    a stay is arrival to paid; ``utilisation`` is each payment station's busy share."""

    inputs: PlanInputs
    served: int
    payment_wait_mean_s: float
    payment_wait_p90_s: float
    payment_wait_max_s: float
    staff_wait_mean_s: float
    stay_mean_s: float
    utilisation: tuple[float, ...]
    jams: int
    simulated_seconds: float

    def to_json(self) -> dict[str, object]:
        return {"inputs": self.inputs.echo(), "served": self.served,
                "payment_wait_mean_s": round(self.payment_wait_mean_s, 2),
                "payment_wait_p90_s": round(self.payment_wait_p90_s, 2),
                "payment_wait_max_s": round(self.payment_wait_max_s, 2),
                "staff_wait_mean_s": round(self.staff_wait_mean_s, 2),
                "stay_mean_s": round(self.stay_mean_s, 2),
                "utilisation": [round(u, 4) for u in self.utilisation],
                "jams": self.jams, "simulated_seconds": round(self.simulated_seconds, 1)}


def problems(inputs: PlanInputs) -> tuple[str, ...]:
    """Every input that makes no sense, each as ``--option: what is wrong``."""
    found: list[str] = []

    def need(ok: bool, option: str, value: object, what: str) -> None:
        if not ok:
            found.append(f"{option}: {value!r} {what}")

    need(inputs.stations >= 1, "--stations", inputs.stations, "must be 1 or more")
    need(inputs.staff >= 1, "--staff", inputs.staff, "must be 1 or more")
    for option, value in (("--staff-seconds", inputs.staff_seconds), ("--jam-seconds", inputs.jam_seconds)):
        need(math.isfinite(value) and value >= 0, option, value, "must be 0 or more seconds")
    for option, value in (("--cash-seconds", inputs.cash_seconds), ("--cashless-seconds", inputs.cashless_seconds)):
        need(math.isfinite(value) and value > 0, option, value, "must be more than 0 seconds")
    if inputs.profile is None:
        need(math.isfinite(inputs.arrivals_per_hour) and inputs.arrivals_per_hour > 0,
             "--arrivals-per-hour", inputs.arrivals_per_hour, "must be more than 0")
    else:
        need(len(inputs.profile) > 0 and any(r > 0 for r in inputs.profile)
             and all(math.isfinite(r) and r >= 0 for r in inputs.profile),
             "--profile", "…", "needs at least one hour with arrivals and none below 0")
    for option, value in (("--cashless-share", inputs.cashless_share), ("--jam-rate", inputs.jam_rate)):
        need(0.0 <= value <= 1.0, option, value, "must be between 0 and 1")
    need(inputs.service in SERVICES, "--service", inputs.service, "must be lognormal or exponential")
    need(math.isfinite(inputs.hours) and 0 < inputs.hours <= 100_000, "--hours", inputs.hours,
         "must be more than 0 (and at most 100000)")
    return tuple(found)


def check(inputs: PlanInputs) -> PlanInputs:
    """``inputs`` unchanged, or :class:`BadInput` listing every problem."""
    found = problems(inputs)
    if found:
        raise BadInput("; ".join(found), problems=found)
    return inputs


# --- queueing theory ---------------------------------------------------------------
def mean_payment_seconds(inputs: PlanInputs) -> float:
    """The mean time a payment holds a station, jams included."""
    spread = math.exp(LOGNORMAL_SIGMA ** 2 / 2) if inputs.service == "lognormal" else 1.0  # median -> mean
    typical = inputs.cashless_share * inputs.cashless_seconds + (1 - inputs.cashless_share) * inputs.cash_seconds
    return typical * spread + inputs.jam_rate * inputs.jam_seconds


def payment_load(inputs: PlanInputs) -> float:
    """How busy the payment stations would be at the busiest hour (1 or more: they cannot keep up)."""
    busiest = max(inputs.profile) if inputs.profile else inputs.arrivals_per_hour
    return busiest / 3600 * mean_payment_seconds(inputs) / inputs.stations


def erlang_c(servers: int, offered_load: float) -> float:
    """The probability that an arrival waits in an M/M/c queue (Erlang C).

    ``offered_load`` is a = λ/μ in erlangs; needs a < ``servers`` (else every arrival
    waits, for ever longer). Computed through Erlang B's stable recursion.
    """
    if servers < 1 or offered_load < 0:
        raise ValueError("need servers >= 1 and a load >= 0")
    if offered_load >= servers:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):  # Erlang B: B(k) = a B(k-1) / (k + a B(k-1))
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / servers
    return b / (1 - rho + rho * b)


def mmc_mean_wait(servers: int, arrivals_per_second: float, mean_service_s: float) -> float:
    """The mean time in the queue (before service) of an M/M/c queue, in seconds."""
    load = arrivals_per_second * mean_service_s
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) * mean_service_s / (servers - load)
