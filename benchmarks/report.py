"""How the SMS benchmarks print their results: a Markdown table (pasted as is into the README)
and, per case, the CPU share of each process, what it cost per message and what limited the
rate."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from typing import Any


def print_machine(title: str) -> None:
    """The benchmark's first line: what it ran on and how busy the box was before it."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{title}: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average before: {load}"
    )


def print_markdown_table(columns: Sequence[tuple[str, int]], rows: Sequence[Sequence[str]]) -> None:
    """`columns` as (title, width); each row's cells already formatted to those widths."""
    print("| " + " | ".join(f"{name:<{width}}" for name, width in columns) + " |")
    print("|" + "|".join("-" * (width + 2) for _, width in columns) + "|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")


def print_cpu(summary: dict[str, dict[str, Any]], heading: str, limit_of: str) -> None:
    """Per case: the CPU shares (`row["cpu"]`), the limit (`row[limit_of]`) and the CPU each
    message cost (`row["rate"]` messages per second)."""
    print()
    print(heading)
    print()
    for case, row in summary.items():
        shares = ", ".join(f"{name} {share:.0%}" for name, share in row["cpu"].items())
        print(f"- {case}: {shares} → limited by: {row[limit_of]}")
        print(f"  {cost_per_message(row['cpu'], row['rate'])}")


def cost_per_message(cpu: dict[str, float], rate: float) -> str:
    """CPU milliseconds per message of each of our processes, and the rate the machine's cores
    would allow if they did nothing else (the steadiest figures on a shared box)."""
    ours = {name: share for name, share in cpu.items() if name not in ("other", "generator")}
    per_message = {name: share / rate * 1000 for name, share in ours.items()}
    total = sum(per_message.values())
    cores = os.cpu_count() or 1
    parts = ", ".join(f"{name} {ms:.2f}" for name, ms in per_message.items())
    if total <= 0:
        return "CPU ms per message: not measured (the run was shorter than a CPU sample)"
    return (
        f"CPU ms per message: {parts}; total {total:.2f} → at most {cores / total * 1000:,.0f}/s "
        f"on {cores} cores doing nothing else"
    )
