"""Access control, black-box: roles enforced for access keys (aws CLI, boto3) and API tokens
(native routes, the nightshift CLI), tokens created, listed, revoked and expired through the CLI,
the first admin token printed once, and the audit log of allowed and refused calls."""
import json
import os
import re
import subprocess
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from conftest import error_of, BINARY, Server, poll_until, register

KEYS = {role: {"aws_access_key_id": f"AKID{role.upper()}", "aws_secret_access_key": f"secret-{role}"}
        for role in ("viewer", "operator", "admin")}
ROLES = ("viewer", "operator", "admin")
FIRST_ADMIN = re.compile(r"^\s+(nst_[0-9a-f]{16}_[0-9a-f]{64})\s*$", re.M)


def cli(server, *args, token=None, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "NIGHTSHIFT_TOKEN"}
    if token:
        env["NIGHTSHIFT_TOKEN"] = token
    p = subprocess.run([BINARY, *args, "--server", server.url], capture_output=True, text=True, env=env, timeout=30)
    if check:
        assert p.returncode == 0, (args, p.stderr)
    return p


def bearer(token):
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """A server with one access key per role (an admin key: no first admin token is made)."""
    d = tmp_path_factory.mktemp("keyed")
    args = []
    for role, key in KEYS.items():
        args += ["--access-key", f"{key['aws_access_key_id']}:{key['aws_secret_access_key']}:{role}"]
    s = Server(str(d / "data"), credentials=KEYS["admin"], extra_args=args).start()
    register(s.batch(), "ok", ["true"])
    yield s
    s.stop()


@pytest.fixture(scope="module")
def tokened(tmp_path_factory):
    """A server with --auth and no key: its first admin token, and one token per role made with it."""
    d = tmp_path_factory.mktemp("tokened")
    s = Server(str(d / "data"), extra_args=["--auth"]).start()
    poll_until(lambda: FIRST_ADMIN.search(s.log()), "the first admin token is printed")
    admin = FIRST_ADMIN.search(s.log()).group(1)
    s.tokens = {"admin": admin}
    for role in ("viewer", "operator"):
        s.tokens[role] = cli(s, "token", "create", "--role", role, "--name", f"{role}-ci", token=admin).stdout.strip()
    yield s
    s.stop()



def test_key_roles_on_aws_routes_with_boto3(keyed):
    queues_before = keyed.batch().describe_job_queues()["jobQueues"]
    for role in ROLES:
        batch = keyed.batch(**KEYS[role])
        assert batch.describe_job_queues()["jobQueues"] == queues_before  # every role reads
        submit = lambda: batch.submit_job(jobName=f"by-{role}", jobQueue="default", jobDefinition="ok")
        create = lambda: batch.create_job_queue(jobQueueName=f"q-{role}", priority=1, computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "default"}])
        if role == "viewer":
            code, message, status = error_of(submit)
            assert (code, status) == ("AccessDeniedException", 403)
            assert message.startswith("User: AKIDVIEWER is not authorized to perform: batch:SubmitJob"), message
        else:
            assert submit()["jobId"]
        if role == "admin":
            assert create()["jobQueueName"] == "q-admin"
        else:
            code, message, status = error_of(create)
            assert (code, status) == ("AccessDeniedException", 403)
            assert f"User: AKID{role.upper()} is not authorized to perform: batch:CreateJobQueue" in message
    names = {q["jobQueueName"] for q in keyed.batch().describe_job_queues()["jobQueues"]}
    assert names == {q["jobQueueName"] for q in queues_before} | {"q-admin"}  # denied calls changed nothing
    code, _, _ = error_of(lambda: keyed.scheduler(**KEYS["viewer"]).delete_schedule(Name="nope"))
    assert code == "AccessDeniedException"
    assert "Schedules" in keyed.scheduler(**KEYS["viewer"]).list_schedules()


def test_key_roles_with_the_aws_cli(keyed):
    p = keyed.aws("batch", "create-compute-environment", "--compute-environment-name", "big", "--type",
                  "UNMANAGED", check=False, **KEYS["operator"])
    assert p.returncode in (254, 255), p.stderr
    assert "AccessDeniedException" in p.stderr and "batch:CreateComputeEnvironment" in p.stderr, p.stderr
    assert keyed.aws("batch", "create-compute-environment", "--compute-environment-name", "big", "--type",
                     "UNMANAGED", **KEYS["admin"])["computeEnvironmentName"] == "big"


