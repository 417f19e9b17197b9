"""Receipts as ESC/POS bytes for a Japanese printer; the simulated and the network printer."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import socket
import threading

import pytest

from madoguchi.adapters.devices import make_station_devices
from madoguchi.adapters.devices.escpos_render import KANJI_OFF, KANJI_ON, escpos_text, render_receipt
from madoguchi.adapters.devices.ports import PrinterStatus
from madoguchi.adapters.devices.printer_net import NetworkPrinter
from madoguchi.adapters.devices.printer_sim import SimulatedPrinter
from madoguchi.adapters.devices.receipt_layout import display_width, printable, receipt_text
from madoguchi.domain.receipt import ReceiptDocument, ReceiptLine
from madoguchi.errors import BadInput, PaperOut, PrinterError, PrinterJammed

UTC = dt.UTC


def cash_receipt(**changes) -> ReceiptDocument:
    doc = ReceiptDocument(
        municipality="三鷹市", site_name="市民課", station_name="1番窓口", receipt_number=123,
        issued_at=dt.datetime(2026, 11, 24, 5, 3, tzinfo=UTC),  # 14:03 in Japan
        lines=(ReceiptLine("住民票の写し", 2, 300, 600),
               ReceiptLine("印鑑登録証明書", 1, 300, 0, exemption="公用請求"),
               ReceiptLine("戸籍全部事項証明書", 1, 450, 450)),
        total=1050, method_label="現金", brand_name=None, tendered=2000, change=950,
        sale_reference="S-000123")
    return dataclasses.replace(doc, **changes)


def card_receipt(**changes) -> ReceiptDocument:
    return cash_receipt(method_label="電子マネー", brand_name="楽天Edy", tendered=None, change=None,
                        processor_reference="T1-000042", **changes)


def kanji_runs(data: bytes) -> list[bytes]:
    return re.findall(re.escape(KANJI_ON) + b"(.*?)" + re.escape(KANJI_OFF), data, flags=re.S)


# --- the bytes ---------------------------------------------------------------------
def test_japanese_lines_are_sent_in_kanji_mode_as_shift_jis():
    data = render_receipt(cash_receipt())
    assert KANJI_ON + "住民票の写し".encode("cp932") + KANJI_OFF in data


def test_the_chinese_gb2312_bytes_of_住民票_never_reach_the_printer():
    data = render_receipt(cash_receipt())
    assert "住民票".encode("gb2312") not in data
    assert "住民票".encode() not in data


def test_every_kanji_run_is_strict_cp932():
    runs = kanji_runs(render_receipt(card_receipt(reprint=True)))
    assert runs
    for run in runs:
        assert run.decode("cp932").encode("cp932") == run  # no replacement anywhere


def test_lines_of_plain_ascii_are_sent_without_kanji_mode():
    data = render_receipt(cash_receipt())
    assert b"-" * 42 + b"\n" in data
    assert not any(b"-" * 42 in run for run in kanji_runs(data))


def test_a_reprint_says_再発行_at_the_top_and_an_original_does_not():
    mark = "再発行".encode("cp932")
    assert mark not in render_receipt(cash_receipt())
    assert "再発行" not in receipt_text(cash_receipt())
    reprint = receipt_text(cash_receipt(reprint=True))
    assert "再発行" in reprint.splitlines()[0]
    assert mark in render_receipt(cash_receipt(reprint=True))


def test_the_total_is_printed_double_size_for_kanji_too():
    data = render_receipt(cash_receipt())
    before_total = data[:data.index(KANJI_ON + "合計".encode("cp932"))]
    assert before_total.rsplit(b"\x1d!", 1)[1][:1] == b"\x11"  # GS ! sizes Kanji; ESC ! does not
    assert b"\x1b!0" not in data  # python-escpos' double size (ESC !) is not used


def test_the_sale_reference_is_a_qr_code_drawn_by_the_printer_and_the_job_is_cut():
    data = render_receipt(cash_receipt())
    assert b"\x1d(k" in data and b"1P0S-000123" in data
    assert data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")
    assert render_receipt(cash_receipt()) == data  # the same receipt, the same bytes
    assert b"\x1d(k" not in render_receipt(cash_receipt(), qr=False)


def test_the_printed_text_is_the_receipt_text():
    doc = card_receipt(reprint=True)
    printed = [line.strip() for line in escpos_text(render_receipt(doc)).splitlines() if line.strip()]
    assert printed == [line.strip() for line in receipt_text(doc).splitlines() if line.strip()]


# --- the content -------------------------------------------------------------------
def test_a_cash_receipt_says_what_was_paid_with_what_and_the_change():
    text = receipt_text(cash_receipt())
    for expected in ("三鷹市", "市民課 1番窓口", "令和8年11月24日 14:03", "No. 000123", "住民票の写し",
                     "2 x ￥300", "￥600", "公用請求", "合計", "￥1,050", "現金", "お預り", "￥2,000",
                     "お釣り", "￥950", "S-000123"):
        assert expected in text, expected
    assert "決済番号" not in text and "¥" not in text


def test_a_cashless_receipt_names_the_brand_and_the_processor_reference():
    text = receipt_text(card_receipt())
    assert "電子マネー 楽天Edy" in text and "T1-000042" in text
    assert "お預り" not in text and "お釣り" not in text


def test_the_date_is_printed_in_japan_time_in_the_japanese_era():
    doc = cash_receipt(issued_at=dt.datetime(2026, 11, 24, 15, 30, tzinfo=UTC))
    assert "令和8年11月25日 00:30" in receipt_text(doc)


@pytest.mark.parametrize("width", [32, 42, 48])
def test_every_line_fits_the_paper_counting_full_width_characters_as_two(width):
    doc = card_receipt(lines=cash_receipt().lines + (
        ReceiptLine("戸籍全部事項証明書（謄本）・除籍・改製原戸籍のとても長い名前の証明書", 1, 750, 750),))
    lines = receipt_text(doc, width=width).splitlines()
    assert all(display_width(line) <= width for line in lines)
    priced = [line for line in lines if line.startswith("  ") and "x ￥" in line]
    assert len(priced) == 4
    assert all(display_width(line) == width for line in priced)  # amounts end at the right edge
    total = next(line for line in lines if line.startswith("合計"))
    assert display_width(total) == width // 2  # printed double width


def test_display_width_counts_what_the_printer_prints_double_byte_as_two():
    assert display_width("住民票") == 6 and display_width("No. 1") == 5
    assert display_width("￥300") == 5 and display_width("ｱ") == 1
    # CP932 maps these to full-width glyphs: the printer gives them two columns.
    assert display_width("−100") == 5 and display_width("¢") == 2
    # What CP932 cannot encode goes by East Asian Width (printable() makes it 〓 anyway).
    assert display_width("😀a") == 3
    text = receipt_text(card_receipt(reprint=True)).replace("\n", "")
    assert all(display_width(ch) == len(ch.encode("cp932")) for ch in set(text))


def test_what_a_japanese_printer_cannot_print_becomes_the_geta_mark():
    assert printable("髙橋🙂") == "髙橋〓"
    assert printable("¥300\n") == "￥300 "
    assert printable("山田\u3000太郎\x07\ue000") == "山田\u3000太郎〓〓"  # full-width space stays
    doc = cash_receipt(lines=(ReceiptLine("写し🙂", 1, 300, 300),), total=300)
    assert "写し〓" in receipt_text(doc)
    render_receipt(doc)  # strict encoding does not raise


def test_a_receipt_width_out_of_range_is_refused():
    with pytest.raises(BadInput):
        render_receipt(cash_receipt(), width=10)


# --- the simulated printer ---------------------------------------------------------
def test_the_simulated_printer_keeps_each_job_and_its_text():
    printer = SimulatedPrinter("P1")
    printer.print_bytes(render_receipt(cash_receipt()))
    assert len(printer.jobs) == 1 and "住民票の写し" in printer.texts[0]
    assert printer.status() is PrinterStatus.OK


@pytest.mark.parametrize(("fault", "error", "status"), [
    ("paper_out", PaperOut, PrinterStatus.PAPER_OUT), ("jam", PrinterJammed, PrinterStatus.JAM)])
def test_a_failed_print_keeps_nothing_until_staff_fix_the_printer(fault, error, status):
    printer = SimulatedPrinter("P1")
    printer.fail_next(fault)
    for _ in range(2):
        with pytest.raises(error):
            printer.print_bytes(b"job")
    assert printer.jobs == [] and printer.status() is status
    printer.refill() if fault == "paper_out" else printer.clear_jam()
    printer.print_bytes(b"job")
    assert printer.jobs == [b"job"] and printer.status() is PrinterStatus.OK


def test_the_paper_roll_runs_low_then_out():
    printer = SimulatedPrinter("P1", paper=3, near_end=2)
    printer.print_bytes(b"1")
    assert printer.status() is PrinterStatus.PAPER_NEAR_END
    printer.print_bytes(b"2")
    printer.print_bytes(b"3")
    assert printer.status() is PrinterStatus.PAPER_OUT
    with pytest.raises(PaperOut):
        printer.print_bytes(b"4")
    printer.set_paper_out(False)
    printer.print_bytes(b"4")
    printer.set_paper_out(True)
    assert printer.status() is PrinterStatus.PAPER_OUT


def test_an_offline_printer_refuses_jobs():
    printer = SimulatedPrinter("P1")
    printer.set_online(False)
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrinterError):
        printer.print_bytes(b"job")


def test_the_simulated_printer_remembers_paper_and_faults_across_a_restart(tmp_path):
    path = tmp_path / "P1-printer.state"
    printer = SimulatedPrinter("P1", paper=10, state_path=path)
    printer.print_bytes(b"job")
    printer.fail_next("jam")
    again = SimulatedPrinter("P1", paper=10, state_path=path)
    assert again.printed == 1
    with pytest.raises(PrinterJammed):
        again.print_bytes(b"job")
    assert SimulatedPrinter("P1", state_path=path).status() is PrinterStatus.JAM


# --- the network printer -----------------------------------------------------------
class FakePrinterServer:
    """A TCP server on 127.0.0.1 that answers the paper query with ``reply`` and keeps the rest."""

    def __init__(self, reply: bytes | None) -> None:
        self.reply, self.received = reply, b""
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.settimeout(5)
            if self.reply is not None:
                self.received += conn.recv(3)  # DLE EOT 4
                conn.sendall(self.reply)
            while chunk := conn.recv(4096):
                self.received += chunk

    def done(self) -> bytes:
        self.thread.join(5)
        self.sock.close()
        return self.received


def test_the_network_printer_sends_the_job_after_checking_the_paper():
    server = FakePrinterServer(reply=b"\x12")
    job = render_receipt(cash_receipt())
    NetworkPrinter("P1", "127.0.0.1", server.port, timeout=5).print_bytes(job)
    assert server.done() == b"\x10\x04\x04" + job


def test_the_network_printer_refuses_a_job_when_the_paper_is_out():
    server = FakePrinterServer(reply=b"\x72")
    with pytest.raises(PaperOut):
        NetworkPrinter("P1", "127.0.0.1", server.port, timeout=5).print_bytes(b"job")
    assert server.done() == b"\x10\x04\x04"


def test_a_network_printer_that_does_not_answer_the_paper_query_still_gets_the_job():
    server = FakePrinterServer(reply=None)
    NetworkPrinter("P1", "127.0.0.1", server.port, timeout=5, status_timeout=0.2).print_bytes(b"job")
    assert server.done().endswith(b"job")


def test_an_unreachable_network_printer_is_offline_and_refuses_jobs():
    with socket.create_server(("127.0.0.1", 0)) as free:
        port = free.getsockname()[1]  # closed once the block ends: nobody listens there
    printer = NetworkPrinter("P1", "127.0.0.1", port, timeout=1)
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrinterError):
        printer.print_bytes(b"job")


def test_a_network_printer_status_is_reused_for_a_few_seconds_then_asked_again():
    now = [100.0]
    server = FakePrinterServer(reply=b"\x72")  # paper out; the server takes one connection only
    printer = NetworkPrinter("P1", "127.0.0.1", server.port, timeout=1, status_timeout=0.5,
                             status_max_age=5.0, clock=lambda: now[0])
    assert printer.status() is PrinterStatus.PAPER_OUT
    server.done()  # nobody listens any more
    now[0] += 4.9
    assert printer.status() is PrinterStatus.PAPER_OUT  # the answer of 4.9 s ago, no new connection
    now[0] += 0.2
    assert printer.status() is PrinterStatus.OFFLINE  # too old: asked again, and nobody answers


# --- the station's devices ---------------------------------------------------------
def test_a_station_gets_a_network_printer_when_given_its_address():
    printer = make_station_devices("honcho-1", printer_url="tcp://192.0.2.10:9100").printer
    assert isinstance(printer, NetworkPrinter)
    assert (printer.host, printer.port) == ("192.0.2.10", 9100)
    assert isinstance(make_station_devices("honcho-1").printer, SimulatedPrinter)
    with pytest.raises(BadInput):
        make_station_devices("honcho-1", printer_url="http://192.0.2.10/")
