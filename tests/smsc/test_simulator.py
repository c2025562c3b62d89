"""The builtin SMSC simulator (issue 4): a real SMPP server spoken to over loopback by a small
test client built on the codec (R-T3, R-T5, R-T6)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from centrex.sms.encoding import encode_sms
from centrex.smsc.pdu import (
    BindReceiver,
    BindTransceiver,
    BindTransceiverResp,
    BindTransmitter,
    CommandStatus,
    DeliverSm,
    DeliverSmResp,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    MessageState,
    Pdu,
    PduReader,
    SequenceNumbers,
    SubmitSm,
    SubmitSmResp,
    Unbind,
    UnbindResp,
)
from centrex.smsc.receipts import ReceiptState, message_ids_match, parse_receipt
from centrex.smsc.simulator import (
    SimulatorConfig,
    SmscSimulator,
    _submit_sm_resp,
    relative_seconds,
)

TIMEOUT = 5.0
SYSTEM_ID = "centrex"
PASSWORD = "secret"


def run(test: Callable[[], Awaitable[None]]) -> None:
    """Run an async test body with an overall bound."""
    asyncio.run(asyncio.wait_for(test(), 20))


@asynccontextmanager
async def simulator(**options: Any) -> AsyncIterator[SmscSimulator]:
    options.setdefault("accounts", {SYSTEM_ID: PASSWORD})
    options.setdefault("receipt_delay", 0.1)
    smsc = SmscSimulator(SimulatorConfig(**options))
    await smsc.start()
    try:
        yield smsc
    finally:
        await smsc.stop()


class Client:
    """An ESME as small as the tests need: send PDUs, read PDUs, answer receipts."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.pdus = PduReader()
        self.sequence = SequenceNumbers()
        self.receipts: list[DeliverSm] = []
        self.answer_receipts = True

    @classmethod
    async def connect(cls, port: int) -> Client:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT)
        return cls(reader, writer)

    async def send(self, *pdus: Pdu) -> None:
        self.writer.write(b"".join(pdu.encode() for pdu in pdus))
        await asyncio.wait_for(self.writer.drain(), TIMEOUT)

    async def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await asyncio.wait_for(self.writer.drain(), TIMEOUT)

    async def next_pdu(self) -> Pdu | None:
        """The next PDU of any kind (a receipt is answered, unless told not to, and kept);
        None at EOF."""
        while True:
            pdu = next(self.pdus, None)
            if pdu is not None:
                break
            chunk = await asyncio.wait_for(self.reader.read(65536), TIMEOUT)
            if not chunk:
                return None
            self.pdus.feed(chunk)
        if isinstance(pdu, DeliverSm):
            self.receipts.append(pdu)
            if self.answer_receipts:
                await self.send(DeliverSmResp(sequence_number=pdu.sequence_number))
        return pdu

    async def read(self) -> Pdu | None:
        """The next PDU that is not a receipt; None at EOF."""
        while True:
            pdu = await self.next_pdu()
            if not isinstance(pdu, DeliverSm):
                return pdu

    async def expect(self) -> Pdu:
        pdu = await self.read()
        assert pdu is not None, "the simulator closed the connection"
        return pdu

    async def wait_receipts(self, count: int) -> list[DeliverSm]:
        """Read until `count` receipts have come (bounded by TIMEOUT per read)."""
        while len(self.receipts) < count:
            pdu = await self.next_pdu()
            assert pdu is not None, "the simulator closed the connection"
            assert isinstance(pdu, DeliverSm | EnquireLink | SubmitSmResp), pdu
        return self.receipts

    async def bind(
        self,
        password: str = PASSWORD,
        kind: type[BindTransceiver | BindTransmitter | BindReceiver] = BindTransceiver,
    ) -> Pdu:
        await self.send(
            kind(sequence_number=next(self.sequence), system_id=SYSTEM_ID, password=password)
        )
        return await self.expect()

    async def submit(self, **fields: Any) -> SubmitSmResp:
        await self.send(self.submit_sm(**fields))
        response = await self.expect()
        assert isinstance(response, SubmitSmResp)
        return response

    def submit_sm(self, **fields: Any) -> SubmitSm:
        fields.setdefault("source_addr_ton", 5)
        fields.setdefault("source_addr_npi", 0)
        fields.setdefault("source_addr", "Centrex")
        fields.setdefault("dest_addr_ton", 1)
        fields.setdefault("dest_addr_npi", 1)
        fields.setdefault("destination_addr", "393471234567")
        fields.setdefault("registered_delivery", 1)
        fields.setdefault("short_message", encode_sms("ciao").parts[0].short_message)
        return SubmitSm(sequence_number=next(self.sequence), **fields)

    async def close(self) -> None:
        self.writer.close()
        with suppress(ConnectionError):
            await asyncio.wait_for(self.writer.wait_closed(), TIMEOUT)


