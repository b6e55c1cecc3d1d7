"""Access control, black-box: SigV4 signatures checked against configured access keys by the real
aws CLI and boto3, over HTTPS with a self-signed certificate; access keys from a file; TLS
start-up errors; and the refusal to listen beyond loopback without keys."""
import datetime
import http.client
import os
import shutil
import socket
import subprocess
import time
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from conftest import error_of, AWS_CLI, BINARY, Server, register

KEY = {"aws_access_key_id": "AKIDNIGHTSHIFT", "aws_secret_access_key": "s3cr3t/Key+EXAMPLE"}
WRONG_SECRET = dict(KEY, aws_secret_access_key="not-the-secret")
UNKNOWN_KEY = {"aws_access_key_id": "AKIDSTRANGER", "aws_secret_access_key": "s3cr3t/Key+EXAMPLE"}
# A key in the key file that needs a session token (temporary credentials).
TEMP = {"aws_access_key_id": "ASIATEMPORARY", "aws_secret_access_key": "tmp-secret",
        "aws_session_token": "FwoGZXIvYXdzEXAMPLETOKEN+/="}
SIGNED_ONLY = ("MissingAuthenticationTokenException", "IncompleteSignatureException",
               "UnrecognizedClientException", "InvalidSignatureException")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and its key, made with the openssl command."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def secure_server(tmp_path_factory, certificate):
    """HTTPS with one key on the command line and one (with a session token) in a key file."""
    d = tmp_path_factory.mktemp("secure")
    key_file = d / "keys.txt"
    key_file.write_text("# temporary credentials\n"
                        f"{TEMP['aws_access_key_id']}:{TEMP['aws_secret_access_key']}:viewer:{TEMP['aws_session_token']}\n")
    cert, key = certificate
    s = Server(str(d / "data"), ca_bundle=cert, credentials=KEY, extra_args=[
        "--access-key", f"{KEY['aws_access_key_id']}:{KEY['aws_secret_access_key']}:admin",
        "--access-key-file", str(key_file), "--tls-cert", cert, "--tls-key", key]).start()
    yield s
    s.stop()



def test_boto3_with_the_right_secret_works_over_tls(secure_server):
    assert secure_server.url.startswith("https://")
    assert secure_server.batch().describe_job_queues()["jobQueues"] is not None
    assert "Schedules" in secure_server.scheduler().list_schedules()
    code, _, _ = error_of(lambda: secure_server.logs().get_log_events(
        logGroupName="/aws/batch/job", logStreamName="no/such/stream"))
    assert code not in SIGNED_ONLY  # authenticated; the stream just does not exist


def test_aws_cli_with_the_right_and_the_wrong_secret(secure_server):
    clis = [AWS_CLI] + [c for c in [shutil.which("aws")] if c and os.path.realpath(c) != os.path.realpath(AWS_CLI)]
    for cli in clis:  # Debian's aws-cli v2, and a pip aws-cli v1 if one is first on PATH
        assert "jobQueues" in secure_server.aws("batch", "describe-job-queues", cli=cli)
        p = secure_server.aws("batch", "describe-job-queues", cli=cli, check=False, **WRONG_SECRET)
        assert p.returncode in (254, 255), (cli, p.returncode, p.stderr)
        assert "An error occurred (InvalidSignatureException) when calling the DescribeJobQueues operation: " \
               "The request signature we calculated does not match" in p.stderr, p.stderr
    p = secure_server.aws("batch", "describe-job-queues", check=False, **UNKNOWN_KEY)
    assert p.returncode == 254 and "(UnrecognizedClientException)" in p.stderr, p.stderr


def test_boto3_wrong_secret_and_unknown_key_are_rejected_for_every_service(secure_server):
    for client, call in [("batch", lambda c: c.describe_job_queues()),
                         ("scheduler", lambda c: c.list_schedules()),
                         ("logs", lambda c: c.get_log_events(logGroupName="/aws/batch/job", logStreamName="x"))]:
        code, message, status = error_of(lambda: call(secure_server.client(client, **WRONG_SECRET)))
        assert (code, status) == ("InvalidSignatureException", 403), (client, code, message)
        code, message, status = error_of(lambda: call(secure_server.client(client, **UNKNOWN_KEY)))
        assert (code, status) == ("UnrecognizedClientException", 403), (client, code)
        assert message == "The security token included in the request is invalid."


def test_session_token_right_and_wrong(secure_server):
    assert "jobQueues" in secure_server.batch(**TEMP).describe_job_queues()
    assert "jobQueues" in secure_server.aws("batch", "describe-job-queues", **TEMP)
    code, _, _ = error_of(lambda: secure_server.batch(**dict(TEMP, aws_session_token="wrong")).describe_job_queues())
    assert code == "UnrecognizedClientException"
    no_token = {k: v for k, v in TEMP.items() if k != "aws_session_token"}
    code, _, _ = error_of(lambda: secure_server.scheduler(**no_token).list_schedules())
    assert code == "UnrecognizedClientException"


