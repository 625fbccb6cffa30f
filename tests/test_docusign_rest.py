"""The DocuSign REST adapter against a fake DocuSign server on 127.0.0.1.

The fake serves envelopes, documents, certificates and the OAuth endpoints, and
records every exchange. The schema tests check that every request the adapter sent
is an operation of DocuSign's published Swagger file (method, path template, known
query parameters) and that every response the fake gave validates against that
operation's response schema, with schemathesis.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest

from invoicebackup.docusign_rest import (
    DocuSignOAuth,
    DocuSignProvider,
    TokenGrant,
    cache_key,
)
from invoicebackup.domain import DocuSignLink, EnvelopeStatus, LinkState
from invoicebackup.errors import (
    EnvelopeNotFoundError,
    InvalidTransitionError,
    RateLimitedError,
    SignatureAuthError,
    SignatureProviderError,
    SignatureTransportError,
)
from invoicebackup.storage import InMemoryStore

TOKEN = "tok-SECRET-7f3a9c"
ACCOUNT = "0cdb3ff3-aaaa-bbbb-cccc-e43af011006d"
CLIENT_ID = "int-key-1"
CLIENT_SECRET = "client-SECRET-42"
GOOD_CODE = "code-SECRET-ok"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def pdf(label: str, *, complete: bool = True) -> bytes:
    """A small PDF-shaped body; without its trailer when not *complete*."""
    body = f"%PDF-1.7\n% {label}\n1 0 obj << /Type /Catalog >> endobj\n".encode()
    return body + b"trailer << /Root 1 0 R >>\n%%EOF\n" if complete else body


@attrs.define
class Exchange:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int = 0
    response_headers: dict[str, str] = attrs.Factory(dict)
    body: bytes = b""


@attrs.define
class Fault:
    status: int = 0
    headers: dict[str, str] = attrs.Factory(dict)
    body: bytes = b""
    delay: float = 0.0
    content_type: str = "application/json"


class FakeDocuSign:
    """The state and script of the fake server."""

    def __init__(self) -> None:
        self.url = ""
        self.lock = threading.Lock()
        self.envelopes: dict[str, dict[str, str]] = {}
        self.documents: dict[tuple[str, str], bytes] = {}
        self.tokens = {TOKEN}
        self.faults: list[Fault] = []
        self.exchanges: list[Exchange] = []

    def add(
        self,
        envelope_id: str,
        status: str,
        *,
        completed: str | None = None,
        signed: bytes | None = None,
        certificate: bytes | None = None,
    ) -> None:
        envelope = {"envelopeId": envelope_id, "status": status, "emailSubject": "Invoice"}
        if completed:
            envelope["completedDateTime"] = completed
        self.envelopes[envelope_id] = envelope
        if signed is not None:
            self.documents[(envelope_id, "combined")] = signed
        if certificate is not None:
            self.documents[(envelope_id, "certificate")] = certificate

    def api(self) -> list[Exchange]:
        """The exchanges with the eSignature API (not the OAuth endpoints)."""
        return [e for e in self.exchanges if e.path.startswith("/restapi/")]

    # -- routing ----------------------------------------------------------------------

    def respond(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/oauth/"):
            return self.oauth(method, path, headers)
        if headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return error(
                401,
                "USER_AUTHENTICATION_FAILED",
                "The access token provided is expired, revoked or malformed.",
            )
        parts = path.removeprefix("/restapi/v2.1/").split("/")
        if method != "GET" or parts[:1] != ["accounts"] or len(parts) < 3:
            return error(400, "INVALID_REQUEST_PARAMETER", "Unknown resource.")
        if parts[1] != ACCOUNT:
            return error(400, "USER_LACKS_MEMBERSHIP", "The user is not a member of the account.")
        if parts[2:] == ["envelopes"]:
            return self.list_envelopes(query)
        envelope_id = urllib.parse.unquote(parts[3]) if len(parts) > 3 else ""
        if envelope_id not in self.envelopes:
            return error(400, "ENVELOPE_DOES_NOT_EXIST", "The envelope specified does not exist.")
        if len(parts) == 4:
            return json_body(200, self.envelopes[envelope_id])
        if len(parts) == 6 and parts[4] == "documents":
            document = self.documents.get((envelope_id, parts[5]))
            if document is None:
                return error(400, "INVALID_DOCUMENT_ID", "The document does not exist.")
            disposition = f'file; filename="{parts[5]}.pdf"; documentid="{parts[5]}"'
            return (
                200,
                {"Content-Type": "application/pdf", "Content-Disposition": disposition},
                (document),
            )
        return error(400, "INVALID_REQUEST_PARAMETER", "Unknown resource.")

    def list_envelopes(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if not ({"envelope_ids", "from_date", "transaction_ids"} & set(query)):
            return error(400, "INVALID_REQUEST_PARAMETER", "from_date or envelope_ids is required.")
        ids = ",".join(query.get("envelope_ids", [])).split(",")
        found = [self.envelopes[i] for i in ids if i in self.envelopes]
        n = str(len(found))
        return json_body(
            200,
            {
                "envelopes": found,
                "resultSetSize": n,
                "totalSetSize": n,
                "startPosition": "0",
                "endPosition": str(max(len(found) - 1, 0)),
            },
        )

    def oauth(
        self, method: str, path: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        if method == "POST" and path == "/oauth/token":
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            form = urllib.parse.parse_qs(headers.get("x-body", ""))
            if headers.get("authorization") != f"Basic {basic}":
                return json_body(401, {"error": "invalid_client"})
            if form.get("grant_type") != ["authorization_code"] or form.get("code") != [GOOD_CODE]:
                return json_body(400, {"error": "invalid_grant", "error_description": "bad code"})
            return json_body(
                200,
                {
                    "access_token": TOKEN,
                    "token_type": "Bearer",
                    "refresh_token": "refresh-SECRET",
                    "expires_in": 28800,
                },
            )
        if method == "GET" and path == "/oauth/userinfo":
            if headers.get("authorization") != f"Bearer {TOKEN}":
                return json_body(401, {"error": "invalid_token"})
            return json_body(
                200,
                {
                    "sub": "user-guid",
                    "name": "Ada Lovelace",
                    "email": "ada@example.com",
                    "accounts": [
                        {
                            "account_id": "other-account",
                            "is_default": False,
                            "account_name": "Other",
                            "base_uri": "https://eu.docusign.net",
                        },
                        {
                            "account_id": ACCOUNT,
                            "is_default": True,
                            "account_name": "Volt Builders",
                            "base_uri": self.url,
                        },
                    ],
                },
            )
        return json_body(404, {"error": "not_found"})


def json_body(status: int, data: object) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data).encode()


def error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return json_body(status, {"errorCode": code, "message": message})


def make_handler(fake: FakeDocuSign) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def handle_any(self, method: str) -> None:
            split = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
            headers = {k.lower(): v for k, v in self.headers.items()}
            length = int(headers.get("content-length") or 0)
            if length:
                headers["x-body"] = self.rfile.read(length).decode()
            exchange = Exchange(method=method, path=split.path, query=query, headers=headers)
            with fake.lock:
                fake.exchanges.append(exchange)
                fault = fake.faults.pop(0) if fake.faults else None
            if fault is not None:
                time.sleep(fault.delay)
                status = fault.status
                out_headers = {"Content-Type": fault.content_type, **fault.headers}
                body = fault.body
            else:
                status, out_headers, body = fake.respond(method, split.path, query, headers)
            exchange.status, exchange.response_headers, exchange.body = status, out_headers, body
            try:
                self.send_response(status)
                for name, value in out_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def do_GET(self) -> None:
            self.handle_any("GET")

        def do_POST(self) -> None:
            self.handle_any("POST")

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeDocuSign]:
    """A fake DocuSign (API and account server) on 127.0.0.1, on a free port."""
    state = FakeDocuSign()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    server.block_on_close = False
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def sleeps() -> list[float]:
    """Every delay the adapter asked to sleep, instead of sleeping."""
    return []


def provider_for(
    fake: FakeDocuSign, sleeps: list[float], token: str = TOKEN, **options: Any
) -> DocuSignProvider:
    link = DocuSignLink(
        state=LinkState.LINKED, account_id=ACCOUNT, base_uri=fake.url, linked_at=NOW
    )
    options.setdefault("timeout", 2.0)
    return DocuSignProvider(link, access_token=lambda: token, sleep=sleeps.append, **options)


@pytest.fixture
def provider(fake: FakeDocuSign, sleeps: list[float]) -> Iterator[DocuSignProvider]:
    """A provider for the fake's account, with a recorded sleep."""
    with provider_for(fake, sleeps) as p:
        yield p