@asynccontextmanager
async def bound_client(smsc: SmscSimulator) -> AsyncIterator[Client]:
    client = await Client.connect(smsc.port)
    response = await client.bind()
    assert response.command_status == CommandStatus.ESME_ROK
    try:
        yield client
    finally:
        await client.close()


def submit_parts(client: Client, text: str, destination: str = "393471234567") -> list[SubmitSm]:
    encoded = encode_sms(text)
    return [
        client.submit_sm(
            destination_addr=destination,
            esm_class=part.esm_class,
            data_coding=encoded.data_coding,
            short_message=part.short_message,
        )
        for part in encoded.parts
    ]


def test_bind_with_the_right_password_is_accepted() -> None:
    async def body() -> None:
        # given
        async with simulator() as smsc:
            client = await Client.connect(smsc.port)
            # when
            response = await client.bind()
            # then
            assert isinstance(response, BindTransceiverResp)
            assert response.command_status == CommandStatus.ESME_ROK
            assert response.system_id
            await client.close()

    run(body)


def test_bind_with_a_wrong_password_fails() -> None:
    async def body() -> None:
        # given
        async with simulator() as smsc:
            client = await Client.connect(smsc.port)
            # when
            response = await client.bind(password="wrong")
            # then
            assert response.command_status == CommandStatus.ESME_RBINDFAIL
            assert smsc.counters.bind_failures == 1
            refused = await client.submit()
            assert refused.command_status == CommandStatus.ESME_RINVBNDSTS
            await client.close()

    run(body)


def test_any_account_is_accepted_without_configured_accounts() -> None:
    async def body() -> None:
        async with simulator(accounts=None) as smsc:
            client = await Client.connect(smsc.port)
            response = await client.bind(password="anything")
            assert response.command_status == CommandStatus.ESME_ROK
            await client.close()

    run(body)


def test_a_receiver_bind_cannot_submit() -> None:
    async def body() -> None:
        async with simulator() as smsc:
            client = await Client.connect(smsc.port)
            assert (await client.bind(kind=BindReceiver)).command_status == CommandStatus.ESME_ROK
            response = await client.submit()
            assert response.command_status == CommandStatus.ESME_RINVBNDSTS
            again = await client.bind()
            assert again.command_status == CommandStatus.ESME_RALYBND
            await client.close()

    run(body)


def test_gsm7_and_ucs2_submits_are_recorded_with_text_and_ton_npi_as_sent() -> None:
    async def body() -> None:
        # given
        async with simulator() as smsc, bound_client(smsc) as client:
            # when: an alias sender in GSM-7 (with extension characters), a number in UCS-2 (R-T6)
            gsm = encode_sms("Codice 123456 {€} àè")
            ucs = encode_sms("Ciao 😀 ☃")
            first = await client.submit(
                short_message=gsm.parts[0].short_message, data_coding=gsm.data_coding
            )
            second = await client.submit(
                source_addr_ton=1,
                source_addr_npi=1,
                source_addr="393331112222",
                short_message=ucs.parts[0].short_message,
                data_coding=ucs.data_coding,
            )
            # then
            assert first.command_status == second.command_status == CommandStatus.ESME_ROK
            assert first.message_id and second.message_id != first.message_id
            alias, number = list(smsc.received)
            assert alias.text == "Codice 123456 {€} àè"
            assert (alias.source_addr, alias.source_addr_ton, alias.source_addr_npi) == (
                "Centrex",
                5,
                0,
            )
            assert (alias.destination_addr, alias.dest_addr_ton, alias.dest_addr_npi) == (
                "393471234567",
                1,
                1,
            )
            assert alias.data_coding == 0
            assert alias.message_ids == (first.message_id,)
            assert alias.system_id == SYSTEM_ID
            assert number.text == "Ciao 😀 ☃"
            assert number.data_coding == 8
            assert (number.source_addr, number.source_addr_ton, number.source_addr_npi) == (
                "393331112222",
                1,
                1,
            )
            assert smsc.counters.submits == smsc.counters.accepted == 2

    run(body)


