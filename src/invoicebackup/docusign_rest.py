"""The real DocuSign adapter: the eSignature REST API v2.1 over httpx.

Install the ``docusign`` extra (``pip install "invoicebackup[docusign]"``) to use it.
:class:`DocuSignProvider` implements :class:`~invoicebackup.docusign.SignatureProvider`
with four operations of the eSignature REST API::

    GET /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}
    GET /restapi/v2.1/accounts/{accountId}/envelopes?envelope_ids=…
    GET /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}/documents/combined
    GET /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}/documents/certificate

Every request has a timeout; a ``429`` or a ``5xx`` (and a timeout or a dropped
connection: every call is a ``GET``, safe to repeat) is retried with exponential
backoff, waiting at least what ``Retry-After`` asks. Errors are translated once, at
this boundary, into :mod:`invoicebackup.errors`; access tokens never appear in a log
line, a repr or an error message.

:class:`DocuSignOAuth` links an account: the consent URL of the authorization-code
grant, the code exchange (``POST /oauth/token``) and the user-info call
(``GET /oauth/userinfo``) that yields the account id and base URI.

Longer than 800 lines because it is the one boundary to DocuSign's REST API (OAuth,
retries, the four operations, error translation in one place), and a third of it is
docstrings.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import base64
import email.utils
import logging
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final

import attrs
import httpx

from .docusign import EnvelopeInfo, is_complete, link_account, reauthenticate
from .domain import DocuSignLink, EnvelopeStatus, LinkState
from .errors import (
    DocumentExistsError,
    DocumentStoreError,
    EnvelopeNotFoundError,
    RateLimitedError,
    SignatureAuthError,
    SignatureProviderError,
    SignatureTransportError,
)
from .storage import DocumentStore

__all__ = [
    "DEFAULT_ACCOUNT_SERVER",
    "DocuSignAccount",
    "DocuSignOAuth",
    "DocuSignProvider",
    "LinkResult",
    "TokenGrant",
    "UserInfo",
    "cache_key",
]

_log = logging.getLogger(__name__)

#: The account server of DocuSign's developer (demo) environment; production is
#: ``account.docusign.com``.
DEFAULT_ACCOUNT_SERVER: Final = "account-d.docusign.com"

_API: Final = "/restapi/v2.1"
_USER_AGENT: Final = "invoicebackup/0.1.0 (+docusign_rest)"
#: Envelope ids per status request; DocuSign's lists hold up to 100 envelopes a page.
_BATCH: Final = 100
#: errorCode values DocuSign sends (with HTTP 400 or 401) for a refused token.
_AUTH_CODES: Final = frozenset(
    {"AUTHORIZATION_INVALID_TOKEN", "USER_AUTHENTICATION_FAILED", "PARTNER_AUTHENTICATION_FAILED"}
)
#: errorCode values for an envelope the account does not hold.
_NOT_FOUND_CODES: Final = frozenset({"ENVELOPE_DOES_NOT_EXIST", "ENVELOPE_NOT_FOUND"})
#: errorCode values DocuSign sends (with HTTP 400) when an API limit is reached.
_RATE_CODES: Final = frozenset(
    {"HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "BURST_APIINVOCATION_LIMIT_EXCEEDED"}
)


def cache_key(envelope_id: str, document: str) -> str:
    """The document-store key of a completed envelope's document.

    Args:
        envelope_id: The envelope.
        document: ``"signed"`` or ``"certificate"``.

    >>> from invoicebackup.docusign_rest import cache_key
    >>> cache_key("3f2c", "signed")
    'docusign/3f2c/signed.pdf'

    .. versionadded:: 0.1.0
    """
    return f"docusign/{envelope_id}/{document}.pdf"


def _check_envelope_id(envelope_id: str) -> str:
    if (
        not isinstance(envelope_id, str)
        or not envelope_id.strip()
        or envelope_id in (".", "..")
        or any(c in envelope_id for c in "/\\?#")
    ):
        raise ValueError(f"not an envelope id: {envelope_id!r}")
    return envelope_id


def _check_pdf(body: bytes, what: str) -> bytes:
    if not body:
        raise SignatureTransportError(f"{what}: the body is empty, not a PDF")
    if b"%PDF-" not in body[:1024]:
        raise SignatureTransportError(f"{what}: the body is not a PDF (no %PDF- header)")
    if b"%%EOF" not in body[-1024:]:
        raise SignatureTransportError(
            f"{what}: the PDF is truncated (no %%EOF marker at its end, {len(body)} bytes)"
        )
    return body


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_details(response: httpx.Response) -> tuple[str, str]:
    """DocuSign's ``errorDetails`` (``errorCode``, ``message``), or empty strings."""
    try:
        data = response.json()
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    code = data.get("errorCode") or data.get("error") or ""
    message = data.get("message") or data.get("error_description") or ""
    return str(code), str(message)


