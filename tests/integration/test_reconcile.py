"""Close of month through the services and the CLI, on SQLite and PostgreSQL.

A November of real payments made through the services (simulated terminal), a
statement written from them with planted differences, then the whole run: import,
match, in-doubt resolution with the statement as evidence, the resident's case,
the workbook, the matched CSV, summary.json, re-import and the inquiry log.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import typer
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from madoguchi.adapters.db.reconcile_tables import StatementImport, StatementLine
from madoguchi.adapters.db.tables import Incident
from madoguchi.cli.reconcile import reconcile_command
from madoguchi.domain.reconcile import Month, RateTable
from madoguchi.services.counter import payments
from madoguchi.services.reconcile.month import payment_rows, reconcile_month
from madoguchi.services.reconcile.records import open_incidents, record_inquiry
from tests.helpers import handed_off, journal, new_id, terminal

RATES = RateTable.default()
HEADER = ["transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date"]


def _pay(rt, cashier, clock, brand, items, outcome=None) -> str:  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier, items)
    if outcome:
        terminal(rt).script(outcome)
    payment_id = new_id()
    payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand=brand, actor=cashier)
    clock.advance(hours=26)
    return payment_id


def _november(rt, cashier, clock) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "ok_suica": _pay(rt, cashier, clock, "suica", [("juminhyo", 1)]),
        "ok_visa": _pay(rt, cashier, clock, "visa", [("koseki-zenbu", 1)]),
        "wrong_fee": _pay(rt, cashier, clock, "paypay", [("juminhyo", 2)]),
        "missing": _pay(rt, cashier, clock, "jcb", [("juminhyo", 1)]),
        "doubt_paid": _pay(rt, cashier, clock, "edy", [("juminhyo", 1)], "timeout_unknown"),
        "doubt_not_paid": _pay(rt, cashier, clock, "nanaco", [("juminhyo", 1)], "timeout_unknown"),
    }


def _statement(rt, path: Path, refs: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    rows = {r["merchant_reference"]: r for r in payment_rows(rt, Month(2026, 11))}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for name in ("ok_suica", "ok_visa", "wrong_fee", "doubt_paid"):
            p = rows[refs[name]]
            day = dt.date.fromisoformat(p["business_date"])
            fee = RATES.fee(p["brand"], p["amount"], day) + (5 if name == "wrong_fee" else 0)
            w.writerow([p["paid_at"], p["terminal_id"], p["merchant_reference"], p["processor_reference"] or "PX-1",
                        p["brand"], "sale", p["amount"], fee, p["amount"] - fee, "2026-11-30"])
        w.writerow(["2026-11-20T10:00:00+09:00", "T-other", "not-ours-1", "PX-9", "suica", "sale", 300, 9, 291,
                    "2026-12-15"])


def test_a_month_is_matched_in_doubt_payments_are_settled_and_the_report_is_written(
        rt, cashier, clock, tmp_path):  # type: ignore[no-untyped-def]
    refs = _november(rt, cashier, clock)
    st = tmp_path / "statement.csv"
    _statement(rt, st, refs)
    out = tmp_path / "report.xlsx"
    summary = reconcile_month(rt, month="2026-11", statements=[st], actor=_accountant(), out=out,
                              json_out=tmp_path / "summary.json", complete=True)

    counts = summary["counts"]
    assert counts["matched"] == 2 and counts["fee_mismatch"] == 1 and counts["missing_in_statement"] == 1
    assert counts["missing_in_register"] == 1 and counts["in_doubt_resolved_paid"] == 1
    assert counts["in_doubt_resolved_not_paid"] == 1
    paid = {r["merchant_reference"]: r for r in summary["resolutions"]}
    assert paid[refs["doubt_paid"]]["paid"] and paid[refs["doubt_paid"]]["sale_state"] == "paid"
    assert not paid[refs["doubt_not_paid"]]["paid"] and paid[refs["doubt_not_paid"]]["case"]
    resolved = [e for e in journal(rt) if e.kind == "incident_resolved"]
    assert all("statement.csv" in e.details()["note"] for e in resolved) and len(resolved) == 2
    assert any(e.kind == "sale_paid" and "statement.csv" in (e.details().get("evidence") or "")
               for e in journal(rt))
    kinds = {i["kind"] for i in summary["open_incidents"]}
    assert "fee_due" in kinds and "cashless_unknown" not in kinds
    on_disk = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    for key in ("month", "counts", "register_gross", "statement_gross", "fees", "expected_fees", "net",
                "transfer_amount", "deposits", "open_incidents"):
        assert key in on_disk
    # The row that is none of our payments (fee 9) is disputed, not transferred (issue 13).
    assert on_disk["transfer_amount"] == on_disk["fees"] - 9 and on_disk["transfer"]["to"]
    assert on_disk["transfer"]["disputed_fee"] == 9
    assert sum(x["fee_share"] for x in on_disk["transfer"]["to"]) == on_disk["transfer_amount"]
    sheets = load_workbook(out, read_only=True).sheetnames
    assert {"概要", "手数料相違", "明細に無し", "レジに無し", "公金振替伝票", "入金", "未解決事故",
            "三者照合"} <= set(sheets)
    with open(tmp_path / "report-matched.csv", encoding="utf-8") as fh:
        matched = list(csv.DictReader(fh))
    assert {m["merchant_reference"] for m in matched} == {refs["ok_suica"], refs["ok_visa"]}


def test_the_exception_sheets_show_whole_references_and_keep_their_heading_in_view(rt, cashier, clock, tmp_path):  # type: ignore[no-untyped-def]
    # The accountant scrolls through hundreds of exceptions: the column names (row 4) and the
    # class and reference (columns A-B) stay on screen. In a write-only sheet the pane is
    # written with the first row, so it must be set before anything is appended. A reference
    # (a UUID, 36 characters) is shown whole, not cut by the next column.
    refs = _november(rt, cashier, clock)
    st = tmp_path / "statement.csv"
    _statement(rt, st, refs)
    out = tmp_path / "report.xlsx"
    reconcile_month(rt, month="2026-11", statements=[st], actor=_accountant(), out=out)
    wb = load_workbook(out)
    for name in ("手数料相違", "明細に無し", "レジに無し"):
        assert wb[name].freeze_panes == "C5", name
        assert wb[name]["B4"].value == "レジ 取引番号"
        for column in "BL":
            assert wb[name].column_dimensions[column].width >= 36, (name, column)


def test_the_same_statement_imported_twice_is_stored_once_and_says_so(rt, cashier, clock, tmp_path):  # type: ignore[no-untyped-def]
    refs = _november(rt, cashier, clock)
    st = tmp_path / "statement.csv"
    _statement(rt, st, refs)
    first = reconcile_month(rt, month="2026-11", statements=[st], actor=_accountant(), out=tmp_path / "a.xlsx")
    again = reconcile_month(rt, month="2026-11", statements=[st], actor=_accountant(), out=tmp_path / "b.xlsx")
    assert first["statements"][0]["new"] and not again["statements"][0]["new"]
    assert "already imported" in again["statements"][0]["message"]
    with rt.uow() as uow:
        assert uow.session.execute(select(func.count()).select_from(StatementImport)).scalar_one() == 1
        assert uow.session.execute(select(func.count()).select_from(StatementLine)).scalar_one() == 5
    # Settled in the first run: now plainly matched, and nothing is resolved twice.
    assert again["resolutions"] == [] and again["counts"]["in_doubt_resolved_paid"] == 0


def test_an_inquiry_is_logged_and_the_report_shows_it_with_the_incident_age(rt, cashier, clock):  # type: ignore[no-untyped-def]
    _pay(rt, cashier, clock, "waon", [("juminhyo", 1)], "timeout_unknown")
    with rt.uow() as uow:
        incident = uow.session.execute(select(Incident)).scalars().first()
    clock.advance(days=10)
    record_inquiry(rt, incident_id=incident.id, asked_whom="イオンリテール 電子マネー窓口",
                   asked_at=clock(), actor=_accountant(), answer="調査中、2週間程度")
    [row] = [i for i in open_incidents(rt) if i["id"] == incident.id]
    assert row["age_days"] == 11 and row["last_inquiry"]["asked_whom"].startswith("イオン")
    assert row["last_inquiry"]["answer"] == "調査中、2週間程度"


def test_the_cli_exits_0_with_findings_and_2_with_a_clear_message_on_bad_input(
        rt, cashier, clock, tmp_path, db_url):  # type: ignore[no-untyped-def]
    refs = _november(rt, cashier, clock)
    st = tmp_path / "statement.csv"
    _statement(rt, st, refs)
    app = typer.Typer()
    app.command("reconcile")(reconcile_command)
    runner = CliRunner()
    ok = runner.invoke(app, ["--month", "2026-11", "--statement", str(st), "--out", str(tmp_path / "r.xlsx"),
                             "--json", str(tmp_path / "s.json"), "--db", db_url])
    assert ok.exit_code == 0, ok.output
    assert "公金振替" in ok.output and (tmp_path / "s.json").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(HEADER) + "\n2026-11-02T10:00:00,T1,r1,p1,suica,sale,300円,9,291,2026-11-30\n",
                   encoding="utf-8")
    failed = runner.invoke(app, ["--month", "2026-11", "--statement", str(bad), "--out", str(tmp_path / "x.xlsx"),
                                 "--db", db_url])
    assert failed.exit_code == 2
    assert "line 2, column gross: '300円' is not a whole number of yen" in failed.output
    wrong_month = runner.invoke(app, ["--month", "2026-13", "--statement", str(st), "--out",
                                      str(tmp_path / "y.xlsx"), "--db", db_url])
    assert wrong_month.exit_code == 2 and "YYYY-MM" in wrong_month.output


def _accountant():  # type: ignore[no-untyped-def]
    from madoguchi.domain.auth import ALL_SITES, Actor, Role
    return Actor("accountant", Role.ACCOUNTANT, frozenset({ALL_SITES}))


# --- the statement files: the fixture month, other layouts, encodings, malformed files ------------
FIXTURES = Path(__file__).parent.parent / "fixtures" / "statements"
MONTH = Month(2026, 11)


def _fixture_month(statement: Path, **kw):  # type: ignore[no-untyped-def]
    from madoguchi.services.reconcile.bulk import reconcile_files
    return reconcile_files(month=MONTH, statements=[statement], payments_csv=FIXTURES / "payments-2026-11.csv", **kw)


def test_the_fixture_month_puts_each_case_in_its_class(tmp_path):  # type: ignore[no-untyped-def]
    outcome = _fixture_month(FIXTURES / "statement-2026-11.csv", matched_csv=tmp_path / "m.csv")
    by_ref = {}
    for f in outcome.findings:
        by_ref.setdefault(f.ref, set()).add(f.cls.value)
    assert by_ref["m-008-oct31-late"] == {"other_period"}
    assert by_ref["m-004-not-on-statement"] == {"missing_in_statement"}
    assert by_ref["zz-unknown-ref"] == {"missing_in_register"}
    assert by_ref["m-005-amount"] == {"amount_mismatch"}
    assert by_ref["m-006-fee"] == {"fee_mismatch"}
    assert by_ref["m-007-twice"] == {"matched", "duplicate_in_statement"}
    assert by_ref["m-009-in-doubt-paid"] == {"in_doubt_resolved_paid"}
    assert by_ref["m-010-in-doubt-not-paid"] == {"in_doubt_resolved_not_paid"}
    assert by_ref["m-003-no-ref"] == {"matched"}            # by terminal, brand, amount and time
    assert by_ref["m-011-cancelled"] == {"matched"}          # the cancel row nets its sale out
    assert "m-014-declined" not in by_ref and "m-015-cash" not in by_ref
    counts = outcome.summary.counts
    assert counts["matched"] == 5
    assert all(counts[c] == 1 for c in counts if c not in ("matched", "in_doubt_open", "not_yet_due"))
    s = outcome.summary
    assert (s.register_gross, s.statement_gross, s.fees, s.expected_fees, s.net) == (4850, 4650, 133, 127, 4517)
    assert [(d.date.isoformat(), d.expected_net, d.statement_net) for d in s.deposits] == [
        ("2026-11-30", 3014, 2811), ("2026-12-15", 1706, 1706)]
    with open(tmp_path / "m.csv", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 1 + 6


def test_partial_statements_leave_an_unseen_in_doubt_payment_open():  # type: ignore[no-untyped-def]
    outcome = _fixture_month(FIXTURES / "statement-2026-11.csv", complete=False)
    [f] = [f for f in outcome.findings if f.ref == "m-010-in-doubt-not-paid"]
    assert f.cls.value == "in_doubt_open"


def test_a_cp932_statement_reads_the_same_as_its_utf8_original(tmp_path):  # type: ignore[no-untyped-def]
    original = FIXTURES / "statement-2026-11.csv"
    sjis = tmp_path / "statement-sjis.csv"
    sjis.write_bytes(original.read_text(encoding="utf-8").replace("T-", "端末-").encode("cp932"))
    bom = tmp_path / "statement-bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + original.read_bytes())
    a, b = _fixture_month(sjis), _fixture_month(bom)
    assert a.statements[0].encoding == "cp932" and b.statements[0].encoding == "utf-8-sig"
    assert b.summary.counts == _fixture_month(original).summary.counts
    assert a.summary.statement_gross == b.summary.statement_gross
    assert any(r.terminal_id and r.terminal_id.startswith("端末-") for f in a.findings for r in f.rows)


def test_another_agents_layout_is_read_through_its_mapping_file():  # type: ignore[no-untyped-def]
    from madoguchi.adapters.files.statement import load_layout
    layout = load_layout(FIXTURES / "examplepay-mapping.toml")
    outcome = _fixture_month(FIXTURES / "examplepay-2026-11.csv", layout=layout, complete=True)
    assert outcome.statements[0].encoding == "cp932" and outcome.statements[0].rows == 4
    refs = {f.ref: f.cls.value for f in outcome.findings}
    assert refs["m-011-cancelled"] == "matched" and outcome.fast_matched == 2   # m-001 and m-016
    cancel = [r for f in outcome.findings for r in f.rows if r.kind.value == "cancel"]
    assert cancel[0].gross == -450 and cancel[0].line == 5


def test_each_malformed_file_is_refused_with_line_column_and_value_and_nothing_is_loaded():  # type: ignore[no-untyped-def]
    import pytest

    from madoguchi.errors import BadInput
    expected = {
        "missing-column.csv": "the header lacks 'processor_reference'",
        "bad-amount.csv": "line 3, column gross: 'three hundred' is not a whole number of yen",
        "fractional-yen.csv": "line 2, column gross: '300.5' is not a whole number of yen",
        "bad-time.csv": "line 3, column transaction_at: '2026-11-31T10:00:00+09:00' is not a date and time",
        "bad-deposit-date.csv": "line 2, column deposit_date: '30/11/2026' is not a date",
        "unbalanced.csv": "line 2, column net: '290' gross − fee ≠ net",
        "unknown-brand.csv": "line 2, column brand: 'octopus' is not a brand code",
        "unknown-kind.csv": "line 2, column kind: 'purchase' is not a kind",
        "short-row.csv": "line 3, column net: '' is missing: the row has 8 fields, the header 10",
        "not-text.csv": "neither UTF-8 nor CP932",
    }
    for name, message in expected.items():
        with pytest.raises(BadInput) as caught:
            _fixture_month(FIXTURES / "malformed" / name)
        assert message in caught.value.message, (name, caught.value.message)