# -- operations -------------------------------------------------------------------------


def test_status_of_one_envelope(fake: FakeDocuSign, provider: DocuSignProvider) -> None:
    """One envelope's status and completion time come from GET …/envelopes/{id}."""
    fake.add("env-1", "completed", completed="2024-04-30T10:00:00.1234567Z")
    info = provider.envelope_status("env-1")
    assert info.status is EnvelopeStatus.COMPLETED
    assert info.completed_at == datetime(2024, 4, 30, 10, 0, 0, 123456, tzinfo=UTC)
    (exchange,) = fake.api()
    assert exchange.path == f"/restapi/v2.1/accounts/{ACCOUNT}/envelopes/env-1"
    assert exchange.headers["authorization"] == f"Bearer {TOKEN}"


def test_statuses_of_many_in_one_request(fake: FakeDocuSign, provider: DocuSignProvider) -> None:
    """Many statuses come from one GET …/envelopes?envelope_ids=…; unknown ids are absent."""
    fake.add("env-1", "completed")
    fake.add("env-2", "declined")
    statuses = provider.envelope_statuses(["env-1", "env-2", "env-9", "env-1"])
    assert {k: v.status for k, v in statuses.items()} == {
        "env-1": EnvelopeStatus.COMPLETED,
        "env-2": EnvelopeStatus.DECLINED,
    }
    (exchange,) = fake.api()
    assert exchange.query == {"envelope_ids": ["env-1,env-2,env-9"]}