def signed(server, method, path, key, body=b""):
    request = botocore.awsrequest.AWSRequest(method=method, url=server.url + path, data=body,
                                             headers={"Content-Type": "application/json"})
    creds = botocore.credentials.Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
    botocore.auth.SigV4Auth(creds, "nightshift", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_key_roles_on_native_routes(keyed):
    status, _, body = keyed.raw("POST", "/api/v1/tokens", '{"role": "viewer"}',
                                signed(keyed, "POST", "/api/v1/tokens", KEYS["operator"], b'{"role": "viewer"}'))
    assert status == 403 and body["__type"] == "AccessDeniedException", body
    status, _, body = keyed.raw("POST", "/api/v1/tokens", '{"role": "viewer"}',
                                signed(keyed, "POST", "/api/v1/tokens", KEYS["admin"], b'{"role": "viewer"}'))
    assert status == 200 and body["token"].startswith("nst_"), body


def test_token_roles_on_native_and_aws_routes(tokened):
    operations = [  # (method, path, body, needed role)
        ("GET", "/api/v1/pipelines", None, "viewer"),
        ("POST", "/v1/describejobqueues", "{}", "viewer"),
        ("POST", "/api/v1/schedules/nope/pause", "{}", "operator"),
        ("POST", "/v1/canceljob", '{"jobId": "no-such-job", "reason": "x"}', "operator"),
        ("POST", "/api/v1/webhooks", '{"url": "http://127.0.0.1:9/", "secret": "s"}', "admin"),
        ("GET", "/api/v1/audit", None, "admin"),
    ]
    for method, path, body, needed in operations:
        for role in ROLES:
            status, hdrs, answer = tokened.raw(method, path, body, bearer(tokened.tokens[role]))
            if ROLES.index(role) < ROLES.index(needed):
                assert status == 403 and answer["__type"] == "AccessDeniedException", (method, path, role, answer)
            else:
                assert status not in (401, 403), (method, path, role, answer)
    status, hdrs, answer = tokened.raw("GET", "/api/v1/webhooks", None, bearer(tokened.tokens["admin"]))
    assert status == 200 and len(answer["webhooks"]) == 1  # the operator's and viewer's attempts changed nothing
    # boto3 cannot send a bearer token, and a signature is refused: this server has no keys.
    code, _, status = error_of(lambda: tokened.batch().describe_job_queues())
    assert (code, status) == ("UnrecognizedClientException", 403)


def test_tokens_through_the_cli(tokened):
    admin = tokened.tokens["admin"]
    made = json.loads(cli(tokened, "token", "create", "--role", "operator", "--name", "short", "--expires-in", "6s",
                          "-o", "json", token=admin).stdout)
    # Used at once (6 s is room enough for one call on a busy machine), then it expires.
    assert cli(tokened, "pipeline", "list", token=made["token"]).returncode == 0
    assert made["role"] == "operator" and made["state"] == "active" and made["expires_at"]
    listed = json.loads(cli(tokened, "token", "list", "-o", "json", token=admin).stdout)["tokens"]
    mine = [t for t in listed if t["id"] == made["id"]]
    assert mine and "token" not in mine[0] and mine[0]["name"] == "short"
    assert all(made["token"] not in json.dumps(t) for t in listed)  # the secret is never listed
    table = cli(tokened, "token", "list", token=admin).stdout
    assert "ID" in table and "LAST USED" in table and made["id"] in table
    poll_until(lambda: cli(tokened, "pipeline", "list", token=made["token"], check=False).returncode != 0,
               "the 6-second token expires", deadline_s=20)
    p = cli(tokened, "pipeline", "list", token=made["token"], check=False)
    assert p.returncode == 1 and f"token {made['id']} has expired" in p.stderr, p.stderr

    victim = cli(tokened, "token", "create", "--role", "viewer", token=admin).stdout.strip()
    victim_id = victim[4:20]
    assert cli(tokened, "job", "list", "-q", "default", token=victim).returncode == 0  # batch verbs take tokens
    assert "revoked token " + victim_id in cli(tokened, "token", "revoke", victim_id, token=admin).stdout
    p = cli(tokened, "pipeline", "list", token=victim, check=False)
    assert p.returncode == 1 and f"token {victim_id} has been revoked" in p.stderr, p.stderr
    states = {t["id"]: t["state"] for t in json.loads(cli(tokened, "token", "list", "-o", "json",
                                                          token=admin).stdout)["tokens"]}
    assert states[victim_id] == "revoked" and states[made["id"]] == "expired"
    p = cli(tokened, "token", "create", "--role", "admin", token=tokened.tokens["operator"], check=False)
    assert p.returncode == 1 and "is not authorized to perform: createToken" in p.stderr, p.stderr
    p = cli(tokened, "token", "revoke", "0123456789abcdef", token=admin, check=False)
    assert p.returncode == 2 and "does not exist" in p.stderr


def test_bad_bearer_headers_are_401_and_change_nothing(tokened):
    admin = bearer(tokened.tokens["admin"])
    before = tokened.raw("GET", "/api/v1/tokens", None, admin)[2]["tokens"]
    secret = "0" * 64
    real = tokened.tokens["admin"]
    wrong_last = real[:-1] + ("1" if real.endswith("0") else "0")  # one hex digit off, never the token
    for header in ["Bearer", "Bearer ", "Bearer nst_", "Bearer nst_zz_" + secret, "Basic abc",
                   f"Bearer nst_{'0' * 16}_{secret}", "Bearer " + wrong_last]:
        status, hdrs, body = tokened.raw("POST", "/api/v1/tokens", '{"role": "admin"}',
                                         {"Authorization": header, "Content-Type": "application/json"})
        assert status == 401 and body["__type"] == "UnauthorizedException", (header, body)
        assert tokened.tokens["admin"][21:] not in body["message"]
    status, _, body = tokened.raw("POST", "/v1/submitjob", '{"jobName": "x", "jobQueue": "default", '
                                  '"jobDefinition": "x"}', {"Authorization": f"Bearer nst_{'0' * 16}_{secret}"})
    assert status == 403 and body["__type"] == "UnrecognizedClientException", body
    assert tokened.raw("GET", "/api/v1/tokens", None, admin)[2]["tokens"] == before
    assert tokened.raw("GET", "/healthz")[0] == 200


def test_the_first_admin_token_is_printed_once(workdir):
    data = os.path.join(workdir, "data")
    first = Server(data, extra_args=["--auth"]).start()
    try:
        poll_until(lambda: FIRST_ADMIN.search(first.log()), "the first admin token is printed")
        token = FIRST_ADMIN.search(first.log()).group(1)
        assert "NEVER AGAIN" in first.log()
        assert first.raw("GET", "/api/v1/tokens", None, bearer(token))[0] == 200
    finally:
        first.stop()
    os.remove(first.log_path)
    second = Server(data, extra_args=["--auth"]).start()
    try:
        # The server answers, so it has started: nothing was printed this time, and the token still works.
        assert second.raw("GET", "/api/v1/tokens", None, bearer(token))[0] == 200
        assert not FIRST_ADMIN.search(second.log()) and "nst_" not in second.log()
    finally:
        second.stop()


def test_audit_records_allowed_and_denied_calls(keyed):
    job = keyed.batch(**KEYS["operator"]).submit_job(jobName="audited", jobQueue="default",
                                                     jobDefinition="ok")["jobId"]
    error_of(lambda: keyed.batch(**KEYS["viewer"]).cancel_job(jobId=job, reason="no"))
    error_of(lambda: keyed.batch(**dict(KEYS["viewer"], aws_secret_access_key="wrong")).describe_jobs(jobs=[job]))
    keyed.batch(**KEYS["viewer"]).describe_jobs(jobs=[job])  # a read: not audited

    def records(*query):
        path = "/api/v1/audit" + ("?" + urllib.parse.urlencode(query) if query else "")
        status, _, answer = keyed.raw("GET", path, headers=signed(keyed, "GET", path, KEYS["admin"]))
        assert status == 200, answer
        return answer["records"]

    # Records are committed with the next turn, or within 100 ms; the last call's record comes last.
    poll_until(lambda: any(r["operation"] == "batch:DescribeJobs" for r in records(("actor", "AKIDVIEWER"))),
               "the refused calls are audited")
    submit = [r for r in records(("actor", "AKIDOPERATOR"), ("operation", "batch:SubmitJob")) if r["resource"] == job][0]
    assert submit["role"] == "operator" and submit["status"] == 200 and submit["error"] == ""
    assert submit["source"] == "127.0.0.1"
    viewer = records(("actor", "AKIDVIEWER"))
    cancel = [r for r in viewer if r["operation"] == "batch:CancelJob"][0]
    assert cancel["status"] == 403 and cancel["error"] == "AccessDeniedException" and cancel["resource"] == job
    bad = [r for r in viewer if r["operation"] == "batch:DescribeJobs"][0]
    assert bad["status"] == 403 and bad["error"] == "InvalidSignatureException" and bad["role"] == ""
    assert all(r["operation"] != "batch:DescribeJobs" or r["status"] == 403 for r in viewer)
    # Newest first, filtered by time, and the CLI shows the same.
    at = [r["at"] for r in records()]
    assert at == sorted(at, reverse=True)
    assert records(("since", "2999-01-01T00:00:00Z")) == []
    env = dict(os.environ, AWS_ACCESS_KEY_ID=KEYS["admin"]["aws_access_key_id"],
               AWS_SECRET_ACCESS_KEY=KEYS["admin"]["aws_secret_access_key"], COLUMNS="250")
    env.pop("NIGHTSHIFT_TOKEN", None)
    p = subprocess.run([BINARY, "audit", "--since", "1h", "--actor", "AKIDVIEWER", "--server", keyed.url],
                       capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 0 and "batch:CancelJob" in p.stdout and "AccessDeniedException" in p.stdout, p.stderr