def test_a_concatenated_text_is_recorded_as_one_message() -> None:
    async def body() -> None:
        # given: a text of three GSM-7 parts (R-T3)
        text = "".join(f"{index:03d} parola " for index in range(40))[:400]
        async with simulator() as smsc, bound_client(smsc) as client:
            parts = submit_parts(client, text)
            assert len(parts) == 3
            # when: the parts go out of order
            await client.send(parts[2], parts[0], parts[1])
            responses = [await client.expect() for _ in parts]
            # then
            assert all(r.command_status == CommandStatus.ESME_ROK for r in responses)
            (message,) = list(smsc.received)
            assert message.text == text
            assert message.parts == 3
            by_sequence = {r.sequence_number: r for r in responses if isinstance(r, SubmitSmResp)}
            assert message.message_ids == tuple(
                by_sequence[part.sequence_number].message_id for part in parts
            )

    run(body)


@pytest.mark.parametrize(
    ("message_id_format", "receipt_id_format"),
    [("hex", None), ("hex", "decimal"), ("decimal", "hex"), ("decimal", None)],
)
def test_receipts_arrive_after_the_delay_with_a_matching_id(
    message_id_format: str, receipt_id_format: str | None
) -> None:
    async def body() -> None:
        # given
        delay = 0.3
        async with (
            simulator(
                receipt_delay=delay,
                message_id_format=message_id_format,
                receipt_id_format=receipt_id_format,
            ) as smsc,
            bound_client(smsc) as client,
        ):
            # when
            started = time.monotonic()
            response = await client.submit()
            (deliver,) = await client.wait_receipts(1)
            elapsed = time.monotonic() - started
            # then (R-T5)
            assert elapsed >= delay - 0.02
            assert deliver.is_delivery_receipt
            assert deliver.source_addr == "393471234567"
            assert deliver.destination_addr == "Centrex"
            receipt = parse_receipt(deliver.short_message, deliver.tlvs)
            assert receipt.state is ReceiptState.DELIVERED
            assert deliver.tlvs.message_state == MessageState.DELIVERED
            assert message_ids_match(receipt.message_id, response.message_id)
            text_id = parse_receipt(deliver.short_message).message_id
            assert text_id == deliver.tlvs.receipted_message_id
            if receipt_id_format not in (None, message_id_format):
                assert receipt.message_id != response.message_id
            else:
                assert receipt.message_id == response.message_id
            assert receipt.text == "ciao"
            assert smsc.counters.receipts_sent == 1
            await asyncio.sleep(0.05)
            assert smsc.counters.receipts_acknowledged == 1

    run(body)


def test_receipt_outcome_follows_the_destination() -> None:
    async def body() -> None:
        # given
        async with (
            simulator(receipt_stat={"0000": "UNDELIV"}) as smsc,
            bound_client(smsc) as client,
        ):
            # when
            await client.submit(destination_addr="393470000000")
            await client.submit(destination_addr="393471234567")
            receipts = await client.wait_receipts(2)
            # then
            states = {r.source_addr: parse_receipt(r.short_message, r.tlvs).state for r in receipts}
            assert states == {
                "393470000000": ReceiptState.UNDELIVERABLE,
                "393471234567": ReceiptState.DELIVERED,
            }

    run(body)


def test_no_receipt_is_sent_when_none_is_requested() -> None:
    async def body() -> None:
        async with simulator(receipt_delay=0.05) as smsc, bound_client(smsc) as client:
            await client.submit(registered_delivery=0)
            await asyncio.sleep(0.2)
            await client.send(EnquireLink(sequence_number=next(client.sequence)))
            assert isinstance(await client.expect(), EnquireLinkResp)
            assert client.receipts == []
            assert smsc.counters.receipts_sent == 0

    run(body)