def test_statuses_are_asked_in_batches_of_100(
    fake: FakeDocuSign, provider: DocuSignProvider
) -> None:
    """More than 100 envelope ids take several requests, none longer than 100 ids."""
    ids = [f"env-{n}" for n in range(150)]
    for envelope_id in ids[::10]:
        fake.add(envelope_id, "sent")
    assert set(provider.envelope_statuses(ids)) == set(ids[::10])
    sizes = [len(e.query["envelope_ids"][0].split(",")) for e in fake.api()]
    assert sizes == [100, 50]


def test_no_ids_make_no_request(fake: FakeDocuSign, provider: DocuSignProvider) -> None:
    """Asking for no statuses sends nothing (DocuSign would want a from_date)."""
    assert provider.envelope_statuses([]) == {}
    assert fake.exchanges == []


def test_signed_document_and_certificate(fake: FakeDocuSign, provider: DocuSignProvider) -> None:
    """The signed PDF is documents/combined without the certificate; the certificate apart."""
    fake.add("env-1", "completed", signed=pdf("signed"), certificate=pdf("certificate"))
    assert provider.signed_document("env-1") == pdf("signed")
    assert provider.certificate("env-1") == pdf("certificate")
    paths = [(e.path.rsplit("/", 2)[-2:], e.query) for e in fake.api()]
    assert paths == [
        (["documents", "combined"], {"certificate": ["false"]}),
        (["documents", "certificate"], {}),
    ]
    assert all(e.headers["accept"] == "application/pdf" for e in fake.api())


# -- faults -------------------------------------------------------------------------------


