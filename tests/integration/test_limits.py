"""Server limits against a real server: the per-client request rate (429 ThrottlingException to
boto3 and the aws CLI with retries off, a native JSON error on /api/v1, one client's excess not
throttling another), the cap on open connections (503 for one more, the open ones still served),
oversize headers (431) and bodies (413), and a slowloris client (408, others served meanwhile)."""
import os
import select
import socket
import subprocess
import time

import botocore.exceptions
import pytest

from conftest import AWS_CLI, BINARY, Server, poll_until

ALICE = {"aws_access_key_id": "AKIDALICE", "aws_secret_access_key": "alice-secret"}
BOB = {"aws_access_key_id": "AKIDBOB", "aws_secret_access_key": "bob-secret"}


def start(workdir, *args, credentials=None):
    return Server(os.path.join(workdir, "data"), extra_args=args, credentials=credentials).start()


@pytest.fixture
def throttled(workdir):
    """Three requests per client, then one a minute: the fourth within the test is throttled."""
    s = start(workdir, "--rate-limit", "1/m", "--rate-burst", "3",
              "--access-key", "AKIDALICE:alice-secret", "--access-key", "AKIDBOB:bob-secret", credentials=ALICE)
    yield s
    s.stop()


def throttling_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response


def test_a_client_over_its_rate_gets_throttling_exception_and_others_do_not(throttled):
    alice = throttled.batch()  # retries off (conftest): the first 429 is what the caller sees
    for _ in range(3):
        alice.describe_job_queues()
    error = throttling_error(alice.describe_job_queues)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["Error"]["Message"] == "Rate exceeded"
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ThrottlingException"
    # Bob's bucket is his own.
    assert throttled.batch(**BOB).describe_job_queues()["jobQueues"]
    # The aws CLI, retries off, names the error too.
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ALICE["aws_access_key_id"],
               AWS_SECRET_ACCESS_KEY=ALICE["aws_secret_access_key"], AWS_DEFAULT_REGION="us-east-1",
               AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard", AWS_PAGER="")
    p = subprocess.run([AWS_CLI, "--endpoint-url", throttled.url, "batch", "describe-job-queues"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode != 0
    assert "(ThrottlingException)" in p.stderr and "Rate exceeded" in p.stderr, p.stderr


def test_anonymous_clients_are_limited_by_address_with_a_json_error_on_native_routes(throttled):
    # With keys configured the native routes want a credential: these are refused (401), and
    # still take from the address's bucket.
    for _ in range(3):
        status, _, _ = throttled.raw("GET", "/api/v1/pipelines")
        assert status == 401
    status, headers, body = throttled.raw("GET", "/api/v1/pipelines")
    assert status == 429
    assert body == {"__type": "ThrottlingException", "message": "Rate exceeded"}
    assert headers["Retry-After"] == "1"
    # An unsigned AWS request counts against the same address, and is throttled before its 403.
    status, headers, body = throttled.raw("POST", "/v1/describejobqueues", "{}", {"Content-Type": "application/json"})
    assert status == 429 and headers["x-amzn-ErrorType"] == "ThrottlingException"


def test_the_default_is_no_rate_limit(server):
    batch = server.batch()
    for _ in range(200):
        batch.describe_job_queues()


def test_a_bad_rate_limit_stops_the_start(workdir):
    p = subprocess.run([BINARY, "server", "--data-dir", os.path.join(workdir, "d"), "--rate-limit", "10/h"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert "--rate-limit" in p.stderr + p.stdout and "/s or /m" in p.stderr + p.stdout


# --- raw HTTP over sockets ---------------------------------------------------------------------------

def connect(server):
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def read_response(sock, deadline_s=10):
    """Reads until the server closes the connection or a whole response (by Content-Length) came."""
    data = b""
    deadline = time.monotonic() + deadline_s
    while True:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
            if length and len(rest) >= length[0]:
                return data
        remaining = deadline - time.monotonic()
        assert remaining > 0, "no complete response in time: %r" % data
        readable, _, _ = select.select([sock], [], [], remaining)
        if not readable:
            continue
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def status_of(response):
    return int(response.split(b" ", 2)[1])


def get_health(sock):
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    return status_of(read_response(sock))


def test_one_connection_over_the_cap_gets_503_and_the_open_ones_are_still_served(workdir):
    s = start(workdir, "--max-connections", "3")
    try:
        held = [connect(s) for _ in range(3)]
        assert get_health(held[0]) == 200  # all three are accepted by now (accepted in order)
        extra = connect(s)
        response = read_response(extra)
        assert status_of(response) == 503, response
        assert b"ServiceUnavailableException" in response and b"Retry-After: 1" in response
        extra.close()
        for sock in held:
            assert get_health(sock) == 200
        held.pop().close()

        def a_new_connection_is_served():
            with connect(s) as sock:
                return get_health(sock) == 200
        poll_until(a_new_connection_is_served, "a connection is served once one of the three closed")
    finally:
        s.stop()


def test_oversize_headers_get_431_and_oversize_bodies_413(server):
    with connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n")
        response = read_response(sock)
        assert status_of(response) == 431, response
        assert b"8 KiB" in response
    with connect(server) as sock:
        body = b"{" + b" " * (1100 * 1024) + b"}"
        sock.sendall(b"POST /v1/describejobqueues HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        try:
            sock.sendall(body)  # the server answers after the headers but reads the rest before closing
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = read_response(sock)
        assert status_of(response) == 413, response
        assert b"1 MiB" in response
    with connect(server) as sock:
        assert get_health(sock) == 200


def test_a_slowloris_client_gets_408_and_does_not_hold_up_others(workdir):
    s = start(workdir, "--header-timeout", "2")
    try:
        slow = connect(s)
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 100
        started = time.monotonic()
        answer = b""
        for byte in request:  # a byte a second until the server answers
            slow.sendall(bytes([byte]))
            with connect(s) as other:  # meanwhile, others are served at once
                assert get_health(other) == 200
            readable, _, _ = select.select([slow], [], [], 1.0)
            if readable:
                answer = read_response(slow)
                break
        elapsed = time.monotonic() - started
        assert status_of(answer) == 408, answer
        assert b"request headers not complete within 2000 ms" in answer
        assert elapsed < 6, elapsed
        slow.close()
    finally:
        s.stop()


def test_an_idle_keep_alive_connection_is_not_cut_by_the_header_deadline(workdir):
    s = start(workdir, "--header-timeout", "1")
    try:
        with connect(s) as sock:
            assert get_health(sock) == 200
            readable, _, _ = select.select([sock], [], [], 2.5)  # idle (no request begun) past the deadline
            assert not readable, "the server closed an idle connection after the header deadline"
            assert get_health(sock) == 200
    finally:
        s.stop()