def test_unanswered_receipts_are_sent_again_on_the_next_bind() -> None:
    async def body() -> None:
        # given: a client that reads receipts but never answers them, then goes away
        async with simulator(receipt_delay=0.05) as smsc:
            first = await Client.connect(smsc.port)
            await first.bind()
            first.answer_receipts = False
            response = await first.submit()
            await first.wait_receipts(1)
            await first.close()
            # when
            async with bound_client(smsc) as second:
                (deliver,) = await second.wait_receipts(1)
            # then
            assert deliver.tlvs.receipted_message_id == response.message_id
            assert smsc.counters.receipts_sent == 2

    run(body)


def test_a_destination_whose_receipt_is_lost_gets_none() -> None:
    async def body() -> None:
        # given an SMSC that loses the receipts of destinations ending in 0000
        async with (
            simulator(receipt_delay=0.05, receipt_stat={"0000": "NONE"}) as smsc,
            bound_client(smsc) as client,
        ):
            # when two are submitted, then only the other one's receipt comes
            await client.submit(destination_addr="393470000000")
            await client.submit(destination_addr="393471234567")
            (receipt,) = await client.wait_receipts(1)
            assert receipt.source_addr == "393471234567"
            assert smsc.counters.receipts_dropped == 1
            assert smsc.counters.receipts_sent == 1

    run(body)


def test_receipts_whose_answer_was_lost_are_sent_again_on_the_next_bind() -> None:
    async def body() -> None:
        # given an SMSC that never gets the deliver_sm_resp of a client that does answer
        async with simulator(receipt_delay=0.05, lose_receipt_answers=True) as smsc:
            first = await Client.connect(smsc.port)
            await first.bind()
            response = await first.submit()
            await first.wait_receipts(1)
            await first.send(EnquireLink(sequence_number=next(first.sequence)))
            assert isinstance(await first.expect(), EnquireLinkResp)  # the answer went before
            assert smsc.counters.receipt_answers_lost == 1
            # when the connection is cut, and a new bind comes
            smsc.config.lose_receipt_answers = False
            smsc._drop_connections()
            async with bound_client(smsc) as second:
                (again,) = await second.wait_receipts(1)
            # then the same receipt comes again
            assert again.tlvs.receipted_message_id == response.message_id
            assert smsc.counters.receipts_sent == 2

    run(body)


def test_a_validity_that_ends_before_delivery_gets_an_expired_receipt() -> None:
    async def body() -> None:
        # given an SMSC that delivers after 0.2 s
        async with simulator(receipt_delay=0.2) as smsc, bound_client(smsc) as client:
            # when one message may live 0 s, one 1 minute, one as long as the SMSC likes
            await client.submit(destination_addr="393470000001", validity_period="000000000000000R")
            await client.submit(destination_addr="393470000002", validity_period="000000000100000R")
            await client.submit(destination_addr="393470000003")
            receipts = await client.wait_receipts(3)
            # then the first expired, the others were delivered
            states = {r.source_addr: parse_receipt(r.short_message, r.tlvs).state for r in receipts}
            assert states == {
                "393470000001": ReceiptState.EXPIRED,
                "393470000002": ReceiptState.DELIVERED,
                "393470000003": ReceiptState.DELIVERED,
            }

    run(body)


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("000002000000000R", 2 * 86400),
        ("000000000130000R", 90),
        ("010100000000000R", (365 + 30) * 86400),
        ("260101120000000+", None),
        ("", None),
        ("0000xx000000000R", None),
    ],
)
def test_relative_times_are_read_in_seconds(written: str, seconds: int | None) -> None:
    assert relative_seconds(written) == seconds


def test_receipts_go_to_a_receiver_bind_not_to_a_transmitter() -> None:
    async def body() -> None:
        async with simulator(receipt_delay=0.05) as smsc:
            transmitter = await Client.connect(smsc.port)
            await transmitter.bind(kind=BindTransmitter)
            receiver = await Client.connect(smsc.port)
            await receiver.bind(kind=BindReceiver)
            response = await transmitter.submit()
            (deliver,) = await receiver.wait_receipts(1)
            assert deliver.tlvs.receipted_message_id == response.message_id
            assert transmitter.receipts == []
            await transmitter.close()
            await receiver.close()

    run(body)


