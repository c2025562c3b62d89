"""The builtin SMSC simulator's settings and what it reports (`centrex.smsc.simulator` is the
server): how it behaves (`SimulatorConfig`), what it did (`SimulatorCounters`) and each whole
message it received (`ReceivedMessage`, one JSON line of the record the developer inbox reads).
No Django, no database."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from centrex.smsc.pdu import MessageState

IdFormat = Literal["hex", "decimal"]
# The `receipt_stat` of a destination whose receipt never comes (the SMSC loses it).
NO_RECEIPT = "NONE"
# stat: of the receipt text → (message_state TLV, err:)
RECEIPT_STATES: dict[str, tuple[int, str]] = {
    "DELIVRD": (MessageState.DELIVERED, "000"),
    "UNDELIV": (MessageState.UNDELIVERABLE, "001"),
    "EXPIRED": (MessageState.EXPIRED, "002"),
    "REJECTD": (MessageState.REJECTED, "003"),
    "DELETED": (MessageState.DELETED, "004"),
    "UNKNOWN": (MessageState.UNKNOWN, "005"),
    "ACCEPTD": (MessageState.ACCEPTED, "000"),
}


@dataclass
class SimulatorConfig:
    """How the simulator behaves. Attributes may be changed while it runs (the next submit or
    receipt follows the new value), so a test can turn throttling on and off.

    - `accounts`: {system_id: password}; None accepts any bind.
    - `receipt_stat`: the receipt's `stat:` per destination, either a function of the
      destination_addr or a mapping {destination suffix: stat} (the longest matching suffix
      wins, e.g. {"0000": "UNDELIV"}); DELIVRD when nothing matches. One of RECEIPT_STATES,
      or NO_RECEIPT ("NONE"): the receipt is never sent (counted in `receipts_dropped`).
    - `lose_receipt_answers`: every deliver_sm_resp is taken as lost on the way, so the
      receipts stay unanswered and are sent again on the next bind once the session ends
      (`drop_connections`), as an SMSC does.
    - `throttle_fraction`: this share of the submits (0–1, spread evenly) is answered
      ESME_RTHROTTLED; `max_tps`: submits beyond this many in one second are.
    - `fail_destinations`: {destination_addr: command_status} answered to a submit_sm for it.
    - `message_id_format`: ids in submit_sm_resp; `receipt_id_format`: ids in receipts (the
      same by default; the other one exercises the dispatcher's matching).
    - `receipt_window`: receipts sent and not yet answered with deliver_sm_resp, per bind.
    - `enquire_link_interval`: seconds between the simulator's own enquire_link on each bound
      session (None: it only answers the client's).
    - `record_path`: a file to append one JSON line per whole received message to.
    - `keep_received`: how many messages `received` keeps in memory (the oldest go first).
    - `stats_path`: a file rewritten every `stats_interval` seconds (and at stop) with the
      counters as JSON, and the wall-clock times of the first and the latest accepted submit
      (for benchmarks: another process sees how far the SMSC got without reading the record).
    """

    host: str = "127.0.0.1"
    port: int = 0
    accounts: dict[str, str] | None = None
    receipt_delay: float = 1.0
    receipt_stat: Callable[[str], str] | Mapping[str, str] = field(default_factory=dict)
    throttle_fraction: float = 0.0
    max_tps: int | None = None
    fail_destinations: dict[str, int] = field(default_factory=dict)
    message_id_format: IdFormat = "hex"
    receipt_id_format: IdFormat | None = None
    receipt_window: int = 100
    lose_receipt_answers: bool = False
    enquire_link_interval: float | None = None
    record_path: Path | None = None
    keep_received: int = 100_000
    stats_path: Path | None = None
    stats_interval: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.throttle_fraction <= 1.0:
            raise ValueError("throttle_fraction lies in 0 … 1.")
        if self.receipt_window < 1:
            raise ValueError("receipt_window must be at least 1.")
        if self.stats_interval <= 0:
            raise ValueError("stats_interval must be positive.")
        for name in ("message_id_format", "receipt_id_format"):
            if getattr(self, name) not in ("hex", "decimal", None):
                raise ValueError(f"{name} is 'hex' or 'decimal'.")
        if not callable(self.receipt_stat):
            unknown = set(self.receipt_stat.values()) - set(RECEIPT_STATES) - {NO_RECEIPT}
            if unknown:
                raise ValueError(
                    f"Unknown receipt stat {sorted(unknown)}; one of {sorted(RECEIPT_STATES)}."
                )

    def stat_for(self, destination: str) -> str:
        """The receipt stat: for a destination (DELIVRD unless told otherwise)."""
        if callable(self.receipt_stat):
            stat = self.receipt_stat(destination)
        else:
            matches = [suffix for suffix in self.receipt_stat if destination.endswith(suffix)]
            stat = self.receipt_stat[max(matches, key=len)] if matches else "DELIVRD"
        if stat not in RECEIPT_STATES and stat != NO_RECEIPT:
            raise ValueError(f"Unknown receipt stat {stat!r}; one of {sorted(RECEIPT_STATES)}.")
        return stat


@dataclass
class SimulatorCounters:
    """What the simulator did since it started."""

    binds: int = 0
    bind_failures: int = 0
    submits: int = 0
    accepted: int = 0
    throttled: int = 0
    errors: int = 0
    receipts_sent: int = 0
    receipts_acknowledged: int = 0
    receipts_dropped: int = 0
    receipt_answers_lost: int = 0
    generic_nacks: int = 0
    messages: int = 0


@dataclass(frozen=True)
class ReceivedMessage:
    """One whole message as the SMSC received it (all its parts)."""

    time: datetime
    system_id: str
    source_addr: str
    source_addr_ton: int
    source_addr_npi: int
    destination_addr: str
    dest_addr_ton: int
    dest_addr_npi: int
    data_coding: int
    text: str
    parts: int
    message_ids: tuple[str, ...]
    validity_period: str = ""  # as the (first) submit_sm gave it: "" or "YYMMDDhhmmsstnnp"

    def to_json(self) -> str:
        """One line for the record file."""
        return json.dumps(
            {
                "time": self.time.isoformat(),
                "system_id": self.system_id,
                "source_addr": self.source_addr,
                "source_addr_ton": self.source_addr_ton,
                "source_addr_npi": self.source_addr_npi,
                "destination_addr": self.destination_addr,
                "dest_addr_ton": self.dest_addr_ton,
                "dest_addr_npi": self.dest_addr_npi,
                "data_coding": self.data_coding,
                "text": self.text,
                "parts": self.parts,
                "message_ids": list(self.message_ids),
                "validity_period": self.validity_period,
            },
            ensure_ascii=False,
        )
