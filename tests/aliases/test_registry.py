"""The AGCOM registry adapters (R-A9): the file spool and a real HTTP server on loopback that
accepts, fails, refuses and hangs; retries through the task worker; an approval never lost."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_tasks import default_task_backend

from centrex.accounts.models import User
from centrex.aliases import tasks
from centrex.aliases.actions.decisions import approve_alias, reject_alias, retry_registration
from centrex.aliases.actions.registration import registry_retry_delay
from centrex.aliases.models import (
    AliasEvent,
    AliasEventAction,
    AliasStatus,
    RegistryState,
    SenderAlias,
)
from centrex.aliases.registry import (
    FileSpoolRegistry,
    RegistryError,
    registration_document,
    registry_adapter,
)
from centrex.config.registry import check_registry_url
from tests.aliases.lifecycle import CLIENT_IP

# --- A registry on loopback ------------------------------------------------------------------


@dataclass
class Answer:
    """What the fake registry answers to the next POST."""

    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    document: dict[str, Any]


@dataclass
class RegistryServer:
    """A real HTTP server answering POSTs from a script of answers (then 200 `{}`)."""

    url: str = ""
    answers: list[Answer] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self) -> Answer:
        with self.lock:
            return self.answers.pop(0) if self.answers else Answer(200, b"{}")


def _handler_for(registry: RegistryServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with registry.lock:
                registry.received.append(
                    Received(self.path, dict(self.headers.items()), json.loads(body))
                )
            answer = registry.next_answer()
            time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout tests)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def registry_server(settings: Any) -> Generator[RegistryServer, None, None]:
    """CENTREX_ALIAS_REGISTRY=http://127.0.0.1:PORT/aliases, served by a real HTTP server."""
    registry = RegistryServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(registry))
    server.daemon_threads = True
    registry.url = f"http://127.0.0.1:{server.server_address[1]}/aliases"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CENTREX_ALIAS_REGISTRY = registry.url
    settings.CENTREX_ALIAS_REGISTRY_TIMEOUT = 5
    try:
        yield registry
    finally:
        server.shutdown()
        server.server_close()


def failures_of(alias: SenderAlias) -> list[AliasEvent]:
    return list(
        AliasEvent.objects.filter(alias=alias, action=AliasEventAction.REGISTRY_FAILED).order_by(
            "id"
        )
    )


# --- The file spool --------------------------------------------------------------------------


def test_approval_writes_one_json_document_with_the_customers_data(
    pending_alias: SenderAlias, operator: User, registry_spool: Path
) -> None:
    # when
    alias = approve_alias(pending_alias, acting_user=operator)
    # then
    assert alias.status == AliasStatus.VALIDATED
    spooled = registry_spool / f"alias-{alias.pk}.json"
    assert alias.registry_reference == f"file:alias-{alias.pk}.json"
    assert [path.name for path in registry_spool.iterdir()] == [spooled.name]
    document = json.loads(spooled.read_text(encoding="utf-8"))
    assert document["alias"]["id"] == alias.pk
    assert document["alias"]["text"] == "Esempio"
    customer = document["customer"]
    assert customer["ragione_sociale"] == "Esempio S.r.l."
    assert customer["partita_iva"] == "00743110157"
    assert customer["sede_legale"] == {
        "street": "Via Roma 1",
        "postcode": "20121",
        "city": "Milano",
        "province": "MI",
        "country": "IT",
    }
    assert customer["referente"] == {"first_name": "Alice", "last_name": "Rossi"}
    assert (customer["email"], customer["pec"], customer["phone"]) == (
        "amministrazione@esempio.example",
        "esempio@pec.example",
        "+390212345678",
    )
    assert customer["brands"] == ["Esempio", "EsempioNet"]
    consent = document["consent"]
    assert consent["given_by"] == "alice@esempio.example"
    assert consent["ip_address"] == CLIENT_IP
    assert consent["wording_version"] and "AGCOM" in consent["wording"]
    assert consent["given_at"]
    assert document["approved"]["by"] == "operatore@provider.example"
    assert document["approved"]["at"]


