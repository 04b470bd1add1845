"""The reference PDS run by tests/pds_server.py behaves as the Bluesky client relies on.

Plain httpx calls, no project code: these pin down the server's answers (statuses, error
names, bodies) that the client is written against.
"""

from __future__ import annotations

import itertools
import os
import random
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pds_server
import pytest
from pds_server import Account, PdsNotInstalled, PdsServer, jwt_claims, start_pds

POST = "app.bsky.feed.post"
_handles = itertools.count(1)
_last_tid = 0
_clock_id = random.randrange(1024)


@pytest.fixture
def account(pds: PdsServer) -> Account:
    """A fresh account; its password is an app password, as the client signs in."""
    main = pds.create_account(f"user{next(_handles)}.test", "main-password")
    return Account(main.did, main.handle, pds.create_app_password(main, "syndicate"))


@pytest.fixture
def session(pds: PdsServer, account: Account) -> dict[str, Any]:
    return pds.create_session(account.handle, account.password)


def tid() -> str:
    """A record key as Bluesky clients make them: 13 chars of sortable base32 (a TID)."""
    global _last_tid
    value = max(time.time_ns() // 1000, _last_tid + 1)
    _last_tid = value
    number = (value << 10) | _clock_id
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[(number >> (5 * i)) & 31] for i in reversed(range(13)))


def png(width: int = 4, height: int = 3) -> bytes:
    """An uncompressed RGB PNG of random pixels: about 3 * width * height bytes."""
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b""))


def post_record(text: str, **extra: Any) -> dict[str, Any]:
    return {"$type": POST, "text": text, "createdAt": "2026-01-02T03:04:05.000Z",
            "langs": ["en"], **extra}


def put(pds: PdsServer, session: dict[str, Any], rkey: str, record: dict[str, Any],
        token: str | None = None) -> httpx.Response:
    """putRecord as the client does it: a TID key and swapRecord null (create only)."""
    return pds.call("com.atproto.repo.putRecord", token=token or session["accessJwt"],
                    json_body={"repo": session["did"], "collection": POST, "rkey": rkey,
                               "record": record, "swapRecord": None})


def upload(pds: PdsServer, session: dict[str, Any], data: bytes) -> httpx.Response:
    return pds.call("com.atproto.repo.uploadBlob", content=data, token=session["accessJwt"],
                    headers={"Content-Type": "image/png"})


def card(thumb: dict[str, Any]) -> dict[str, Any]:
    return {"$type": "app.bsky.embed.external", "external": {
        "uri": "https://blog.example/walk.html", "title": "A walk", "description": "By the river",
        "thumb": thumb}}


def test_the_server_is_open_for_test_handles_without_invites(pds: PdsServer) -> None:
    assert urlsplit(pds.url).hostname == "127.0.0.1"
    assert urlsplit(pds.plc_url).hostname == "127.0.0.1"
    described = pds.xrpc("com.atproto.server.describeServer")
    assert described["availableUserDomains"] == [".test"]
    assert described["inviteCodeRequired"] is False
    assert described["blobUploadLimit"] == 5 * 1024 * 1024


