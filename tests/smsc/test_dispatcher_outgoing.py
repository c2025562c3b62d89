"""What the dispatcher writes (R-T3, R-T6, API.md "SMPP as sent to the SMSC"): the `submit_sm`
of each part of a claimed message, and the answer to a receipt, byte for byte what the codec
would write."""

from __future__ import annotations

import pytest

from centrex.sms.encoding import encode_sms
from centrex.sms.queue import ClaimedRow
from centrex.smsc.client import deliver_sm_resp
from centrex.smsc.outgoing import (
    INVALID_DESTINATION,
    INVALID_MESSAGE,
    ComposeError,
    SubmitComposer,
    submit_sm_pdu,
)
from centrex.smsc.pdu import CommandStatus, DeliverSmResp, SubmitSm, decode_pdu


def row(
    message_id: int = 1,
    text: str = "Ciao",
    *,
    request_id: int = 1,
    destination: str = "+393401234567",
    sender: tuple[str, str, int, int] = ("alias", "Esempio", 5, 0),
) -> ClaimedRow:
    sender_type, sender_value, ton, npi = sender
    return ClaimedRow(
        message_id, destination, request_id, text, sender_type, sender_value, ton, npi, 1, "message"
    )


def expected(claimed: ClaimedRow, source: str, validity_period: str = "") -> list[bytes]:
    """The bodies the codec writes for that message (reference: the message id's low octet)."""
    encoded = encode_sms(claimed.text, reference=claimed.id & 0xFF)
    return [
        SubmitSm(
            sequence_number=1,
            source_addr_ton=claimed.sender_ton,
            source_addr_npi=claimed.sender_npi,
            source_addr=source,
            dest_addr_ton=1,
            dest_addr_npi=1,
            destination_addr=claimed.destination.removeprefix("+"),
            esm_class=part.esm_class,
            validity_period=validity_period,
            registered_delivery=1,
            data_coding=encoded.data_coding,
            short_message=part.short_message,
        ).encode()[16:]
        for part in encoded.parts
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Ciao",
        "x" * 160,
        "x" * 161,
        "Riunione {alle} 10€ " * 20,
        "Buongiorno 😀",
        "é😀" * 60,
        "a" * 153 * 10,
    ],
)
@pytest.mark.parametrize(
    ("sender", "source"),
    [(("alias", "Esempio", 5, 0), "Esempio"), (("mobile", "+393331234567", 1, 1), "393331234567")],
)
@pytest.mark.parametrize("validity_period", ["", "000002000000000R"])
def test_bodies_are_what_the_codec_writes(
    text: str, sender: tuple[str, str, int, int], source: str, validity_period: str
) -> None:
    # given a claimed message, and another of the same request (its template is reused)
    composer = SubmitComposer(validity_period=validity_period)
    first, second = (
        row(1, text, sender=sender),
        row(258, text, destination="+39340999", sender=sender),
    )
    # when composed, then each is the codec's submit_sm, with its own UDH reference
    assert list(composer.compose(first)) == expected(first, source, validity_period)
    assert list(composer.compose(second)) == expected(second, source, validity_period)


def test_a_whole_pdu_decodes_with_its_sequence_number() -> None:
    # given the body of a two-part UCS-2 message
    (body, _) = SubmitComposer().compose(row(7, "😀" * 40))
    # when written with sequence number 42
    pdu = decode_pdu(submit_sm_pdu(body, 42))
    # then it is that part: UDH, data_coding 8, receipt requested, destination 1/1
    assert isinstance(pdu, SubmitSm)
    assert pdu.sequence_number == 42
    assert (pdu.esm_class, pdu.data_coding, pdu.registered_delivery) == (0x40, 8, 1)
    assert pdu.short_message[:6] == bytes((5, 0, 3, 7, 2, 1))
    assert (pdu.destination_addr, pdu.dest_addr_ton, pdu.dest_addr_npi) == ("393401234567", 1, 1)


def test_a_destination_that_is_no_number_is_refused() -> None:
    with pytest.raises(ComposeError) as error:
        SubmitComposer().compose(row(destination="+39 340 123"))
    assert error.value.code == INVALID_DESTINATION


def test_a_sender_smpp_cannot_carry_fails_every_message_of_its_request() -> None:
    # given a request whose alias is longer than source_addr allows
    composer = SubmitComposer()
    long_alias = ("alias", "A" * 21, 5, 0)
    for message_id in (1, 2):
        # when each of its messages is composed, then each fails with the reason
        with pytest.raises(ComposeError) as error:
            composer.compose(row(message_id, sender=long_alias))
        assert error.value.code == INVALID_MESSAGE
        assert "source_addr" in error.value.text


def test_a_text_beyond_ten_parts_is_refused() -> None:
    with pytest.raises(ComposeError) as error:
        SubmitComposer().compose(row(text="a" * (153 * 10 + 1)))
    assert error.value.code == INVALID_MESSAGE


@pytest.mark.parametrize("status", [CommandStatus.ESME_ROK, CommandStatus.ESME_RX_T_APPN])
def test_the_answer_to_a_receipt_is_what_the_codec_writes(status: int) -> None:
    assert (
        deliver_sm_resp(0x7FFFFFFF, status)
        == DeliverSmResp(sequence_number=0x7FFFFFFF, command_status=status).encode()
    )