def _parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _envelope_info(data: object, where: str) -> EnvelopeInfo:
    if not isinstance(data, dict):
        raise SignatureTransportError(f"{where}: expected an envelope object")
    envelope_id = data.get("envelopeId")
    status = data.get("status")
    if not isinstance(envelope_id, str) or not isinstance(status, str):
        raise SignatureTransportError(f"{where}: the envelope has no envelopeId or status")
    try:
        return EnvelopeInfo(
            envelope_id=envelope_id,
            status=EnvelopeStatus(status),
            completed_at=_parse_datetime(data.get("completedDateTime")),
        )
    except ValueError as exc:
        raise SignatureTransportError(f"{where}: envelope {envelope_id!r}: {exc}") from None


class _Scrubber:
    """Removes the secrets seen so far from any text about to leave the adapter."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def remember(self, secret: str) -> None:
        if secret:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


class DocuSignProvider:
    """A :class:`~invoicebackup.docusign.SignatureProvider` for DocuSign's eSignature REST API.

    Args:
        link: The user's linked account: its base URI and account id address the API.
        access_token: Returns a valid OAuth access token; called before every request,
            so it may refresh tokens. The token is never logged nor shown.
        cache: Where to keep completed envelopes' documents (a completed envelope
            never changes): under :func:`cache_key`, written on first download and
            read instead of downloading afterwards. Documents of an envelope that is
            not completed are never cached.
        timeout: Seconds allowed for connecting and for each read.
        max_attempts: Requests made at most per operation (the first one included).
        backoff: The first retry's delay in seconds; it doubles on each retry.
        max_delay: The longest wait between attempts; a ``Retry-After`` beyond it
            ends the retries at once.
        sleep: How to wait between attempts (tests pass a recorder).
        transport: An httpx transport to use instead of the network.

    Raises:
        ValueError: The link is not linked (no account, or awaiting re-authentication).

    Example:
        >>> import httpx
        >>> from invoicebackup import DocuSignLink, LinkState, SignatureProvider
        >>> from invoicebackup.docusign_rest import DocuSignProvider
        >>> link = DocuSignLink(state=LinkState.LINKED, account_id="a-1",
        ...                     base_uri="https://demo.docusign.net")
        >>> def docusign(request):   # stands in for the eSignature REST API: no network
        ...     return httpx.Response(200, json={"envelopeId": "env-1", "status": "Completed",
        ...                                      "completedDateTime": "2024-06-01T10:00:00Z"})
        >>> with DocuSignProvider(link, access_token=lambda: "secret-token",
        ...                       transport=httpx.MockTransport(docusign)) as provider:
        ...     info = provider.envelope_status("env-1")
        >>> isinstance(provider, SignatureProvider), info.is_complete, info.completed_at.isoformat()
        (True, True, '2024-06-01T10:00:00+00:00')
        >>> try:
        ...     DocuSignProvider(DocuSignLink(), access_token=lambda: "secret-token")
        ... except ValueError as error:
        ...     print(error)
        a DocuSign provider needs a linked account; this link is not_linked

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        link: DocuSignLink,
        *,
        access_token: Callable[[], str],
        cache: DocumentStore | None = None,
        timeout: float = 30.0,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_delay: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if link.state is not LinkState.LINKED or not link.account_id or not link.base_uri:
            raise ValueError(
                f"a DocuSign provider needs a linked account; this link is {link.state.value}"
            )
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self._account_id = link.account_id
        self._base_uri = link.base_uri.rstrip("/")
        self._access_token = access_token
        self._cache = cache
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._max_delay = max_delay
        self._sleep = sleep
        self._scrub = _Scrubber()
        self._completed: set[str] = set()
        self._client = httpx.Client(
            base_url=self._base_uri,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"User-Agent": _USER_AGENT},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return (
            f"DocuSignProvider(base_uri={self._base_uri!r}, account_id={self._account_id!r}, "
            f"cache={type(self._cache).__name__ if self._cache is not None else None})"
        )

    def __enter__(self) -> DocuSignProvider:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    # -- the SignatureProvider protocol ----------------------------------------------

    def envelope_status(self, envelope_id: str) -> EnvelopeInfo:
        """The status of one envelope (``GET …/envelopes/{envelopeId}``).

        Raises:
            EnvelopeNotFoundError: The account holds no such envelope.
            SignatureAuthError: The access token was refused.
            RateLimitedError: Still rate-limited after every attempt.
            SignatureTransportError: Timeouts, 5xx, or an answer that is not an envelope.
        """
        path = self._envelope_path(envelope_id)
        response = self._get(path, envelope_id=envelope_id)
        info = _envelope_info(self._json(response, path), f"GET {path}")
        self._remember(info)
        return info

    def envelope_statuses(self, envelope_ids: Sequence[str]) -> Mapping[str, EnvelopeInfo]:
        """The status of many envelopes (``GET …/envelopes?envelope_ids=…``), 100 a request.

        An envelope the account does not hold is absent from the mapping. Raises as
        :meth:`envelope_status` does, except for unknown envelopes.
        """
        wanted = list(dict.fromkeys(_check_envelope_id(i) for i in envelope_ids))
        found: dict[str, EnvelopeInfo] = {}
        path = f"{_API}/accounts/{self._quoted_account}/envelopes"
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            response = self._get(path, params={"envelope_ids": ",".join(batch)})
            data = self._json(response, path)
            envelopes = data.get("envelopes") if isinstance(data, dict) else None
            if envelopes is None:
                continue
            if not isinstance(envelopes, list):
                raise SignatureTransportError(f"GET {path}: envelopes is not a list")
            for item in envelopes:
                info = _envelope_info(item, f"GET {path}")
                if info.envelope_id in batch:
                    found[info.envelope_id] = info
                    self._remember(info)
        return found

    def signed_document(self, envelope_id: str) -> bytes:
        """The envelope's documents as one signed PDF (``…/documents/combined``).

        The certificate of completion is left out (``certificate=false``) whatever
        the account's settings; ask :meth:`certificate` for it.

        Raises:
            EnvelopeNotFoundError: The account holds no such envelope.
            SignatureTransportError: The body is not a whole PDF, or the service failed.
        """
        return self._document(envelope_id, "combined", "signed", {"certificate": "false"})

    def certificate(self, envelope_id: str) -> bytes:
        """The certificate of completion, as a PDF (``…/documents/certificate``).

        Raises:
            EnvelopeNotFoundError: The account holds no such envelope.
            SignatureTransportError: The body is not a whole PDF, or the service failed.
        """
        return self._document(envelope_id, "certificate", "certificate", None)

    # -- internals --------------------------------------------------------------------

    @property
    def _quoted_account(self) -> str:
        return urllib.parse.quote(self._account_id, safe="")

    def _envelope_path(self, envelope_id: str) -> str:
        quoted = urllib.parse.quote(_check_envelope_id(envelope_id), safe="")
        return f"{_API}/accounts/{self._quoted_account}/envelopes/{quoted}"

    def _remember(self, info: EnvelopeInfo) -> None:
        if is_complete(info.status):
            self._completed.add(info.envelope_id)

    def _document(
        self, envelope_id: str, document_id: str, name: str, params: Mapping[str, str] | None
    ) -> bytes:
        path = f"{self._envelope_path(envelope_id)}/documents/{document_id}"
        key = cache_key(envelope_id, name)
        if self._cache is not None:
            try:
                if self._cache.exists(key):
                    return self._cache.read_bytes(key)
            except DocumentStoreError as exc:
                _log.warning("DocuSign cache: cannot read %s (%s); downloading", key, exc.reason)
        response = self._get(path, params=params, envelope_id=envelope_id, accept="application/pdf")
        body = _check_pdf(response.content, f"GET {path}")
        if self._cache is not None and self._is_completed(envelope_id):
            try:
                with self._cache.create(key) as stream:
                    stream.write(body)
            except DocumentExistsError:
                pass  # another compile cached it meanwhile; the documents are the same
            except DocumentStoreError as exc:
                _log.warning("DocuSign cache: cannot write %s (%s)", key, exc.reason)
        return body

    def _is_completed(self, envelope_id: str) -> bool:
        if envelope_id not in self._completed:
            self.envelope_status(envelope_id)
        return envelope_id in self._completed

    def _json(self, response: httpx.Response, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise SignatureTransportError(f"GET {path}: the body is not JSON") from None

    def _get(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        envelope_id: str | None = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        what = f"GET {path}"
        attempt = 0
        while True:
            attempt += 1
            token = self._access_token()
            self._scrub.remember(token)
            retry_after: float | None = None
            try:
                response = self._client.get(
                    path,
                    params=params,
                    headers={"Authorization": f"Bearer {token}", "Accept": accept},
                )
            except httpx.TimeoutException:
                failure: SignatureProviderError = SignatureTransportError(
                    f"{what}: no answer within {self._timeout:g} s (attempt {attempt})"
                )
            except httpx.TransportError as exc:
                failure = SignatureTransportError(
                    self._scrub(f"{what}: {type(exc).__name__}: {exc} (attempt {attempt})")
                )
            else:
                status = response.status_code
                _log.debug("%s -> %d (attempt %d)", what, status, attempt)
                if status < 300:
                    return response
                code, message = _error_details(response)
                retry_after = _retry_after(response)
                if status == 429 or code in _RATE_CODES:
                    failure = RateLimitedError(attempts=attempt, retry_after=retry_after)
                elif status >= 500:
                    failure = SignatureTransportError(
                        self._scrub(f"{what}: HTTP {status} {code} {message}".rstrip())
                    )
                else:
                    raise self._client_error(what, status, code, message, envelope_id)
            if attempt >= self._max_attempts:
                raise failure
            delay = min(self._backoff * 2 ** (attempt - 1), self._max_delay)
            if retry_after is not None:
                if retry_after > self._max_delay:
                    raise failure
                delay = max(delay, retry_after)
            _log.info("%s: retrying in %.3g s (%s)", what, delay, type(failure).__name__)
            self._sleep(delay)

    def _client_error(
        self, what: str, status: int, code: str, message: str, envelope_id: str | None
    ) -> SignatureProviderError:
        detail = self._scrub(f"HTTP {status} {code} {message}".rstrip())
        if status == 401 or code in _AUTH_CODES:
            return SignatureAuthError(f"{what}: the access token was refused ({detail})")
        if envelope_id is not None and (status == 404 or code in _NOT_FOUND_CODES):
            return EnvelopeNotFoundError(envelope_id)
        return SignatureProviderError(f"{what}: {detail}")


# -- linking an account --------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TokenGrant:
    """The tokens DocuSign granted; their values never appear in a repr.

    Attributes:
        access_token: The access token for API calls.
        token_type: Its type (``Bearer``).
        expires_in: Its lifetime in seconds, if DocuSign said.
        refresh_token: A token to get new access tokens with, if DocuSign gave one.

    Example:
        >>> from invoicebackup.docusign_rest import TokenGrant
        >>> TokenGrant(access_token="eyJ0eXAi", expires_in=28800, refresh_token="r-1")
        TokenGrant(token_type='Bearer', expires_in=28800)

    .. versionadded:: 0.1.0
    """

    access_token: str = attrs.field(repr=False)
    token_type: str = "Bearer"
    expires_in: int | None = None
    refresh_token: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class DocuSignAccount:
    """One DocuSign account a user can act in.

    Attributes:
        account_id: Its id (a GUID).
        account_name: Its name.
        base_uri: Its REST base URI (``https://demo.docusign.net``).
        is_default: Whether it is the user's default account.

    Example:
        >>> from invoicebackup.docusign_rest import DocuSignAccount, UserInfo
        >>> account = DocuSignAccount(account_id="a-1", base_uri="https://demo.docusign.net")
        >>> account.account_name, account.is_default
        ('', False)
        >>> UserInfo(sub="u-1", accounts=(account,)).account() is account   # the only one
        True

    .. versionadded:: 0.1.0
    """

    account_id: str
    account_name: str = ""
    base_uri: str
    is_default: bool = False


@attrs.frozen(kw_only=True)
class UserInfo:
    """What ``GET /oauth/userinfo`` says of the user.

    Example:
        >>> from invoicebackup import SignatureProviderError
        >>> from invoicebackup.docusign_rest import DocuSignAccount, UserInfo
        >>> user = UserInfo(sub="u-1", accounts=(
        ...     DocuSignAccount(account_id="a-1", base_uri="https://demo.docusign.net"),
        ...     DocuSignAccount(account_id="a-2", base_uri="https://eu.docusign.net",
        ...                     is_default=True)))
        >>> user.account().account_id, user.account("a-1").base_uri
        ('a-2', 'https://demo.docusign.net')
        >>> try:
        ...     user.account("a-9")
        ... except SignatureProviderError as error:
        ...     print(error)
        the DocuSign user has no account 'a-9'

    .. versionadded:: 0.1.0
    """

    sub: str
    name: str = ""
    email: str = ""
    accounts: tuple[DocuSignAccount, ...] = ()

    def account(self, account_id: str | None = None) -> DocuSignAccount:
        """The account *account_id*, else the default one, else the first one.

        Raises:
            SignatureProviderError: No such account (or none at all).
        """
        if account_id is not None:
            for account in self.accounts:
                if account.account_id == account_id:
                    return account
            raise SignatureProviderError(f"the DocuSign user has no account {account_id!r}")
        for account in self.accounts:
            if account.is_default:
                return account
        if not self.accounts:
            raise SignatureProviderError("the DocuSign user has no account")
        return self.accounts[0]


@attrs.frozen(kw_only=True)
class LinkResult:
    """A completed link: the user's new account link and the tokens to keep.

    Example:
        >>> import httpx
        >>> from datetime import UTC, datetime
        >>> from invoicebackup.docusign_rest import DocuSignOAuth
        >>> def docusign(request):   # stands in for DocuSign's account server: no network
        ...     if request.url.path == "/oauth/token":
        ...         return httpx.Response(200, json={"access_token": "t-1", "expires_in": 28800})
        ...     return httpx.Response(200, json={"sub": "u-1", "accounts": [
        ...         {"account_id": "a-1", "base_uri": "https://demo.docusign.net"}]})
        >>> oauth = DocuSignOAuth(client_id="ik-1", client_secret="s3cret",
        ...                       redirect_uri="https://app.example/cb",
        ...                       transport=httpx.MockTransport(docusign))
        >>> result = oauth.complete_link("code-1", now=datetime(2024, 6, 1, tzinfo=UTC))
        >>> result.link.state.value, result.link.account_id, result.user.sub
        ('linked', 'a-1', 'u-1')
        >>> result.tokens   # the tokens to keep; their values are never shown
        TokenGrant(token_type='Bearer', expires_in=28800)

    .. versionadded:: 0.1.0
    """

    link: DocuSignLink
    tokens: TokenGrant
    user: UserInfo


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if isinstance(value, int | str) else None
    except ValueError:
        return None


def _server_url(account_server: str) -> str:
    server = account_server.rstrip("/")
    return server if "://" in server else f"https://{server}"


@attrs.frozen(kw_only=True)
class DocuSignOAuth:
    """The host's integration with DocuSign's authorization-code grant.

    Attributes:
        client_id: The integration key.
        client_secret: The integration's secret key; never shown.
        redirect_uri: Where DocuSign sends the user back with a code.
        account_server: The account server's host (``account-d.docusign.com`` for
            the developer environment, ``account.docusign.com`` for production) or a
            full base URL (``http://127.0.0.1:8080``, for tests).
        scopes: The scopes asked for.
        timeout: Seconds allowed per request.
        transport: An httpx transport to use instead of the network.

    Example:
        >>> import urllib.parse
        >>> from invoicebackup.docusign_rest import DocuSignOAuth
        >>> oauth = DocuSignOAuth(client_id="ik-1", client_secret="s3cret",
        ...                       redirect_uri="https://app.example/cb")
        >>> "s3cret" in repr(oauth)
        False
        >>> url = urllib.parse.urlsplit(oauth.consent_url(state="x7Qz"))
        >>> url.netloc, url.path
        ('account-d.docusign.com', '/oauth/auth')
        >>> for name, value in urllib.parse.parse_qsl(url.query):
        ...     print(name, value)
        response_type code
        scope signature
        client_id ik-1
        redirect_uri https://app.example/cb
        state x7Qz

    .. versionadded:: 0.1.0
    """

    client_id: str
    client_secret: str = attrs.field(repr=False)
    redirect_uri: str
    account_server: str = DEFAULT_ACCOUNT_SERVER
    scopes: tuple[str, ...] = ("signature",)
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = attrs.field(default=None, repr=False, eq=False)

    def consent_url(self, *, state: str) -> str:
        """Where to send the user to grant consent.

        Args:
            state: An unguessable value to check when DocuSign redirects back.
        """
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "scope": " ".join(self.scopes),
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "state": state,
            }
        )
        return f"{_server_url(self.account_server)}/oauth/auth?{query}"

    def exchange_code(self, code: str) -> TokenGrant:
        """Exchange the authorization code for tokens (``POST /oauth/token``).

        Raises:
            SignatureAuthError: DocuSign refused the code or the client credentials.
            SignatureTransportError: DocuSign could not be reached or answered nonsense.
        """
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        data = self._call(
            "POST",
            "/oauth/token",
            secrets=(code, self.client_secret, basic),
            headers={"Authorization": f"Basic {basic}"},
            data={"grant_type": "authorization_code", "code": code},
        )
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise SignatureTransportError("POST /oauth/token: the answer has no access_token")
        expires = data.get("expires_in")
        refresh = data.get("refresh_token")
        return TokenGrant(
            access_token=token,
            token_type=str(data.get("token_type") or "Bearer"),
            expires_in=_int_or_none(expires),
            refresh_token=refresh if isinstance(refresh, str) else None,
        )

    def user_info(self, access_token: str) -> UserInfo:
        """Who the token belongs to and their accounts (``GET /oauth/userinfo``).

        Raises:
            SignatureAuthError: DocuSign refused the token.
            SignatureTransportError: DocuSign could not be reached or answered nonsense.
        """
        data = self._call(
            "GET",
            "/oauth/userinfo",
            secrets=(access_token,),
            headers={"Authorization": f"Bearer {access_token}"},
        )
        accounts = []
        for item in data.get("accounts") or ():
            if not isinstance(item, dict):
                continue
            account_id, base_uri = item.get("account_id"), item.get("base_uri")
            if not isinstance(account_id, str) or not isinstance(base_uri, str):
                continue
            accounts.append(
                DocuSignAccount(
                    account_id=account_id,
                    account_name=str(item.get("account_name") or ""),
                    base_uri=base_uri,
                    is_default=item.get("is_default") in (True, "true", "True"),
                )
            )
        return UserInfo(
            sub=str(data.get("sub") or ""),
            name=str(data.get("name") or ""),
            email=str(data.get("email") or ""),
            accounts=tuple(accounts),
        )

    def complete_link(
        self,
        code: str,
        *,
        now: datetime,
        current: DocuSignLink = DocuSignLink(),  # noqa: B008 - a frozen value
        account_id: str | None = None,
    ) -> LinkResult:
        """Finish linking: exchange *code*, read the user's account, move the link.

        Args:
            code: The authorization code DocuSign redirected back with.
            now: When consent was granted.
            current: The user's link now: not linked (the event is ``grant``) or
                awaiting re-authentication (``reauthenticate``).
            account_id: The account to link; the user's default account when ``None``.

        Returns:
            The link, in state linked, with the tokens to store and the user's info.

        Raises:
            InvalidTransitionError: *current* is already linked.
            SignatureAuthError: DocuSign refused the code.
        """
        tokens = self.exchange_code(code)
        info = self.user_info(tokens.access_token)
        account = info.account(account_id)
        if current.state is LinkState.REAUTHENTICATION_REQUIRED:
            link = reauthenticate(
                current, now=now, account_id=account.account_id, base_uri=account.base_uri
            )
        else:
            link = link_account(
                current, account_id=account.account_id, base_uri=account.base_uri, now=now
            )
        return LinkResult(link=link, tokens=tokens, user=info)

    def _call(
        self,
        method: str,
        path: str,
        *,
        secrets: Sequence[str],
        headers: Mapping[str, str],
        data: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        scrub = _Scrubber()
        for secret in secrets:
            scrub.remember(secret)
        what = f"{method} {path}"
        try:
            with httpx.Client(
                base_url=_server_url(self.account_server),
                timeout=httpx.Timeout(self.timeout),
                transport=self.transport,
                headers={"User-Agent": _USER_AGENT},
            ) as client:
                response = client.request(method, path, headers=headers, data=data)
        except httpx.TimeoutException:
            raise SignatureTransportError(f"{what}: no answer within {self.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise SignatureTransportError(scrub(f"{what}: {type(exc).__name__}: {exc}")) from None
        if response.status_code in (400, 401, 403):
            code, message = _error_details(response)
            raise SignatureAuthError(
                scrub(f"{what}: refused (HTTP {response.status_code} {code} {message})".rstrip())
            )
        if response.status_code >= 300:
            raise SignatureTransportError(f"{what}: HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            raise SignatureTransportError(f"{what}: the body is not JSON") from None
        if not isinstance(payload, dict):
            raise SignatureTransportError(f"{what}: the body is not a JSON object")
        return payload