def rate_limited(retry_after: str = "2") -> Fault:
    body = json.dumps(
        {"errorCode": "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "message": "Too many requests."}
    ).encode()
    return Fault(status=429, headers={"Retry-After": retry_after}, body=body)


def server_error() -> Fault:
    return Fault(
        status=503, body=json.dumps({"errorCode": "UNAVAILABLE", "message": "Try later."}).encode()
    )


def test_429_waits_retry_after_then_succeeds(
    fake: FakeDocuSign, provider: DocuSignProvider, sleeps: list[float]
) -> None:
    """A 429 is retried after waiting at least its Retry-After."""
    fake.add("env-1", "sent")
    fake.faults.append(rate_limited("2"))
    assert provider.envelope_status("env-1").status is EnvelopeStatus.SENT
    assert sleeps == [2.0]
    assert [e.status for e in fake.api()] == [429, 200]


def test_429_forever_raises_rate_limited_after_every_attempt(
    fake: FakeDocuSign, sleeps: list[float]
) -> None:
    """A 429 that never clears ends in RateLimitedError after max_attempts requests."""
    fake.add("env-1", "sent")
    fake.faults.extend(rate_limited("1") for _ in range(10))
    with (
        provider_for(fake, sleeps, max_attempts=3, backoff=0.25) as p,
        pytest.raises(RateLimitedError) as caught,
    ):
        p.envelope_status("env-1")
    assert caught.value.attempts == 3
    assert caught.value.retry_after == 1.0
    assert len(fake.api()) == 3
    assert sleeps == [1.0, 1.0]  # max(Retry-After, 0.25 · 2ⁿ)


def test_backoff_doubles_without_retry_after(fake: FakeDocuSign, sleeps: list[float]) -> None:
    """Without Retry-After the waits double from the first backoff."""
    fake.add("env-1", "sent")
    fake.faults.extend(server_error() for _ in range(3))
    with provider_for(fake, sleeps, max_attempts=4, backoff=0.1) as p:
        assert p.envelope_status("env-1").status is EnvelopeStatus.SENT
    assert sleeps == pytest.approx([0.1, 0.2, 0.4])


def test_retry_after_beyond_max_delay_gives_up_at_once(
    fake: FakeDocuSign, sleeps: list[float]
) -> None:
    """A Retry-After longer than max_delay (an hourly limit) is not waited for."""
    fake.faults.append(rate_limited("3600"))
    with (
        provider_for(fake, sleeps, max_delay=30.0) as p,
        pytest.raises(RateLimitedError) as caught,
    ):
        p.envelope_status("env-1")
    assert (caught.value.attempts, caught.value.retry_after, sleeps) == (1, 3600.0, [])


def test_500_then_success(
    fake: FakeDocuSign, provider: DocuSignProvider, sleeps: list[float]
) -> None:
    """A 5xx is retried and the next answer is used."""
    fake.add("env-1", "delivered")
    fake.faults.append(
        Fault(status=500, body=b'{"errorCode":"UNSPECIFIED_ERROR","message":"oops"}')
    )
    assert provider.envelope_status("env-1").status is EnvelopeStatus.DELIVERED
    assert len(sleeps) == 1


def test_5xx_forever_is_a_transport_error(fake: FakeDocuSign, sleeps: list[float]) -> None:
    """A 5xx that never clears is a SignatureTransportError naming the status."""
    fake.faults.extend(server_error() for _ in range(5))
    with (
        provider_for(fake, sleeps, max_attempts=2) as p,
        pytest.raises(SignatureTransportError, match="503"),
    ):
        p.envelope_status("env-1")


def test_timeout_is_a_transport_error(fake: FakeDocuSign, sleeps: list[float]) -> None:
    """A server slower than the client timeout ends in SignatureTransportError."""
    fake.add("env-1", "sent")
    fake.faults.extend(Fault(status=200, body=b"{}", delay=0.6) for _ in range(2))
    with provider_for(fake, sleeps, timeout=0.15, max_attempts=2) as p:
        started = time.monotonic()
        with pytest.raises(SignatureTransportError, match="no answer within"):
            p.envelope_status("env-1")
    assert time.monotonic() - started < 2.0
    assert len(fake.api()) == 2


def test_truncated_pdf_is_a_transport_error(fake: FakeDocuSign, provider: DocuSignProvider) -> None:
    """A signed document without its %%EOF trailer is refused as truncated."""
    fake.add("env-1", "completed", signed=pdf("signed", complete=False))
    with pytest.raises(SignatureTransportError, match="truncated"):
        provider.signed_document("env-1")


def test_body_that_is_not_a_pdf_is_a_transport_error(
    fake: FakeDocuSign, provider: DocuSignProvider
) -> None:
    """An HTML page where a PDF was expected is refused."""
    fake.add("env-1", "completed", certificate=b"<html>maintenance</html>")
    with pytest.raises(SignatureTransportError, match="not a PDF"):
        provider.certificate("env-1")


def test_expired_token_is_an_auth_error_without_retry(
    fake: FakeDocuSign, sleeps: list[float]
) -> None:
    """A 401 for an expired token raises SignatureAuthError at once."""
    fake.add("env-1", "sent")
    with (
        provider_for(fake, sleeps, token="expired-SECRET-token") as p,
        pytest.raises(SignatureAuthError, match="refused"),
    ):
        p.envelope_status("env-1")
    assert len(fake.api()) == 1
    assert sleeps == []


def test_unknown_envelope_is_not_found(fake: FakeDocuSign, provider: DocuSignProvider) -> None:
    """DocuSign's ENVELOPE_DOES_NOT_EXIST becomes EnvelopeNotFoundError with the id."""
    with pytest.raises(EnvelopeNotFoundError) as caught:
        provider.envelope_status("env-404")
    assert caught.value.envelope_id == "env-404"


def test_http_404_is_not_found_too(fake: FakeDocuSign, provider: DocuSignProvider) -> None:
    """A plain 404 on an envelope's document is EnvelopeNotFoundError as well."""
    fake.faults.append(Fault(status=404, body=b'{"errorCode":"NOT_FOUND","message":"gone"}'))
    with pytest.raises(EnvelopeNotFoundError):
        provider.signed_document("env-1")


def test_envelope_ids_that_would_leave_the_path_are_refused(provider: DocuSignProvider) -> None:
    """An envelope id with a slash or '..' is refused before any request."""
    for bad in ("../x", "a/b", "..", ""):
        with pytest.raises(ValueError, match="not an envelope id"):
            provider.envelope_status(bad)


def test_unknown_status_value_is_a_transport_error(
    fake: FakeDocuSign, provider: DocuSignProvider
) -> None:
    """A status the library does not know is reported, not guessed."""
    fake.add("env-1", "processing")
    with pytest.raises(SignatureTransportError, match="processing"):
        provider.envelope_status("env-1")


def test_the_token_never_appears_in_errors_reprs_or_logs(
    fake: FakeDocuSign, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    """No error message, repr, cause or log line contains the access token."""
    caplog.set_level(logging.DEBUG)
    fake.add("env-1", "completed", signed=pdf("s", complete=False))
    texts: list[str] = []
    scenarios: list[tuple[str, list[Fault]]] = [
        ("env-1", [rate_limited("0") for _ in range(3)]),
        ("env-1", [server_error() for _ in range(3)]),
        ("env-1", [Fault(status=200, body=b"{}", delay=0.4) for _ in range(3)]),
        ("env-404", []),
        ("env-1", [Fault(status=401, body=json.dumps({"message": TOKEN}).encode())]),
    ]
    with provider_for(fake, sleeps, max_attempts=2, timeout=0.1) as p:
        texts.append(repr(p))
        for envelope_id, faults in scenarios:
            fake.faults[:] = faults
            with pytest.raises(SignatureProviderError) as caught:
                p.envelope_status(envelope_id)
            error = caught.value
            texts += [str(error), repr(error), repr(error.__cause__), repr(error.__context__)]
        with pytest.raises(SignatureTransportError) as caught:
            p.signed_document("env-1")
        texts += [str(caught.value), repr(caught.value)]
    texts += [r.getMessage() for r in caplog.records]
    assert len(texts) > 10
    assert not [t for t in texts if TOKEN in t]


# -- the cache ----------------------------------------------------------------------------


def test_cache_spares_a_second_download(fake: FakeDocuSign, sleeps: list[float]) -> None:
    """A completed envelope's documents are stored once and then read from the cache."""
    fake.add("env-1", "completed", signed=pdf("signed"), certificate=pdf("cert"))
    cache = InMemoryStore()
    with provider_for(fake, sleeps, cache=cache) as p:
        assert p.envelope_statuses(["env-1"])["env-1"].is_complete
        assert p.signed_document("env-1") == pdf("signed")
        assert p.certificate("env-1") == pdf("cert")
    assert cache.read_bytes(cache_key("env-1", "signed")) == pdf("signed")
    assert cache.read_bytes(cache_key("env-1", "certificate")) == pdf("cert")
    before = len(fake.exchanges)
    with provider_for(fake, sleeps, cache=cache) as again:
        assert again.signed_document("env-1") == pdf("signed")
        assert again.certificate("env-1") == pdf("cert")
    assert len(fake.exchanges) == before


def test_cache_checks_completion_before_storing(fake: FakeDocuSign, sleeps: list[float]) -> None:
    """Without a known status, the adapter asks once whether the envelope is completed."""
    fake.add("env-1", "completed", signed=pdf("signed"))
    cache = InMemoryStore()
    with provider_for(fake, sleeps, cache=cache) as p:
        p.signed_document("env-1")
        p.signed_document("env-1")
    assert [e.path.rsplit("/", 1)[-1] for e in fake.api()] == ["combined", "env-1"]


def test_documents_of_an_unfinished_envelope_are_never_cached(
    fake: FakeDocuSign, sleeps: list[float]
) -> None:
    """A signed-but-not-completed envelope's document is downloaded each time, never stored."""
    fake.add("env-1", "signed", signed=pdf("partial"))
    cache = InMemoryStore()
    with provider_for(fake, sleeps, cache=cache) as p:
        assert p.signed_document("env-1") == pdf("partial")
        assert p.signed_document("env-1") == pdf("partial")
    assert not cache.exists(cache_key("env-1", "signed"))
    assert sum(e.path.endswith("/combined") for e in fake.api()) == 2


# -- construction and linking -------------------------------------------------------------


def test_a_provider_needs_a_linked_account() -> None:
    """A link that is not linked cannot address the API."""
    for link in (
        DocuSignLink(),
        DocuSignLink(
            state=LinkState.REAUTHENTICATION_REQUIRED, account_id="a", base_uri="https://x"
        ),
    ):
        with pytest.raises(ValueError, match="linked account"):
            DocuSignProvider(link, access_token=lambda: TOKEN)


def oauth_for(fake: FakeDocuSign) -> DocuSignOAuth:
    return DocuSignOAuth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri="https://host.example/docusign/callback",
        account_server=fake.url,
    )


def test_consent_url_of_the_authorization_code_grant() -> None:
    """The consent URL asks the account server for a code with the signature scope."""
    oauth = DocuSignOAuth(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri="https://h.example/cb"
    )
    url = urllib.parse.urlsplit(oauth.consent_url(state="xyz"))
    assert (url.scheme, url.netloc, url.path) == ("https", "account-d.docusign.com", "/oauth/auth")
    assert urllib.parse.parse_qs(url.query) == {
        "response_type": ["code"],
        "scope": ["signature"],
        "client_id": [CLIENT_ID],
        "redirect_uri": ["https://h.example/cb"],
        "state": ["xyz"],
    }
    assert CLIENT_SECRET not in repr(oauth)


def test_complete_link_yields_a_linked_account(fake: FakeDocuSign) -> None:
    """The code exchange and user info give a linked link on the default account."""
    result = oauth_for(fake).complete_link(GOOD_CODE, now=NOW)
    assert result.link.state is LinkState.LINKED
    assert (result.link.account_id, result.link.base_uri) == (ACCOUNT, fake.url)
    assert result.link.linked_at == result.link.last_used_at == NOW
    assert result.tokens.access_token == TOKEN
    assert TOKEN not in repr(result)
    assert "refresh-SECRET" not in repr(result)
    token_call, info_call = fake.exchanges
    assert (token_call.method, token_call.path, info_call.path) == (
        "POST",
        "/oauth/token",
        "/oauth/userinfo",
    )


def test_complete_link_reauthenticates_a_stale_link(fake: FakeDocuSign) -> None:
    """A link awaiting re-authentication becomes linked again, on the account chosen."""
    stale = DocuSignLink(
        state=LinkState.REAUTHENTICATION_REQUIRED,
        account_id=ACCOUNT,
        base_uri="https://old.example",
        linked_at=datetime(2023, 1, 1, tzinfo=UTC),
    )
    result = oauth_for(fake).complete_link(
        GOOD_CODE, now=NOW, current=stale, account_id="other-account"
    )
    assert result.link.state is LinkState.LINKED
    assert result.link.base_uri == "https://eu.docusign.net"
    with pytest.raises(InvalidTransitionError):
        oauth_for(fake).complete_link(GOOD_CODE, now=NOW, current=result.link)


def test_a_refused_code_is_an_auth_error_that_hides_secrets(fake: FakeDocuSign) -> None:
    """A bad code is SignatureAuthError; neither code nor client secret is in its text."""
    with pytest.raises(SignatureAuthError, match="invalid_grant") as caught:
        oauth_for(fake).exchange_code("code-SECRET-bad")
    text = str(caught.value) + repr(caught.value)
    assert "code-SECRET-bad" not in text
    assert CLIENT_SECRET not in text


def test_user_info_refuses_a_bad_token(fake: FakeDocuSign) -> None:
    """User info with a refused token is SignatureAuthError."""
    with pytest.raises(SignatureAuthError):
        oauth_for(fake).user_info("nope")


def test_token_grant_repr_hides_tokens() -> None:
    """A TokenGrant's repr shows neither token."""
    grant = TokenGrant(access_token=TOKEN, refresh_token="refresh-SECRET")
    assert TOKEN not in repr(grant)
    assert "refresh-SECRET" not in repr(grant)


# -- conformance to DocuSign's published API description ----------------------------------


@functools.cache
def swagger(path: str) -> Any:
    """DocuSign's Swagger file loaded by schemathesis.

    One quirk of the published file is patched in memory: ``#/definitions/offlineAttributes``
    is referenced (from recipients, inside ``envelope``) but never defined, which leaves
    schemathesis unable to build the envelope schemas at all (it would then validate
    nothing). It is defined as "any object".
    """
    schemathesis = pytest.importorskip("schemathesis")
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    raw["definitions"].setdefault("offlineAttributes", {"type": "object"})
    return schemathesis.openapi.from_dict(raw)


class Conformance:
    """Checks exchanges against the Swagger file."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema

    def operation(self, exchange: Exchange) -> Any:
        assert exchange.path.startswith("/restapi/"), exchange.path
        operation = self.schema.find_operation_by_path(
            exchange.method, exchange.path.removeprefix("/restapi")
        )
        assert operation is not None, f"no operation {exchange.method} {exchange.path}"
        return operation

    def check_request(self, exchange: Exchange) -> None:
        operation = self.operation(exchange)
        known = {parameter.name for parameter in operation.query}
        unknown = set(exchange.query) - known
        assert not unknown, f"{operation.label}: unknown query parameters {sorted(unknown)}"
        if operation.definition.raw.get("operationId") == "Envelopes_GetEnvelopes":
            assert {"from_date", "envelope_ids", "transaction_ids"} & set(exchange.query)

    def check_response(self, exchange: Exchange) -> None:
        import requests  # schemathesis' own dependency, for its Response type
        from schemathesis import Response

        operation = self.operation(exchange)
        # Only 200 and 400 are documented; every other error carries the same errorDetails.
        status = 200 if exchange.status < 300 else 400
        content_type = exchange.response_headers.get("Content-Type", "")
        if content_type.startswith("application/pdf"):
            assert status == 200
            assert exchange.body.startswith(b"%PDF-")
            assert "application/pdf" in operation.definition.raw.get("produces", [])
            return
        resolved = operation.responses.find_by_status_code(status).get_schema(None)
        assert resolved.schema is not None, f"{operation.label} {status}: no schema to validate"
        request = requests.Request("GET", f"http://127.0.0.1{exchange.path}").prepare()
        response = Response(
            status_code=status,
            headers={k.lower(): [v] for k, v in exchange.response_headers.items()},
            content=exchange.body,
            request=request,
            elapsed=0.0,
            verify=True,
        )
        operation.validate_response(response)

    def check(self, exchanges: list[Exchange]) -> None:
        assert exchanges
        for exchange in exchanges:
            self.check_request(exchange)
            self.check_response(exchange)


@pytest.fixture
def conformance(shared_dir: Path) -> Conformance:
    """A checker for DocuSign's Swagger file, or skip where ../shared is absent."""
    return Conformance(swagger(str(shared_dir / "docusign" / "esignature.rest.swagger-v2.1.json")))


@pytest.mark.docusign_schema
def test_every_exchange_matches_the_swagger(
    fake: FakeDocuSign, sleeps: list[float], conformance: Conformance
) -> None:
    """Every request is a Swagger operation and every response validates against it."""
    fake.add("env-1", "completed", completed="2024-04-30T10:00:00Z", signed=pdf("s"))
    fake.add("env-2", "voided")
    fake.documents[("env-1", "certificate")] = pdf("c")
    cache = InMemoryStore()
    with provider_for(fake, sleeps, cache=cache, max_attempts=2) as p:
        p.envelope_status("env-1")
        p.envelope_statuses(["env-1", "env-2", "env-3"])
        p.signed_document("env-1")
        p.certificate("env-1")
    with provider_for(fake, sleeps, max_attempts=3) as p:
        fake.faults += [rate_limited("0"), server_error()]
        p.envelope_status("env-2")  # 429, then 503, then the envelope
        with pytest.raises(EnvelopeNotFoundError):
            p.envelope_status("env-9")
        with pytest.raises(EnvelopeNotFoundError):
            p.signed_document("env-9")
    with provider_for(fake, sleeps, token="expired") as p, pytest.raises(SignatureAuthError):
        p.envelope_statuses(["env-1"])
    statuses = {e.status for e in fake.api()}
    assert {200, 400, 401, 429, 503} <= statuses
    conformance.check(fake.api())


@pytest.mark.docusign_schema
def test_the_conformance_check_can_fail(conformance: Conformance) -> None:
    """A wrongly typed envelope, an unknown path or an unknown query parameter is caught."""
    bad_body = Exchange(
        method="GET",
        path=f"/restapi/v2.1/accounts/{ACCOUNT}/envelopes/env-1",
        query={},
        headers={},
        status=200,
        response_headers={"Content-Type": "application/json"},
        body=json.dumps({"envelopeId": 7, "status": ["completed"]}).encode(),
    )
    with pytest.raises(BaseExceptionGroup) as caught:  # schemathesis' FailureGroup
        conformance.check_response(bad_body)
    messages = " ".join(str(e) for e in caught.value.exceptions)
    assert len(caught.value.exceptions) == 2
    assert "7 is not of type" in messages
    with pytest.raises(AssertionError, match="unknown query"):
        conformance.check_request(attrs.evolve(bad_body, query={"statuses": ["x"]}))
    with pytest.raises(AssertionError, match="no operation"):
        conformance.check_request(attrs.evolve(bad_body, path="/restapi/v2.1/nowhere/at/all/x"))
    listing = attrs.evolve(bad_body, path=f"/restapi/v2.1/accounts/{ACCOUNT}/envelopes")
    with pytest.raises(AssertionError):
        conformance.check_request(listing)  # neither from_date nor envelope_ids