def test_the_spool_is_idempotent_by_alias(
    pending_alias: SenderAlias, operator: User, registry_spool: Path
) -> None:
    # given
    alias = approve_alias(pending_alias, acting_user=operator)
    document = registration_document(alias)
    # when the same registration is written again
    reference = FileSpoolRegistry(registry_spool).register(document)
    # then one file, same reference
    assert reference == alias.registry_reference
    assert len(list(registry_spool.iterdir())) == 1


def test_the_spool_is_written_atomically(
    pending_alias: SenderAlias, registry_spool: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a previous version of the document
    document = registration_document(pending_alias)
    spool = FileSpoolRegistry(registry_spool)
    spool.register(document)
    target = registry_spool / f"alias-{pending_alias.pk}.json"
    before = target.read_bytes()

    # when the rename into place fails (disk full, a crash before the rename…)
    def failing_replace(source: Any, destination: Any) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(RegistryError) as raised:
        spool.register({**document, "schema": "changed"})
    # then the old document is whole and no temporary file is left behind
    assert raised.value.transient
    assert target.read_bytes() == before
    assert [path.name for path in registry_spool.iterdir()] == [target.name]


def test_an_unwritable_spool_keeps_the_alias_pending(
    pending_alias: SenderAlias, operator: User, settings: Any, tmp_path: Path
) -> None:
    # given the spool "folder" is a file
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.CENTREX_ALIAS_REGISTRY = f"file://{blocker}"
    # when
    alias = approve_alias(pending_alias, acting_user=operator)
    # then
    assert (alias.status, alias.registry_state) == (AliasStatus.PENDING, RegistryState.FAILED)
    assert "cannot write the spool file" in alias.registry_error
    assert alias.approved_by == operator


# --- HTTPS (here HTTP on loopback) -------------------------------------------------------------


def test_the_registry_accepting_validates_the_alias(
    pending_alias: SenderAlias, operator: User, registry_server: RegistryServer
) -> None:
    # given
    registry_server.answers = [Answer(201, b'{"reference": "AGCOM-2026-0001"}')]
    # when
    alias = approve_alias(pending_alias, acting_user=operator)
    # then
    assert alias.status == AliasStatus.VALIDATED
    assert alias.registry_reference == "AGCOM-2026-0001"
    assert alias.registry_state == RegistryState.ACCEPTED
    [request] = registry_server.received
    assert request.path == "/aliases"
    assert request.headers["Idempotency-Key"] == f"alias-{alias.pk}"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.document["alias"] == {
        "id": alias.pk,
        "text": "Esempio",
        "requested_at": alias.submitted_at.isoformat() if alias.submitted_at else None,
    }
    assert request.document["customer"]["partita_iva"] == "00743110157"


def test_a_registry_error_keeps_the_alias_pending_until_a_retry_succeeds(
    pending_alias: SenderAlias, operator: User, registry_server: RegistryServer
) -> None:
    # given the registry fails once, then works
    registry_server.answers = [Answer(500, b"maintenance"), Answer(200, b'{"id": 42}')]
    # when
    alias = approve_alias(pending_alias, acting_user=operator)
    # then the approval is kept, the error is visible, a retry is due
    assert alias.status == AliasStatus.PENDING
    assert alias.approved_at is not None and alias.approved_by == operator
    assert alias.registry_state == RegistryState.FAILED
    assert "HTTP 500" in alias.registry_error and "maintenance" in alias.registry_error
    assert alias.registry_attempts == 1
    [failure] = failures_of(alias)
    assert failure.data["transient"] is True
    assert failure.data["next_attempt_at"] is not None
    # when the worker runs the scheduled retry
    tasks.register_alias.call(alias.pk, 1)
    # then
    alias.refresh_from_db()
    assert alias.status == AliasStatus.VALIDATED
    assert (alias.registry_reference, alias.registry_attempts) == ("42", 2)
    assert alias.registry_error == ""
    assert len(registry_server.received) == 2
    keys = {request.headers["Idempotency-Key"] for request in registry_server.received}
    assert keys == {f"alias-{alias.pk}"}


def test_a_stale_retry_does_nothing(
    pending_alias: SenderAlias, operator: User, registry_server: RegistryServer
) -> None:
    # given a failed attempt (attempts = 1)
    registry_server.answers = [Answer(503)]
    alias = approve_alias(pending_alias, acting_user=operator)
    # when a retry scheduled before it (for attempt 0) runs
    tasks.register_alias.call(alias.pk, 0)
    # then the registry is not called again
    assert len(registry_server.received) == 1
    alias.refresh_from_db()
    assert (alias.status, alias.registry_attempts) == (AliasStatus.PENDING, 1)


def test_a_retry_after_a_decision_does_nothing(
    pending_alias: SenderAlias, operator: User, registry_server: RegistryServer
) -> None:
    # given a failed registration, then the operator rejects the request after all
    registry_server.answers = [Answer(503)]
    approve_alias(pending_alias, acting_user=operator)
    reject_alias(pending_alias, "Dati del cliente da verificare.", acting_user=operator)
    # when
    tasks.register_alias.call(pending_alias.pk, 1)
    # then
    assert len(registry_server.received) == 1
    assert SenderAlias.objects.get(pk=pending_alias.pk).status == AliasStatus.REJECTED


def test_a_refusal_is_not_retried_automatically_but_an_operator_can_retry(
    pending_alias: SenderAlias, operator: User, registry_server: RegistryServer
) -> None:
    # given the registry refuses the document
    registry_server.answers = [Answer(400, b'{"error": "partita IVA non valida"}')]
    # when
    alias = approve_alias(pending_alias, acting_user=operator)
    # then
    assert (alias.status, alias.registry_state) == (AliasStatus.PENDING, RegistryState.FAILED)
    assert "refused" in alias.registry_error and "HTTP 400" in alias.registry_error
    assert "partita IVA non valida" in alias.registry_error
    [failure] = failures_of(alias)
    assert failure.data == {"attempt": 1, "transient": False, "next_attempt_at": None}
    # when the operator retries once the cause is fixed
    alias = retry_registration(alias, acting_user=operator)
    # then
    assert alias.status == AliasStatus.VALIDATED
    assert alias.registry_attempts == 2


def test_a_redirect_is_not_followed(
    pending_alias: SenderAlias, operator: User, registry_server: RegistryServer
) -> None:
    # given the registry answers with a redirect to a page that would say 200
    registry_server.answers = [Answer(302, headers={"Location": "/elsewhere"}), Answer(200)]
    # when
    alias = approve_alias(pending_alias, acting_user=operator)
    # then the POST was not turned into a GET of that page
    assert len(registry_server.received) == 1
    assert (alias.status, alias.registry_state) == (AliasStatus.PENDING, RegistryState.FAILED)
    assert "redirect" in alias.registry_error
    assert failures_of(alias)[0].data["transient"] is False


def test_a_registry_that_does_not_answer_in_time_is_a_transient_failure(
    pending_alias: SenderAlias, operator: User, registry_server: RegistryServer, settings: Any
) -> None:
    # given a registry slower than the timeout, then a quick one
    settings.CENTREX_ALIAS_REGISTRY_TIMEOUT = 0.3
    registry_server.answers = [Answer(200, b"{}", delay=2.0)]
    # when
    started = time.monotonic()
    alias = approve_alias(pending_alias, acting_user=operator)
    # then the approval did not wait for the registry
    assert time.monotonic() - started < 1.8
    assert (alias.status, alias.registry_state) == (AliasStatus.PENDING, RegistryState.FAILED)
    assert "did not answer within 0.3 s" in alias.registry_error
    assert failures_of(alias)[0].data["transient"] is True
    # when approving again (the operator's retry)
    alias = approve_alias(alias, acting_user=operator)
    # then
    assert alias.status == AliasStatus.VALIDATED
    assert AliasEvent.objects.filter(alias=alias, action="approved").count() == 1


def test_an_unreachable_registry_is_a_transient_failure(
    pending_alias: SenderAlias, operator: User, settings: Any
) -> None:
    # given nothing listens on the port
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    settings.CENTREX_ALIAS_REGISTRY = f"http://127.0.0.1:{port}/aliases"
    # when
    alias = approve_alias(pending_alias, acting_user=operator)
    # then
    assert alias.registry_state == RegistryState.FAILED
    assert "cannot reach the registry" in alias.registry_error
    assert failures_of(alias)[0].data["transient"] is True


def test_automatic_retries_stop_after_the_configured_attempts(
    pending_alias: SenderAlias, operator: User, registry_server: RegistryServer, settings: Any
) -> None:
    # given at most 2 automatic attempts, and a registry that keeps failing
    settings.CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS = 2
    registry_server.answers = [Answer(502), Answer(502)]
    # when
    approve_alias(pending_alias, acting_user=operator)
    tasks.register_alias.call(pending_alias.pk, 1)
    # then
    alias = SenderAlias.objects.get(pk=pending_alias.pk)
    assert alias.status == AliasStatus.PENDING
    assert "automatic retries stopped after 2 attempts" in alias.registry_error
    assert [event.data["next_attempt_at"] is None for event in failures_of(alias)] == [False, True]


# --- Retries through the task worker ---------------------------------------------------------


@pytest.fixture
def deferring_tasks(settings: Any) -> Any:
    """A task backend that keeps what is enqueued, with its run_after (like the database
    backend of `centrex worker`)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()  # type: ignore[attr-defined]
    return default_task_backend


def test_a_failed_registration_schedules_its_retry_with_backoff(
    pending_alias: SenderAlias,
    operator: User,
    registry_server: RegistryServer,
    deferring_tasks: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    registry_server.answers = [Answer(500)]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        alias = approve_alias(pending_alias, acting_user=operator)
    # then a safety retry (in case the process died mid-call) and the retry of attempt 1
    scheduled = [
        (result.args, result.task.run_after)
        for result in deferring_tasks.results
        if result.task.name == "register_alias"
    ]
    assert [args for args, _when in scheduled] == [[alias.pk, 0], [alias.pk, 1]]
    approved_at = alias.approved_at
    assert approved_at is not None
    for _args, when in scheduled:
        assert when is not None
        assert approved_at < when <= approved_at + registry_retry_delay(1) + registry_retry_delay(1)


def test_the_backoff_grows_and_is_bounded() -> None:
    minutes = [registry_retry_delay(n).total_seconds() / 60 for n in range(1, 8)]
    assert minutes == [1, 5, 15, 60, 60, 60, 60]


def test_with_a_backend_that_cannot_defer_nothing_is_scheduled(
    pending_alias: SenderAlias,
    operator: User,
    registry_server: RegistryServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given the immediate backend of the tests, and a failing registry
    registry_server.answers = [Answer(500)]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        alias = approve_alias(pending_alias, acting_user=operator)
    # then the retry did not run at once against the registry that just failed
    assert len(registry_server.received) == 1
    assert alias.status == AliasStatus.PENDING


# --- Configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///var/lib/centrex/registry",
        "https://registry.example.it/api/aliases",
        "http://127.0.0.1:8080/aliases",
        "http://localhost/aliases",
        "http://[::1]:9000/x",
    ],
)
def test_good_registry_urls_are_accepted(url: str) -> None:
    check_registry_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://registry.example.it/aliases",  # plain HTTP over a network
        "ftp://registry.example.it/",
        "file://",
        "https://",
        "https://registry.example.it:99999/",
        "registry.example.it",
    ],
)
def test_bad_registry_urls_fail_loudly(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        check_registry_url(url)


def test_the_adapter_follows_the_setting(settings: Any, tmp_path: Path) -> None:
    settings.CENTREX_ALIAS_REGISTRY = f"file://{tmp_path}/spool"
    assert registry_adapter() == FileSpoolRegistry(tmp_path / "spool")
    settings.CENTREX_ALIAS_REGISTRY = "https://registry.example.it/aliases"
    settings.CENTREX_ALIAS_REGISTRY_TIMEOUT = 7
    adapter = registry_adapter()
    assert (adapter.url, adapter.timeout) == ("https://registry.example.it/aliases", 7)  # type: ignore[attr-defined]