def test_throttle_mode_answers_throttled_for_the_configured_fraction() -> None:
    async def body() -> None:
        # given
        async with simulator(throttle_fraction=0.5) as smsc, bound_client(smsc) as client:
            # when
            await client.send(*(client.submit_sm() for _ in range(10)))
            statuses = [(await client.expect()).command_status for _ in range(10)]
            # then
            assert statuses.count(CommandStatus.ESME_RTHROTTLED) == 5
            assert statuses.count(CommandStatus.ESME_ROK) == 5
            assert smsc.counters.throttled == 5
            assert len(smsc.received) == 5

    run(body)


def test_submits_beyond_max_tps_are_throttled() -> None:
    async def body() -> None:
        async with simulator(max_tps=3) as smsc, bound_client(smsc) as client:
            await client.send(*(client.submit_sm() for _ in range(5)))
            statuses = [(await client.expect()).command_status for _ in range(5)]
            assert statuses == [CommandStatus.ESME_ROK] * 3 + [CommandStatus.ESME_RTHROTTLED] * 2
            # then: throttling can be switched off while it runs
            smsc.config.max_tps = None
            assert (await client.submit()).command_status == CommandStatus.ESME_ROK

    run(body)


def test_fail_mode_answers_the_permanent_error_for_the_destination() -> None:
    async def body() -> None:
        # given
        async with (
            simulator(fail_destinations={"393479999999": CommandStatus.ESME_RINVDSTADR}) as smsc,
            bound_client(smsc) as client,
        ):
            # when
            refused = await client.submit(destination_addr="393479999999")
            accepted = await client.submit(destination_addr="393471234567")
            # then
            assert refused.command_status == CommandStatus.ESME_RINVDSTADR
            assert accepted.command_status == CommandStatus.ESME_ROK
            assert [m.destination_addr for m in smsc.received] == ["393471234567"]
            assert smsc.counters.errors == 1

    run(body)


def test_enquire_link_and_unbind_are_answered() -> None:
    async def body() -> None:
        async with simulator() as smsc, bound_client(smsc) as client:
            await client.send(EnquireLink(sequence_number=77))
            answer = await client.expect()
            assert isinstance(answer, EnquireLinkResp)
            assert answer.sequence_number == 77
            await client.send(Unbind(sequence_number=78))
            assert isinstance(await client.expect(), UnbindResp)
            assert await client.read() is None

    run(body)


def test_the_simulator_sends_its_own_enquire_link_when_configured() -> None:
    async def body() -> None:
        async with simulator(enquire_link_interval=0.05) as smsc, bound_client(smsc) as client:
            pdu = await client.expect()
            assert isinstance(pdu, EnquireLink)
            await client.send(EnquireLinkResp(sequence_number=pdu.sequence_number))
            assert (await client.submit()).command_status == CommandStatus.ESME_ROK

    run(body)


def test_an_undecodable_body_gets_a_generic_nack_and_the_session_goes_on() -> None:
    async def body() -> None:
        async with simulator() as smsc, bound_client(smsc) as client:
            # given: a submit_sm whose body stops inside source_addr
            bad = (20).to_bytes(4, "big") + (4).to_bytes(4, "big") + bytes(4)
            bad += (9).to_bytes(4, "big") + b"\x00\x05\x00X"
            await client.send_raw(bad)
            nack = await client.expect()
            assert isinstance(nack, GenericNack)
            assert nack.sequence_number == 9
            assert nack.command_status != CommandStatus.ESME_ROK
            assert (await client.submit()).command_status == CommandStatus.ESME_ROK

    run(body)


def test_garbage_closes_that_connection_and_others_are_still_served() -> None:
    async def body() -> None:
        async with simulator() as smsc, bound_client(smsc) as other:
            # given
            rogue = await Client.connect(smsc.port)
            # when: a command_length below the header's 16 octets
            await rogue.send_raw(b"\x00\x00\x00\x03garbage garbage")
            # then
            answer = await rogue.read()
            assert answer is None or isinstance(answer, GenericNack)
            assert await rogue.read() is None
            await rogue.close()
            assert (await other.submit()).command_status == CommandStatus.ESME_ROK

    run(body)


