"""Secret environment values: a job definition's containerProperties.secrets [{name, valueFrom}]
read from files in the server's secrets directory when the attempt starts. The value reaches the
job, and nowhere else: not DescribeJobs or DescribeJobDefinitions (which show the reference), the
job's log, the event stream, the why explanation, the server's log or its store. A missing file, or
one outside the directory, fails the job with a reason naming the secret."""
import glob
import hashlib
import http.client
import os
import time

import botocore.exceptions
import pytest

from conftest import Server, register, wait_for

VALUE = "s3cr3t-Value-4711"
# The job proves it got the value by its digest: neither the command nor the log holds the value.
CHECK = ["sh", "-c", 'echo "len=${#DB_PASSWORD}"; printf %s "$DB_PASSWORD" | sha256sum | cut -d" " -f1; '
         '[ "$TOKEN" = "tok" ] && echo token-match']


@pytest.fixture
def secrets_server(workdir):
    secrets = os.path.join(workdir, "secrets")
    os.makedirs(secrets)
    with open(os.path.join(secrets, "db"), "w") as f:
        f.write(VALUE + "\n")
    with open(os.path.join(secrets, "token"), "w") as f:
        f.write("tok")
    s = Server(os.path.join(workdir, "data"), extra_args=["--secrets-dir", secrets]).start()
    s.secrets_dir = secrets
    yield s
    s.stop()


def submit(server, definition):
    batch = server.batch()
    job_id = batch.submit_job(jobName="s", jobQueue="default", jobDefinition=definition)["jobId"]
    return wait_for(batch, [job_id])[job_id]


def log_lines(server, job):
    stream = job["container"]["logStreamName"]
    return [e["message"] for e in server.logs().get_log_events(
        logGroupName="/aws/batch/job", logStreamName=stream, startFromHead=True)["events"]]


def event_stream_text(server, job_id, deadline_s=10):
    """The event stream from the start until the job's terminal event."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=deadline_s)
    conn.request("GET", "/api/v1/events?since=0&type=job")
    response = conn.getresponse()
    text = ""
    deadline = time.monotonic() + deadline_s
    while not (job_id in text and "SUCCEEDED" in text):
        assert time.monotonic() < deadline, "no terminal event for the job in the stream: " + text[-500:]
        text += response.read1(65536).decode()
    conn.close()
    return text


def test_a_secret_reaches_the_job_and_nothing_else(secrets_server, workdir):
    batch = secrets_server.batch()
    secrets = [{"name": "DB_PASSWORD", "valueFrom": "file://" + os.path.join(secrets_server.secrets_dir, "db")},
               {"name": "TOKEN", "valueFrom": "token"}]
    register(batch, "uses-secrets", CHECK, container={"secrets": secrets})
    job = submit(secrets_server, "uses-secrets")
    assert job["status"] == "SUCCEEDED", job
    lines = log_lines(secrets_server, job)
    assert lines == [f"len={len(VALUE)}", hashlib.sha256(VALUE.encode()).hexdigest(), "token-match"], lines

    described = str(batch.describe_jobs(jobs=[job["jobId"]]))
    assert job["container"]["secrets"] == secrets
    assert VALUE not in described
    definition = batch.describe_job_definitions(jobDefinitionName="uses-secrets")["jobDefinitions"][0]
    assert definition["containerProperties"]["secrets"] == secrets
    assert VALUE not in str(definition)
    assert VALUE not in str(secrets_server.raw("GET", f"/api/v1/jobs/{job['jobId']}/why"))
    assert VALUE not in event_stream_text(secrets_server, job["jobId"])
    assert VALUE not in secrets_server.log()
    for path in glob.glob(os.path.join(secrets_server.data_dir, "nightshift.db*")):
        with open(path, "rb") as f:
            assert VALUE.encode() not in f.read(), path


def test_a_missing_or_outside_secret_fails_the_job_naming_it(secrets_server):
    batch = secrets_server.batch()
    register(batch, "missing", CHECK, container={"secrets": [{"name": "DB_PASSWORD", "valueFrom": "nope"}]})
    job = submit(secrets_server, "missing")
    assert job["status"] == "FAILED"
    reason = job["statusReason"] + " " + job["container"].get("reason", "")
    assert "secret DB_PASSWORD (valueFrom nope)" in reason and "No such file or directory" in reason, job

    register(batch, "outside", CHECK, container={"secrets": [{"name": "X", "valueFrom": "file:///etc/hostname"}]})
    job = submit(secrets_server, "outside")
    assert job["status"] == "FAILED"
    assert "outside the server's secrets directory" in job["statusReason"] + job["container"].get("reason", ""), job


@pytest.mark.parametrize("value_from", ["arn:aws:secretsmanager:us-east-1:1:secret:db", "file:///a/../etc/shadow",
                                        "relative/path"])
def test_a_secret_reference_of_another_form_is_refused_at_registration(server, value_from):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        register(server.batch(), "bad", ["true"], container={"secrets": [{"name": "X", "valueFrom": value_from}]})
    assert e.value.response["Error"]["Code"] == "ClientException"
    assert "containerProperties.secrets[0].valueFrom" in e.value.response["Error"]["Message"]
