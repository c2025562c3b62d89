"""A small SIP user agent of the tests' own (RFC 3261 over UDP, digest authentication per RFC
2617 with qop=auth, hashlib only): it registers, calls, and answers the calls it receives with
a chosen status, recording each INVITE. Loopback only; every wait is bounded."""

from __future__ import annotations

import hashlib
import queue
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field

WAIT = 5.0


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass
class Message:
    """A parsed SIP request or response."""

    first_line: str
    headers: list[tuple[str, str]]
    body: str = ""

    @property
    def is_response(self) -> bool:
        return self.first_line.startswith("SIP/2.0 ")

    @property
    def status(self) -> int:
        return int(self.first_line.split()[1]) if self.is_response else 0

    @property
    def method(self) -> str:
        return self.first_line.split()[0] if not self.is_response else self.cseq[1]

    @property
    def cseq(self) -> tuple[int, str]:
        number, method = self.header("CSeq").split()
        return int(number), method

    def header(self, name: str) -> str:
        return next((v for n, v in self.headers if n.lower() == name.lower()), "")

    def all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]

    @classmethod
    def parse(cls, data: bytes) -> Message:
        text = data.decode(errors="replace")
        head, _, body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        return cls(lines[0], headers, body)


def digest_parameters(challenge: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', challenge)}


@dataclass
class Credentials:
    username: str
    password: str


@dataclass
class Agent:
    """One SIP device (or a stranger) on 127.0.0.1: `extension@domain` is the identity it
    claims, `credentials` what it answers challenges with."""

    registrar: tuple[str, int]
    extension: str
    domain: str
    credentials: Credentials | None = None
    answer_with: int = 486
    user_agent: str = "centrex-tests/1.0"
    invites: list[Message] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.call_id = secrets.token_hex(8)
        self.tag = secrets.token_hex(4)
        self.cseq = 0
        self.responses: queue.Queue[Message] = queue.Queue()
        self.invite_received = threading.Event()
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()

    # --- sending ---------------------------------------------------------------------------

    def _send(self, text: str, to: tuple[str, int] | None = None) -> None:
        self.sock.sendto(text.encode(), to or self.registrar)

    def _request(
        self,
        method: str,
        uri: str,
        to_uri: str,
        *,
        call_id: str,
        branch: str,
        extra: list[str] = (),  # type: ignore[assignment]
        to_tag: str = "",
        cseq: int | None = None,
    ) -> str:
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        headers = [
            f"{method} {uri} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch};rport",
            "Max-Forwards: 70",
            f"From: <sip:{self.extension}@{self.domain}>;tag={self.tag}",
            f"To: <{to_uri}>" + (f";tag={to_tag}" if to_tag else ""),
            f"Call-ID: {call_id}",
            f"CSeq: {cseq} {method}",
            f"Contact: <sip:{self.extension}@127.0.0.1:{self.port}>",
            f"User-Agent: {self.user_agent}",
            *extra,
            "Content-Length: 0",
        ]
        return "\r\n".join(headers) + "\r\n\r\n"

    def _authorization(self, challenge: Message, method: str, uri: str) -> str | None:
        header = "Authorization" if challenge.status == 401 else "Proxy-Authorization"
        value = challenge.header(
            "WWW-Authenticate" if challenge.status == 401 else "Proxy-Authenticate"
        )
        if self.credentials is None or not value:
            return None
        params = digest_parameters(value)
        realm, nonce = params["realm"], params["nonce"]
        ha1 = md5(f"{self.credentials.username}:{realm}:{self.credentials.password}")
        ha2 = md5(f"{method}:{uri}")
        parts = [
            f'username="{self.credentials.username}"',
            f'realm="{realm}"',
            f'nonce="{nonce}"',
            f'uri="{uri}"',
            "algorithm=MD5",
        ]
        if "auth" in params.get("qop", "").split(","):
            cnonce, nc = secrets.token_hex(8), "00000001"
            response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            parts += ["qop=auth", f'cnonce="{cnonce}"', f"nc={nc}"]
        else:
            response = md5(f"{ha1}:{nonce}:{ha2}")
        parts.append(f'response="{response}"')
        if "opaque" in params:
            parts.append(f'opaque="{params["opaque"]}"')
        return f"{header}: Digest " + ", ".join(parts)

    def _final(self, method: str, cseq: int, timeout: float = WAIT) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.responses.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if message.cseq == (cseq, method) and message.status >= 200:
                return message
        raise TimeoutError(f"no final answer to {method} {cseq} within {timeout} s")

    def _transaction(self, method: str, uri: str, to_uri: str, extra: list[str]) -> Message:
        """Send, answer one digest challenge, return the final response."""
        authorization: list[str] = []
        answer: Message | None = None
        for _attempt in range(2):
            branch = "z9hG4bK" + secrets.token_hex(8)
            self._send(
                self._request(
                    method,
                    uri,
                    to_uri,
                    call_id=self.call_id,
                    branch=branch,
                    extra=[*extra, *authorization],
                )
            )
            answer = self._final(method, self.cseq)
            if method == "INVITE":
                self._ack(answer, uri, to_uri, branch)
            if answer.status not in (401, 407):
                return answer
            header = self._authorization(answer, method, uri)
            if header is None:
                return answer
            authorization = [header]
        assert answer is not None
        return answer

    def _ack(self, answer: Message, uri: str, to_uri: str, branch: str) -> None:
        if answer.status < 300:
            return  # no 2xx in these tests: the callees never answer
        to_tag = digest_parameters(answer.header("To").replace(";", ",")).get("tag", "")
        self._send(
            self._request(
                "ACK",
                uri,
                to_uri,
                call_id=self.call_id,
                branch=branch,
                to_tag=to_tag,
                cseq=answer.cseq[0],
            )
        )

    def register(self, expires: int = 60) -> int:
        """REGISTER `sip:extension@domain`; the final status."""
        aor = f"sip:{self.extension}@{self.domain}"
        return self._transaction(
            "REGISTER", f"sip:{self.domain}", aor, [f"Expires: {expires}"]
        ).status

    def call(self, number: str, domain: str | None = None) -> int:
        """INVITE `sip:number@domain` (the caller's own by default); the final status."""
        self.call_id = secrets.token_hex(8)
        target = f"sip:{number}@{domain or self.domain}"
        return self._transaction("INVITE", target, target, []).status

    def options(self) -> int:
        host, port = self.registrar
        uri = f"sip:{host}:{port}"
        self._send(
            self._request(
                "OPTIONS",
                uri,
                uri,
                call_id=secrets.token_hex(8),
                branch="z9hG4bK" + secrets.token_hex(8),
            )
        )
        return self._final("OPTIONS", self.cseq, timeout=0.5).status

    # --- receiving -------------------------------------------------------------------------

    def _read(self) -> None:
        while self.running:
            try:
                data, source = self.sock.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            message = Message.parse(data)
            if message.is_response:
                self.responses.put(message)
            elif message.method == "INVITE":
                self.invites.append(message)
                self.invite_received.set()
                self._reply(message, self.answer_with, source)
            elif message.method in ("CANCEL", "BYE", "OPTIONS"):
                self._reply(message, 200, source)

    def _reply(self, request: Message, status: int, source: tuple[str, int]) -> None:
        reason = {200: "OK", 486: "Busy Here", 180: "Ringing"}.get(status, "Answer")
        to = request.header("To")
        if "tag=" not in to:
            to += f";tag={self.tag}"
        lines = [f"SIP/2.0 {status} {reason}"]
        lines += [f"Via: {via}" for via in request.all("Via")]
        lines += [
            f"From: {request.header('From')}",
            f"To: {to}",
            f"Call-ID: {request.header('Call-ID')}",
            f"CSeq: {request.header('CSeq')}",
            "Content-Length: 0",
        ]
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), source)

    def wait_for_invite(self, timeout: float = WAIT) -> bool:
        return self.invite_received.wait(timeout)
