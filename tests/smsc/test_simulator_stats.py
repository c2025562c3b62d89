"""The simulator's stats file (`--stats-file`): how a benchmark in another process sees how far
the SMSC got without reading the record."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from centrex.smsc.pdu import CommandStatus
from centrex.smsc.simulator import SimulatorConfig, SmscSimulator
from tests.smsc.test_simulator import Client, run, simulator


def test_the_stats_file_follows_the_counters_and_the_submit_times(tmp_path: Path) -> None:
    stats = tmp_path / "stats" / "smsc.json"

    async def body() -> None:
        async with simulator(stats_path=stats, stats_interval=0.05) as smsc:
            # given a fresh simulator: the file exists at once, with nothing received
            first = json.loads(stats.read_text())
            assert first["counters"]["accepted"] == 0
            assert first["first_submit_at"] is None
            client = await Client.connect(smsc.port)
            assert (await client.bind()).command_status == CommandStatus.ESME_ROK
            before = time.time()

            # when two messages are submitted
            await client.submit(destination_addr="393470000001")
            await client.submit(destination_addr="393470000002")
            after = time.time()
            deadline = time.monotonic() + 5
            while json.loads(stats.read_text())["counters"]["accepted"] < 2:
                assert time.monotonic() < deadline, "the stats file was not rewritten"
                await asyncio.sleep(0.02)
            await client.close()

        # then the file (rewritten once more at stop) counts them and says when they came
        final = json.loads(stats.read_text())
        assert final["counters"]["accepted"] == final["counters"]["submits"] == 2
        assert final["counters"]["messages"] == 2
        assert before <= final["first_submit_at"] <= final["last_submit_at"] <= after
        assert not (stats.parent / "smsc.json.tmp").exists()

    run(body)


def test_a_stats_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="stats_interval"):
        SmscSimulator(SimulatorConfig(stats_interval=0))