class _Clock(datetime.datetime):
    """datetime whose utcnow() is `offset` away from now, for botocore's signer."""
    offset = datetime.timedelta(0)

    @classmethod
    def utcnow(cls):
        return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + cls.offset


@pytest.mark.parametrize("minutes, words", [(-20, "Signature expired: "), (20, "Signature not yet current: ")])
def test_a_request_signed_more_than_15_minutes_away_is_refused(secure_server, minutes, words):
    batch = secure_server.batch()
    with mock.patch.object(botocore.auth.datetime, "datetime", _Clock), \
            mock.patch.object(_Clock, "offset", datetime.timedelta(minutes=minutes)):
        code, message, status = error_of(batch.describe_job_queues)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith(words), message
    with mock.patch.object(botocore.auth.datetime, "datetime", _Clock), \
            mock.patch.object(_Clock, "offset", datetime.timedelta(minutes=minutes // 2)):
        assert "jobQueues" in batch.describe_job_queues()  # 10 minutes off is within the window


def signed_request(server, method, path, service, body=b"", headers=None):
    """A request signed by botocore's SigV4 signer, for cases no client makes on its own."""
    request = botocore.awsrequest.AWSRequest(method=method, url=server.url + path, data=body, headers=headers or {})
    creds = botocore.credentials.Credentials(KEY["aws_access_key_id"], KEY["aws_secret_access_key"])
    botocore.auth.SigV4Auth(creds, service, "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_a_signature_for_another_service_is_refused(secure_server):
    headers = signed_request(secure_server, "POST", "/v1/describejobqueues", "scheduler", b"{}",
                             {"Content-Type": "application/json"})
    status, hdrs, body = secure_server.raw("POST", "/v1/describejobqueues", "{}", headers)
    assert status == 403 and hdrs["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert body["message"] == "Credential should be scoped to correct service: 'batch'."


def test_unsigned_and_malformed_requests_get_awss_codes_and_only_public_routes_stay_open(secure_server):
    status, hdrs, body = secure_server.raw("POST", "/v1/describejobqueues", "{}", {"Content-Type": "application/json"})
    assert status == 403 and body["__type"] == "MissingAuthenticationTokenException"
    status, _, body = secure_server.raw("POST", "/", "{}", {
        "X-Amz-Target": "Logs_20140328.GetLogEvents", "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDNIGHTSHIFT"})
    assert status == 403 and body["__type"] == "IncompleteSignatureException", body
    assert secure_server.raw("GET", "/healthz")[0] == 200
    assert secure_server.raw("GET", "/api/v1/openapi.json")[0] == 200
    status, hdrs, body = secure_server.raw("GET", "/api/v1/pipelines")  # native routes need credentials
    assert status == 401 and body["__type"] == "UnauthorizedException" and hdrs["WWW-Authenticate"] == "Bearer"
    assert secure_server.raw("GET", "/metrics")[0] == 401
    # An access key reaches the native API with a signature for the service "nightshift".
    assert secure_server.raw("GET", "/api/v1/pipelines", headers=signed_request(
        secure_server, "GET", "/api/v1/pipelines", "nightshift"))[0] == 200


def test_event_stream_works_over_tls(secure_server):
    conn = http.client.HTTPSConnection("127.0.0.1", secure_server.port, timeout=10,
                                       context=secure_server.ssl_context())
    conn.request("GET", "/api/v1/events", headers=dict(
        signed_request(secure_server, "GET", "/api/v1/events", "nightshift"), Accept="text/event-stream"))
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type") == "text/event-stream"
    batch = secure_server.batch()
    register(batch, "tls-echo", ["true"])
    job_id = batch.submit_job(jobName="over-tls", jobQueue="default", jobDefinition="tls-echo")["jobId"]
    deadline = time.monotonic() + 10
    seen = b""
    while job_id.encode() not in seen and time.monotonic() < deadline:
        seen += resp.read1(4096)  # chunked framing decoded by http.client
    assert b"event: job" in seen and job_id.encode() in seen, seen
    conn.close()


def test_plain_http_on_the_tls_port_gets_no_answer(secure_server):
    with socket.create_connection(("127.0.0.1", secure_server.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" not in s.recv(4096)


def nightshift(server, *args, **env):
    """Runs a nightshift client verb against `server` with AWS credentials from `env`."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "SSL_CERT_FILE"}
    e.update(env)
    return subprocess.run([BINARY, *args, "--server", server.url], capture_output=True, text=True, env=e, timeout=30)


def test_nightshift_cli_signs_batch_calls_and_speaks_https(secure_server):
    creds = {"AWS_ACCESS_KEY_ID": KEY["aws_access_key_id"], "AWS_SECRET_ACCESS_KEY": KEY["aws_secret_access_key"]}
    p = nightshift(secure_server, "queue", "list", "-o", "json", SSL_CERT_FILE=secure_server.ca_bundle, **creds)
    assert p.returncode == 0 and "default" in p.stdout, p.stderr
    p = nightshift(secure_server, "pipeline", "list", SSL_CERT_FILE=secure_server.ca_bundle, **creds)  # native
    assert p.returncode == 0, p.stderr
    p = nightshift(secure_server, "pipeline", "list", SSL_CERT_FILE=secure_server.ca_bundle)
    assert p.returncode == 1 and "this server requires credentials" in p.stderr, p.stderr
    p = nightshift(secure_server, "queue", "list", SSL_CERT_FILE=secure_server.ca_bundle,
                   **dict(creds, AWS_SECRET_ACCESS_KEY="not-the-secret"))
    assert p.returncode == 1 and "The request signature we calculated does not match" in p.stderr, p.stderr
    p = nightshift(secure_server, "queue", "list", SSL_CERT_FILE=secure_server.ca_bundle)
    assert p.returncode == 1 and "nightshift: Missing Authentication Token" in p.stderr, p.stderr
    p = nightshift(secure_server, "queue", "list", **creds)  # the self-signed certificate is not trusted
    assert p.returncode == 1 and "TLS with the server at https://127.0.0.1:" in p.stderr, p.stderr
    assert "certificate verify failed" in p.stderr and "SSL_CERT_FILE" in p.stderr


def run_server(workdir, *args, timeout=10):
    """Starts `nightshift server` expecting it to exit at once; returns the process."""
    return subprocess.run([BINARY, "server", "--data-dir", os.path.join(workdir, "data"), *args],
                          capture_output=True, text=True, timeout=timeout)


def test_tls_files_must_be_usable_and_come_together(workdir, certificate):
    cert, key = certificate
    p = run_server(workdir, "--tls-cert", cert)
    assert p.returncode == 2 and "--tls-cert and --tls-key go together" in p.stdout + p.stderr
    garbage = os.path.join(workdir, "garbage.pem")
    with open(garbage, "w") as f:
        f.write("not a certificate\n")
    p = run_server(workdir, "--listen", "127.0.0.1:0", "--tls-cert", garbage, "--tls-key", key)
    assert p.returncode == 2 and f"--tls-cert {garbage}: not a usable PEM certificate" in p.stdout + p.stderr
    other_key = os.path.join(workdir, "other.pem")
    subprocess.run(["openssl", "genrsa", "-out", other_key, "2048"], check=True, capture_output=True)
    p = run_server(workdir, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", other_key)
    assert p.returncode == 2 and f"--tls-key {other_key}: not a usable PEM private key for --tls-cert {cert}: " \
        "key values mismatch" in p.stdout + p.stderr


def test_bad_access_keys_are_start_up_errors_that_hide_the_secret(workdir):
    p = run_server(workdir, "--listen", "127.0.0.1:0", "--access-key", "AKID:topsecret:root")
    out = p.stdout + p.stderr
    assert p.returncode == 2 and "the role must be viewer, operator or admin" in out and "topsecret" not in out
    p = run_server(workdir, "--listen", "127.0.0.1:0", "--access-key-file", os.path.join(workdir, "missing"))
    assert p.returncode == 2 and "cannot read the access key file" in p.stdout + p.stderr
    p = subprocess.run([BINARY, "server", "--print-config", "--access-key", "AKID:topsecret"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 0 and 'access_key = ["AKID:(hidden)"]' in p.stdout and "topsecret" not in p.stdout
    assert 'listen = "127.0.0.1:8080"' in p.stdout  # the default binds loopback only


def test_non_loopback_needs_keys_or_insecure(workdir):
    p = run_server(workdir, "--listen", "0.0.0.0:0")
    assert p.returncode == 2, p.stdout + p.stderr
    assert "refusing to listen on 0.0.0.0 without access keys" in p.stdout + p.stderr
    assert "--insecure" in p.stdout + p.stderr
    insecure = Server(os.path.join(workdir, "insecure"), listen="0.0.0.0:0", extra_args=["--insecure"]).start()
    try:
        assert "INSECURE: listening on 0.0.0.0 with no access keys" in insecure.log()
        assert "jobQueues" in insecure.batch().describe_job_queues()
    finally:
        insecure.stop()
    keyed = Server(os.path.join(workdir, "keyed"), listen="0.0.0.0:0", credentials=KEY, extra_args=[
        "--access-key", f"{KEY['aws_access_key_id']}:{KEY['aws_secret_access_key']}"]).start()
    try:
        assert "INSECURE" not in keyed.log()
        assert "jobQueues" in keyed.batch().describe_job_queues()
        code, _, _ = error_of(lambda: keyed.batch(**WRONG_SECRET).describe_job_queues())
        assert code == "InvalidSignatureException"
    finally:
        keyed.stop()