def test_the_record_file_holds_one_json_line_per_message(tmp_path: Path) -> None:
    async def body() -> None:
        # given
        record = tmp_path / "smsc" / "received.jsonl"
        long_text = "Un testo lungo più di settanta caratteri con un accento: è così, 😀 " * 2
        async with simulator(record_path=record) as smsc, bound_client(smsc) as client:
            # when
            await client.submit()
            parts = submit_parts(client, long_text, destination="393471110000")
            await client.send(*parts)
            for _ in parts:
                await client.expect()
            # then: readable while the simulator runs
            lines = record.read_text(encoding="utf-8").splitlines()
            assert len(lines) == 2
            first, second = (json.loads(line) for line in lines)
            assert first["text"] == "ciao"
            assert first["source_addr"] == "Centrex"
            assert first["source_addr_ton"] == 5
            assert second["text"] == long_text
            assert second["parts"] == len(parts) > 1
            assert second["destination_addr"] == "393471110000"
            assert len(second["message_ids"]) == len(parts)
            assert second["time"].endswith("+00:00")

    run(body)


def test_five_hundred_pipelined_submits_with_a_window_of_fifty_are_all_answered() -> None:
    async def body() -> None:
        # given
        total, window = 500, 50
        async with simulator(receipt_delay=0.05) as smsc, bound_client(smsc) as client:
            sent = answered = 0
            ids: set[str] = set()
            # when: never more than `window` submits without their response
            while answered < total:
                batch = min(window - (sent - answered), total - sent)
                if batch:
                    await client.send(*(client.submit_sm() for _ in range(batch)))
                    sent += batch
                response = await client.expect()
                if isinstance(response, SubmitSmResp):
                    assert response.command_status == CommandStatus.ESME_ROK
                    ids.add(response.message_id)
                    answered += 1
            # then
            assert len(ids) == total
            assert smsc.counters.accepted == total
            receipts = await client.wait_receipts(total)
            assert {r.tlvs.receipted_message_id for r in receipts} == ids

    run(body)


def test_run_forever_serves_from_a_thread_until_asked_to_stop() -> None:
    # given
    smsc = SmscSimulator(SimulatorConfig(accounts=None))
    thread = threading.Thread(target=smsc.run_forever, daemon=True)
    thread.start()
    assert smsc.started.wait(TIMEOUT)

    async def body() -> None:
        client = await Client.connect(smsc.port)
        assert (await client.bind()).command_status == CommandStatus.ESME_ROK
        await client.close()

    # when
    run(body)
    smsc.request_stop()
    # then
    thread.join(TIMEOUT)
    assert not thread.is_alive()


def test_the_command_line_simulator_records_and_stops_on_sigterm(tmp_path: Path) -> None:
    # given
    record = tmp_path / "received.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "centrex.smsc.simulator",
            "--port",
            "0",
            "--record",
            str(record),
            "--receipt-delay",
            "0.05",
            "--account",
            f"{SYSTEM_ID}={PASSWORD}",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")},
    )
    try:
        assert process.stderr is not None
        line = ""
        deadline = time.monotonic() + 10
        while "listening on" not in line and time.monotonic() < deadline:
            line = process.stderr.readline()
        port = int(line.rsplit(":", 1)[1])

        async def body() -> None:
            client = await Client.connect(port)
            assert (await client.bind()).command_status == CommandStatus.ESME_ROK
            response = await client.submit()
            (deliver,) = await client.wait_receipts(1)
            assert deliver.tlvs.receipted_message_id == response.message_id
            await client.close()

        # when
        run(body)
        process.send_signal(signal.SIGTERM)
        # then
        assert process.wait(TIMEOUT) == 0
        (line,) = record.read_text(encoding="utf-8").splitlines()
        assert json.loads(line)["text"] == "ciao"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(TIMEOUT)


@pytest.mark.parametrize(
    ("status", "message_id"),
    [(CommandStatus.ESME_ROK, "1A2B3C"), (CommandStatus.ESME_RTHROTTLED, "")],
)
def test_the_fast_submit_sm_resp_is_what_the_codec_encodes(status: int, message_id: str) -> None:
    expected = SubmitSmResp(sequence_number=42, command_status=status, message_id=message_id)
    assert _submit_sm_resp(42, status, message_id) == expected.encode()
