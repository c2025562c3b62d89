"""The dispatcher on a live bind with an SMSC that misbehaves (issue 13, R-T6): garbage,
`generic_nack`, answers with sequence numbers nobody used, command ids nobody knows. The real
dispatcher against a scripted SMSC; each test waits for an event (a status, an answer), never
for time to pass, and ends by stopping the dispatcher cleanly (which re-raises anything it
died of)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from centrex.accounts.models import User
from centrex.sms.models import MessageStatus, SmsMessage, SmsPart
from centrex.smsc.pdu import (
    ESM_CLASS_DELIVERY_RECEIPT,
    BindTransceiver,
    BindTransceiverResp,
    CommandId,
    CommandStatus,
    DeliverSm,
    DeliverSmResp,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    MessageState,
    Pdu,
    PduError,
    PduReader,
    SequenceNumbers,
    SubmitSm,
    SubmitSmResp,
    Tlvs,
    Unbind,
    UnbindResp,
    UnknownPdu,
)
from tests.plugins.smsc import RunningDispatcher, dispatching
from tests.smsc.loopback import LoopbackSmsc
from tests.smsc.test_dispatcher import QUICK, queue, statuses


def unknown(command_id: int, sequence_number: int, body: bytes = b"") -> bytes:
    return UnknownPdu(
        sequence_number=sequence_number, raw_command_id=command_id, body=body
    ).encode()


@dataclass
class Script:
    """What the SMSC does besides answering: bytes written after a bind (on the first
    connection only, or on every one), bytes written before each submit_sm_resp, and a
    generic_nack status answering the first submit to a destination (by its last digit)."""

    after_bind: list[bytes] = field(default_factory=list)
    after_first_bind_only: bool = False
    before_each_answer: list[bytes] = field(default_factory=list)
    nack_first: dict[str, int] = field(default_factory=dict)


class HostileSmsc(LoopbackSmsc):
    """A loopback SMSC that binds anyone, answers submits (a DELIVRD receipt right after each
    answer) and misbehaves as its `Script` says; it keeps every PDU the dispatcher sent."""

    def __init__(self, script: Script) -> None:
        super().__init__()
        self.script = script
        self.binds = 0
        self.from_dispatcher: list[Pdu] = []
        self.unreadable = 0
        self.nacked: set[str] = set()
        self.next_id = 0x5000

    def session(self) -> _Session:
        return _Session(self)

    @property
    def url(self) -> str:
        return f"smpp://a:b@127.0.0.1:{self.port}"

    def sent(self, kind: type[Pdu]) -> list[Any]:
        return [pdu for pdu in list(self.from_dispatcher) if isinstance(pdu, kind)]


class _Session(asyncio.Protocol):
    def __init__(self, smsc: HostileSmsc) -> None:
        self.smsc = smsc
        self.reader = PduReader()
        self.sequence = SequenceNumbers()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.smsc.connections.append(self)

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while True:
            try:
                pdu = next(self.reader, None)
            except PduError:
                self.smsc.unreadable += 1
                continue
            if pdu is None:
                return
            self.smsc.from_dispatcher.append(pdu)
            self.handle(pdu)

    def handle(self, pdu: Pdu) -> None:
        smsc, script = self.smsc, self.smsc.script
        if isinstance(pdu, BindTransceiver):
            smsc.binds += 1
            self.write(BindTransceiverResp(sequence_number=pdu.sequence_number).encode())
            if smsc.binds == 1 or not script.after_first_bind_only:
                for data in script.after_bind:
                    self.write(data)
        elif isinstance(pdu, SubmitSm):
            for data in script.before_each_answer:
                self.write(data)
            status = script.nack_first.get(pdu.destination_addr[-1:])
            if status is not None and pdu.destination_addr not in smsc.nacked:
                smsc.nacked.add(pdu.destination_addr)
                self.write(
                    GenericNack(sequence_number=pdu.sequence_number, command_status=status).encode()
                )
                return
            smsc.next_id += 1
            message_id = f"{smsc.next_id:X}"
            self.write(
                SubmitSmResp(sequence_number=pdu.sequence_number, message_id=message_id).encode()
            )
            self.write(
                DeliverSm(
                    sequence_number=next(self.sequence),
                    esm_class=ESM_CLASS_DELIVERY_RECEIPT,
                    short_message=f"id:{message_id} stat:DELIVRD err:000 text:".encode(),
                    tlvs=Tlvs(
                        receipted_message_id=message_id, message_state=MessageState.DELIVERED
                    ),
                ).encode()
            )
        elif isinstance(pdu, EnquireLink):
            self.write(EnquireLinkResp(sequence_number=pdu.sequence_number).encode())
        elif isinstance(pdu, Unbind):
            self.write(UnbindResp(sequence_number=pdu.sequence_number).encode())
            if self.transport is not None:
                self.transport.close()


def delivered(count: int) -> Any:
    return lambda: statuses() == Counter({MessageStatus.DELIVERED: count})


def reconnects(running: RunningDispatcher) -> int:
    return running.dispatcher.pipelines[0].counters["reconnects"]


def test_unknown_commands_get_generic_nack_and_the_bind_stays_up(alice: User) -> None:
    # given an SMSC that sends requests nobody knows (data_sm, query_sm, alert_notification,
    # invented ids) and an unknown response, after the bind and before every answer
    script = Script(
        after_bind=[
            unknown(0x00000103, 70001, b"\x00" * 12),
            unknown(0x00000077, 70002),
            unknown(0x80000077, 70003, b"whatever"),
            unknown(0x00000003, 70004, b"1A2B\x00\x00\x00\x00"),
            unknown(0x00000102, 70005),
        ],
        before_each_answer=[unknown(0x0000ABCD, 70100)],
    )
    queue(alice, 3)
    with HostileSmsc(script) as smsc, dispatching(smsc.url, QUICK) as running:
        # then every message is delivered, on the first bind
        assert running.wait_until(delivered(3), 10)
        # and each request was refused with ESME_RINVCMDID, the unknown response ignored
        assert running.wait_until(lambda: len(smsc.sent(GenericNack)) == 4 + 3, 5)
        assert reconnects(running) == 0
    nacks = Counter((n.sequence_number, n.command_status) for n in smsc.sent(GenericNack))
    invalid = CommandStatus.ESME_RINVCMDID
    assert nacks == Counter(
        {(70001, invalid): 1, (70002, invalid): 1, (70004, invalid): 1, (70005, invalid): 1}
        | {(70100, invalid): 3}
    )
    assert smsc.binds == 1 and smsc.unreadable == 0


def test_answers_with_sequence_numbers_nobody_used_are_ignored(alice: User) -> None:
    # given an SMSC that, before each real answer, answers things the dispatcher never sent
    stray = 0x7FFFFF00
    script = Script(
        before_each_answer=[
            SubmitSmResp(sequence_number=stray, message_id="FFFF").encode(),
            SubmitSmResp(
                sequence_number=stray + 1, command_status=CommandStatus.ESME_RSYSERR
            ).encode(),
            GenericNack(sequence_number=stray + 2, command_status=8).encode(),
            DeliverSmResp(sequence_number=stray + 3).encode(),
            EnquireLinkResp(sequence_number=stray + 4).encode(),
            BindTransceiverResp(sequence_number=stray + 5).encode(),
            UnbindResp(sequence_number=0).encode(),
        ]
    )
    queue(alice, 4)
    with HostileSmsc(script) as smsc, dispatching(smsc.url, QUICK) as running:
        # then the messages are delivered by their own answers, on the first bind
        assert running.wait_until(delivered(4), 10)
        assert reconnects(running) == 0
    assert not SmsPart.objects.filter(id_key="ffff").exists()
    assert not smsc.sent(GenericNack)
    assert smsc.binds == 1


def test_a_generic_nack_answering_a_submit_is_its_answer(alice: User) -> None:
    # given an SMSC that answers the first submit to ...0 with generic_nack ESME_RSYSERR (a
    # passing fault) and to ...1 with ESME_RINVCMDID (it cannot read such a PDU)
    script = Script(nack_first={"0": CommandStatus.ESME_RSYSERR, "1": CommandStatus.ESME_RINVCMDID})
    queue(alice, 3)
    with HostileSmsc(script) as smsc, dispatching(smsc.url, QUICK) as running:
        # then ...0 is sent again and delivered, ...1 fails with the SMSC's reason, ...2 goes
        assert running.wait_until(
            lambda: statuses() == Counter({MessageStatus.DELIVERED: 2, MessageStatus.FAILED: 1}),
            15,
        )
        assert reconnects(running) == 0
    failed = SmsMessage.objects.get(status=MessageStatus.FAILED)
    assert failed.destination.endswith("1")
    assert failed.error_code == "ESME_RINVCMDID"
    assert SmsMessage.objects.get(destination__endswith="0").attempts == 2
    assert smsc.binds == 1


def test_a_garbled_pdu_is_nacked_and_the_session_goes_on(alice: User) -> None:
    # given an SMSC that, before each answer, sends a deliver_sm cut short inside its body and
    # a receipt that says nothing readable
    broken = DeliverSm(sequence_number=90001, short_message=b"id:1 stat:DELIVRD").encode()
    cut = broken[:30]
    garbled = len(cut).to_bytes(4, "big") + cut[4:]
    unreadable = DeliverSm(
        sequence_number=90002, esm_class=ESM_CLASS_DELIVERY_RECEIPT, short_message=b"\xff\x00?"
    ).encode()
    queue(alice, 2)
    with (
        HostileSmsc(Script(before_each_answer=[garbled, unreadable])) as smsc,
        dispatching(smsc.url, QUICK) as running,
    ):
        # then the messages are delivered on the first bind
        assert running.wait_until(delivered(2), 10)
        # and the cut PDU got generic_nack, the unreadable receipt its deliver_sm_resp
        assert running.wait_until(
            lambda: len([r for r in smsc.sent(DeliverSmResp) if r.sequence_number == 90002]) == 2,
            5,
        )
        assert reconnects(running) == 0
    nacks = smsc.sent(GenericNack)
    assert [n.sequence_number for n in nacks] == [90001, 90001]
    assert all(n.command_status != CommandStatus.ESME_ROK for n in nacks)


def test_garbage_that_breaks_the_stream_costs_a_connection_and_loses_nothing(
    alice: User,
) -> None:
    # given an SMSC whose first connection, once bound, sends random bytes, then a frame
    # shorter than a header (nothing after it can be trusted)
    garbage = random.Random(13).randbytes(3000)  # reproducible noise
    script = Script(
        after_bind=[garbage, b"\x00\x00\x00\x05\x01"],
        after_first_bind_only=True,
    )
    queue(alice, 5)
    with HostileSmsc(script) as smsc, dispatching(smsc.url, QUICK) as running:
        # then the dispatcher drops that connection, binds again, and delivers everything
        assert running.wait_until(delivered(5), 15)
        assert reconnects(running) >= 1
    assert smsc.binds >= 2
    assert not running.dispatcher.failed


def test_frames_of_noise_with_right_lengths_are_survived(alice: User) -> None:
    # given an SMSC whose first connection, once bound, sends 200 frames of reproducible noise
    # with right lengths: every command id of SMPP 3.4 and some nobody knows, random statuses,
    # sequence numbers and bodies
    noise = random.Random(13)
    commands = [int(command) for command in CommandId] + [0x00000077, 0x80000077]
    frames = []
    for _ in range(200):
        body = noise.randbytes(noise.randrange(0, 120))
        header = (16 + len(body), noise.choice(commands), noise.choice([0, 8, 0x58]))
        sequence = noise.randrange(0x40000000, 0x7FFFFFFF)  # none the dispatcher uses yet
        frames.append(b"".join(v.to_bytes(4, "big") for v in (*header, sequence)) + body)
    queue(alice, 5)
    with (
        HostileSmsc(Script(after_bind=frames, after_first_bind_only=True)) as smsc,
        dispatching(smsc.url, QUICK) as running,
    ):
        # then everything is delivered (an unbind among the noise costs a connection at most)
        assert running.wait_until(delivered(5), 15)
    assert not running.dispatcher.failed
    assert smsc.unreadable == 0  # every answer the dispatcher wrote reads as SMPP
