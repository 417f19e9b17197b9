"""One settings object, read from the environment (``MADOGUCHI_*``) or passed in.

Nothing is built at import time: callers construct :class:`Settings` and hand it on.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(__file__).parent / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MADOGUCHI_", extra="ignore")

    #: SQLAlchemy URL. The embedded default is a SQLite file under ./var/.
    database_url: str = "sqlite:///var/madoguchi.db"
    #: The fee catalog (TOML); a city replaces the sample with its own.
    catalog_path: Path = DATA_DIR / "catalog.toml"
    #: Municipality, sites, staff stations and payment stations (TOML).
    places_path: Path = DATA_DIR / "places.toml"
    #: Where simulated devices keep their state (they survive a restart like real machines).
    device_state_dir: Path = Path("var/devices")
    #: Demo mode: simulated devices, demo staff accounts, the simulator panel.
    demo: bool = False
    #: Allow paying one sale partly in cash and partly cashless (councils say no).
    allow_split_payment: bool = False
    #: Login attempts allowed per account and per client address in the window.
    login_max_attempts: int = 5
    login_window_seconds: int = 300
    session_hours: int = 12
    #: The key (a file of at least 32 random bytes, outside the database) of the keyed hash
    #: (HMAC-SHA256) a failed login naming no account is stored as; demo mode creates it.
    login_key_file: Path = Path("var/login.key")
    #: Days login attempts and ended sessions are kept; older ones are deleted at start-up,
    #: now and then at a login, and by ``madoguchi purge``.
    login_retention_days: int = Field(default=30, ge=1)
    #: Argon2 memory cost override, for test suites only; None keeps the library's secure default.
    password_hash_memory_kib: int | None = None
    #: Back-off for asking a terminal about a timed-out request (seconds).
    status_backoff: tuple[float, ...] = Field(default=(0.5, 1.0, 2.0, 4.0))
    #: Simulated device fault rates (demo and simulate-day).
    sim_seed: int = 0
    #: Close of month: the rules file (TOML: rounding, [[rates]], [[deposit_schedule]],
    #: match_tolerance_seconds, [expenditure]); None keeps the defaults of docs/close-of-month.md.
    reconcile_rules_path: Path | None = None
    #: Close of month from the back office: where uploaded statements and the reports are kept.
    reconcile_dir: Path = Path("var/reconcile")
    #: Largest statement upload accepted, in MiB (a month of a city is well under this).
    reconcile_upload_mib: int = 200

    #: The journal's Ed25519 signing key (PEM, mode 0600, readable only by the server's user;
    #: its public key is the same path + ".pub"). Made by `madoguchi keys init`; demo mode
    #: makes one at start if it is missing. Without a usable key entries are written unsigned.
    signing_key_path: Path = Path("var/keys/journal.key")
    #: Where each closed day's signed checkpoint is appended (one JSON line each; keep copies
    #: away from the database's administrators). See docs/journal.md, "Anchors".
    anchor_path: Path = Path("var/anchors.jsonl")
    #: The city's outcomes (docs/outcomes.md): the cashless share it aims at, and what the
    #: payment stations cost (yen: once, and each month to run, settlement fees included);
    #: without a running cost ``cost_per_payment`` is null.
    cashless_target_share: Decimal = Field(default=Decimal("0.40"), ge=0, le=1)
    initial_cost_yen: int | None = Field(default=None, ge=0)
    monthly_running_cost_yen: int | None = Field(default=None, ge=0)

    #: 窓口混雑状況 (/public/congestion, docs/congestion.md): the estimated wait in minutes at
    #: which a site's lamp turns yellow, and red.
    congestion_yellow_minutes: int = Field(default=10, ge=1)
    congestion_red_minutes: int = Field(default=20, ge=1)
    #: The recent payments whose median time is the seconds per resident (minutes back), how
    #: many of them make a measurement, and the seconds taken without one (Narashino: cash 28 s).
    congestion_window_minutes: int = Field(default=60, ge=1)
    congestion_min_samples: int = Field(default=5, ge=1)
    congestion_fallback_seconds: int = Field(default=28, ge=1)
    #: Seconds the figures are reused (counted at most once per this, whatever the crowd), and
    #: the max-age the public's browsers are told.
    congestion_cache_seconds: int = Field(default=10, ge=1)
    #: Each client address: requests it may make at once, and per second after that (429 beyond).
    public_rate_burst: int = Field(default=20, ge=1)
    public_rate_per_second: float = Field(default=1.0, gt=0)

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url[len(prefix):])
        return None
