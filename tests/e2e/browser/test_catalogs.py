"""Every text the screens show comes from the catalogs: the resident's screen in all four
languages with the same placeholders, every key the templates and scripts use exists, and no
Japanese is written into a template or a script directly."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from madoguchi.adapters.devices.ports import ChangerStatus, PrinterStatus
from madoguchi.domain.auth import Role
from madoguchi.domain.sale import Exemption, SaleState
from madoguchi.web import i18n

pytestmark = pytest.mark.browser
WEB = Path(i18n.__file__).parent
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")  # with Japanese punctuation
LITERAL_KEY = re.compile(r"""\b(?:t|T|TS|TJ)\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']\s*[,)]""")


def test_the_station_speaks_every_text_in_japanese_english_chinese_and_korean() -> None:
    ja = {k: v for k, v in i18n.catalog("ja").items() if k.startswith("station.")}
    assert len(ja) > 40
    for lang in ("en", "zh", "ko"):
        other = {k: v for k, v in i18n.catalog(lang).items() if k.startswith("station.")}
        missing, extra = sorted(set(ja) - set(other)), sorted(set(other) - set(ja))
        assert not missing and not extra, f"{lang}: missing {missing}, extra {extra}"
        for key, text in ja.items():
            assert i18n.placeholders(other[key]) == i18n.placeholders(text), f"{lang}: {key}"


def test_every_key_a_template_or_script_names_is_in_the_japanese_catalog() -> None:
    known = set(i18n.catalog("ja"))
    used = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("static/*.js")]:
        used |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 100
    assert not used - known, sorted(used - known)


def test_keys_built_from_states_exist_for_every_state() -> None:
    known = set(i18n.catalog("ja"))
    wanted = ({f"common.sale_state.{s.value}" for s in SaleState} | {f"common.role.{r.value}" for r in Role}
              | {f"common.changer.{s.value}" for s in ChangerStatus}
              | {f"common.printer.{s.value}" for s in PrinterStatus}
              | {f"register.exemption.{e.value}" for e in Exemption}
              | {f"common.category.{c}" for c in ("cash", "emoney", "credit", "qr")}
              | {f"register.refund_method.{m}" for m in ("cash", "terminal_cancel", "bank_transfer")})
    assert not wanted - known, sorted(wanted - known)


def test_no_template_or_script_carries_its_own_japanese() -> None:
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("static/*.js"), *WEB.glob("static/*.css")]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not CJK.search(line), f"{path.name}:{n}: {line.strip()}"