def test_both_servers_listen_on_loopback_only(pds: PdsServer) -> None:
    sockets = set()
    for fd in Path(f"/proc/{pds.pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            sockets.add(target[len("socket:["):-1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in sockets:  # 0A: LISTEN
                listening.append(fields[1])
    ports = {int(urlsplit(url).port or 0) for url in (pds.url, pds.plc_url)}
    assert {f"0100007F:{port:04X}" for port in ports} == set(listening)


def test_an_app_password_signs_in(pds: PdsServer) -> None:
    main = pds.create_account(f"user{next(_handles)}.test", "main-password")
    assert main.did.startswith("did:plc:")
    app_password = pds.create_app_password(main, "syndicate")
    assert len(app_password) == 19 and app_password.count("-") == 3  # xxxx-xxxx-xxxx-xxxx
    response = pds.call("com.atproto.server.createSession",
                        json_body={"identifier": main.handle, "password": app_password})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"accessJwt", "refreshJwt", "did", "handle", "email",
                         "emailConfirmed", "active"}
    assert (body["did"], body["handle"], body["active"]) == (main.did, main.handle, True)
    assert jwt_claims(body["accessJwt"])["scope"] == "com.atproto.appPass"
    # The DID works as the identifier too.
    assert pds.create_session(main.did, app_password)["handle"] == main.handle


def test_a_wrong_password_is_401_authentication_required(
        pds: PdsServer, account: Account) -> None:
    response = pds.call("com.atproto.server.createSession",
                        json_body={"identifier": account.handle, "password": "wrong"})
    assert response.status_code == 401
    assert response.json() == {"error": "AuthenticationRequired",
                               "message": "Invalid identifier or password"}


def test_put_record_creates_then_repeats_as_a_no_op_then_refuses_a_change(
        pds: PdsServer, session: dict[str, Any]) -> None:
    rkey = tid()
    record = post_record("Hello from the test PDS")
    created = put(pds, session, rkey, record)
    assert created.status_code == 200
    first = created.json()
    uri = f"at://{session['did']}/{POST}/{rkey}"
    assert first["uri"] == uri and first["cid"].startswith("bafyrei")
    assert set(first["commit"]) == {"cid", "rev"}
    assert first["validationStatus"] == "valid"
    # The same write again (a retry whose first answer was lost): 200, no new commit.
    again = put(pds, session, rkey, record)
    assert again.status_code == 200
    assert again.json() == {"uri": uri, "cid": first["cid"], "validationStatus": "valid"}
    # Another record under the same key: refused, the stored one is kept.
    changed = put(pds, session, rkey, post_record("Something else"))
    assert changed.status_code == 400
    assert changed.json() == {"error": "InvalidSwap",
                              "message": f"Record was at {first['cid']}"}
    stored = pds.get_record(session["did"], POST, rkey)
    assert stored == {"uri": uri, "cid": first["cid"], "value": record}


def test_a_missing_record_is_400_record_not_found(
        pds: PdsServer, session: dict[str, Any]) -> None:
    rkey = tid()
    response = pds.call("com.atproto.repo.getRecord",
                        params={"repo": session["did"], "collection": POST, "rkey": rkey})
    assert response.status_code == 400
    assert response.json() == {
        "error": "RecordNotFound",
        "message": f"Could not locate record: at://{session['did']}/{POST}/{rkey}"}


def test_text_is_limited_to_300_graphemes_not_bytes(
        pds: PdsServer, session: dict[str, Any]) -> None:
    too_long = put(pds, session, tid(), post_record("x" * 301))
    assert too_long.status_code == 400
    assert too_long.json() == {
        "error": "InvalidRequest",
        "message": "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301)"
                   " at $.record.text"}
    # 300 graphemes of 8 UTF-8 bytes each (thumbs up + skin tone) are fine.
    assert put(pds, session, tid(), post_record("\U0001f44d\U0001f3fd" * 300)).status_code == 200


def test_an_uploaded_blob_is_a_card_thumb(pds: PdsServer, session: dict[str, Any]) -> None:
    data = png()
    response = upload(pds, session, data)
    assert response.status_code == 200
    blob = response.json()["blob"]
    assert blob["$type"] == "blob" and blob["mimeType"] == "image/png"
    assert blob["size"] == len(data) and blob["ref"]["$link"].startswith("bafkrei")
    rkey = tid()
    assert put(pds, session, rkey, post_record("With a card", embed=card(blob))).status_code \
        == 200
    stored = pds.get_record(session["did"], POST, rkey)["value"]
    assert stored["embed"]["external"]["thumb"] == blob
    assert pds.get_blob(session["did"], blob["ref"]["$link"]) == data


def test_a_thumb_over_1_000_000_bytes_uploads_but_the_post_is_refused(
        pds: PdsServer, session: dict[str, Any]) -> None:
    data = png(600, 560)
    assert 1_000_000 < len(data) < 5 * 1024 * 1024
    response = upload(pds, session, data)
    assert response.status_code == 200
    blob = response.json()["blob"]
    refused = put(pds, session, tid(), post_record("Big card", embed=card(blob)))
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "InvalidRequest",
        "message": "Invalid app.bsky.feed.post record: blob too big (maximum 1000000, "
                   f"got {len(data)}) at $.record.embed.external.thumb"}


