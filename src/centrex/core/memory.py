"""The garbage collector in long-running processes (the web workers, `centrex smsd`).

A started process holds a few hundred thousand objects that live as long as it does: modules,
settings, URL patterns, the API's schemas, compiled templates. CPython's full (generation 2)
collection walks all of them, and does so whenever enough new objects have survived: measured
under full load (`benchmarks/send.py`, PostgreSQL), 85–190 ms each, a pause of every thread of
the process — every SMPP session of the dispatcher, every request of a web worker — that showed
as the →SMSC p99. `gc.freeze()` (Python's documented remedy) moves what exists at the end of
start-up into a permanent generation the collector no longer walks; what the process creates
afterwards is collected as before.
"""

from __future__ import annotations

import gc
import importlib

from django.conf import settings


def freeze_startup_objects() -> None:
    """Load what every request needs (the URLconf imports every view, form and API schema),
    then take everything alive out of the collector's walks."""
    importlib.import_module(settings.ROOT_URLCONF)
    gc.collect()  # what start-up left as garbage goes now, not into the permanent generation
    gc.freeze()
