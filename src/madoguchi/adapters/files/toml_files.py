"""Read the catalog and places TOML files, naming line and column on a syntax error."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from madoguchi.domain.catalog import Catalog, Places, parse_catalog, parse_places
from madoguchi.errors import BadInput


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise BadInput(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends with "(at line L, column C)".
        raise BadInput(f"{path}: {exc}") from None


def load_catalog(path: Path) -> Catalog:
    return parse_catalog(read_toml(path), source=str(path))


def load_places(path: Path) -> Places:
    return parse_places(read_toml(path), source=str(path))