def test_an_upload_over_the_5_mb_limit_is_413(pds: PdsServer, session: dict[str, Any]) -> None:
    response = upload(pds, session, b"\0" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json() == {"error": "PayloadTooLarge", "message": "request entity too large"}


def test_no_rate_limit_headers_by_default(pds: PdsServer, session: dict[str, Any]) -> None:
    response = put(pds, session, tid(), post_record("Counted?"))
    assert response.status_code == 200
    assert not [name for name in response.headers if name.lower().startswith("ratelimit")]


def test_session_tokens_their_lifetime_and_the_errors_for_bad_ones(
        pds: PdsServer, session: dict[str, Any]) -> None:
    access, refresh = jwt_claims(session["accessJwt"]), jwt_claims(session["refreshJwt"])
    assert access["exp"] - access["iat"] == 2 * 60 * 60
    assert refresh["exp"] - refresh["iat"] == 90 * 24 * 60 * 60
    assert refresh["scope"] == "com.atproto.refresh"
    now = int(time.time())
    expired = pds.forge_access_jwt(session, iat=now - 7300, exp=now - 100)
    answer = put(pds, session, tid(), post_record("late"), token=expired)
    assert answer.status_code == 400
    assert answer.json() == {"error": "ExpiredToken", "message": "Token has expired"}
    garbled = session["accessJwt"][:-4] + ("AAAA" if not session["accessJwt"].endswith("AAAA")
                                           else "BBBB")
    answer = put(pds, session, tid(), post_record("forged"), token=garbled)
    assert answer.status_code == 400
    assert answer.json() == {"error": "InvalidToken", "message": "Token could not be verified"}
    answer = pds.call("com.atproto.repo.putRecord", json_body={
        "repo": session["did"], "collection": POST, "rkey": tid(), "record": post_record("x")})
    assert answer.status_code == 401
    assert answer.json() == {"error": "AuthMissing", "message": "Authentication Required"}


def test_refresh_session_gives_working_tokens(
        pds: PdsServer, session: dict[str, Any]) -> None:
    response = pds.call("com.atproto.server.refreshSession", content=b"",
                        token=session["refreshJwt"])
    assert response.status_code == 200
    fresh = response.json()
    assert {"accessJwt", "refreshJwt", "did", "handle", "active"} <= set(fresh)
    assert fresh["did"] == session["did"] and fresh["refreshJwt"] != session["refreshJwt"]
    assert put(pds, session, tid(), post_record("after refresh"),
               token=fresh["accessJwt"]).status_code == 200
    # The used refresh token still works for a grace period (the PDS's is 2 hours)...
    again = pds.call("com.atproto.server.refreshSession", content=b"",
                     token=session["refreshJwt"])
    assert again.status_code == 200
    # ... and an access token is no refresh token.
    wrong = pds.call("com.atproto.server.refreshSession", content=b"",
                     token=fresh["accessJwt"])
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "InvalidToken", "message": "Token could not be verified"}


def test_list_records_pages_through_everything(
        pds: PdsServer, session: dict[str, Any]) -> None:
    keys = [tid() for _ in range(130)]
    writes = [{"$type": "com.atproto.repo.applyWrites#create", "collection": POST,
               "rkey": key, "value": post_record(f"Post {n}")} for n, key in enumerate(keys)]
    for start in (0, 100):
        pds.xrpc("com.atproto.repo.applyWrites", token=session["accessJwt"],
                 json_body={"repo": session["did"], "writes": writes[start:start + 100]})
    records = pds.list_records(session["did"], POST)
    assert [r["uri"].rsplit("/", 1)[1] for r in records] == sorted(keys, reverse=True)


def test_app_bsky_reads_need_the_absent_app_view(
        pds: PdsServer, session: dict[str, Any]) -> None:
    response = pds.call("app.bsky.feed.getPosts", token=session["accessJwt"],
                        params={"uris": f"at://{session['did']}/{POST}/{tid()}"})
    assert response.status_code == 502
    assert response.json() == {"error": "UpstreamFailure",
                               "message": "Upstream service unreachable"}


def test_with_rate_limits_on_answers_carry_the_headers_and_429_says_when(
        tmp_path: Path) -> None:
    with start_pds(tmp_path, rate_limits=True) as server:
        # createSession allows 30 tries in 5 minutes per identifier, known or not. Each
        # takes ~0.35 s of password hashing, so they are sent 4 at a time.
        def try_once(_: int) -> httpx.Response:
            return server.call("com.atproto.server.createSession", json_body={
                "identifier": "nobody.test", "password": "wrong"})

        with ThreadPoolExecutor(4) as pool:
            answers = sorted(pool.map(try_once, range(31)), key=lambda a: (
                -int(a.headers["RateLimit-Remaining"]), a.status_code))
        process = server.process
        url = server.url
    assert [a.status_code for a in answers] == [401] * 30 + [429]
    first, last = answers[0].headers, answers[-1]
    assert first["RateLimit-Limit"] == "30" and first["RateLimit-Policy"] == "30;w=300"
    assert first["RateLimit-Remaining"] == "29"
    assert abs(int(first["RateLimit-Reset"]) - (time.time() + 300)) < 30  # epoch seconds
    assert last.json() == {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    assert last.headers["RateLimit-Remaining"] == "0"
    assert 0 < int(last.headers["Retry-After"]) <= 300  # seconds
    # Leaving the block stopped both servers cleanly.
    assert process.returncode == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/xrpc/_health", timeout=5)


def test_without_the_install_starting_fails_and_says_what_to_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pds_server, "PDS_DIR", tmp_path / "nothing-here")
    assert not pds_server.installed()
    with pytest.raises(PdsNotInstalled, match=r"tests/pds/install\.sh"), start_pds(tmp_path):
        pass
