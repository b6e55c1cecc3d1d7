"""Bad input: every malformed or invalid request gets a 4xx AWS-style error and stores nothing."""
import json
import socket

import botocore.exceptions
import pytest

from conftest import register


def job_count(server):
    batch = server.batch()
    total = 0
    for status in ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"):
        total += len(batch.list_jobs(jobQueue="default", jobStatus=status)["jobSummaryList"])
    return total


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response


@pytest.mark.parametrize("body,needle", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"jobName": 5, "jobQueue": "default", "jobDefinition": "ok"}', "jobName must be a string"),
    ('{"jobQueue": "default", "jobDefinition": "ok"}', "jobName is required"),
    ('{"jobName": "x", "jobQueue": "nope", "jobDefinition": "ok"}', "job queue nope not found"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "missing"}', "missing not found"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "ok", "dependsOn": [{"jobId": "no-such-job"}]}',
     "no-such-job not found"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "ok", "arrayProperties": {"size": 100001}}',
     "arrayProperties.size"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "ok", "arrayProperties": {"size": 1}}',
     "arrayProperties.size"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "ok", "retryStrategy": {"attempts": 11}}',
     "retryStrategy.attempts"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "ok", "nodeOverrides": {}}', "nodeOverrides"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "ok", "jobNmae": "typo"}', "jobNmae"),
    ('{"jobName": "-bad", "jobQueue": "default", "jobDefinition": "ok"}', "jobName must start"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "ok", "dependsOn": [{"jobId": "a", "type": "BOGUS"}]}',
     "dependsOn[0].type"),
    ('{"jobName": "x", "jobQueue": "default", "jobDefinition": "ok", '
     '"containerOverrides": {"environment": [{"name": "AWS_BATCH_X", "value": "1"}]}}', "reserved"),
])
def test_bad_submit_is_a_client_exception_and_stores_nothing(server, body, needle):
    register(server.batch(), "ok", ["true"])
    before = job_count(server)
    status, headers, payload = server.raw("POST", "/v1/submitjob", body, {"Content-Type": "application/json"})
    assert status == 400, payload
    assert headers.get("x-amzn-ErrorType") == "ClientException"
    assert payload["__type"] == "ClientException"
    assert needle in payload["message"], payload["message"]
    assert job_count(server) == before


def test_unknown_job_in_describe_is_absent_and_cancel_is_an_error(server):
    batch = server.batch()
    assert batch.describe_jobs(jobs=["no-such-job"])["jobs"] == []
    err = client_error(lambda: batch.cancel_job(jobId="no-such-job", reason="x"))
    assert err["Error"]["Code"] == "ClientException"
    assert "no-such-job" in err["Error"]["Message"]


def test_invalid_names_and_duplicates_are_rejected(server):
    batch = server.batch()
    err = client_error(lambda: batch.create_compute_environment(computeEnvironmentName="bad name!", type="UNMANAGED"))
    assert "computeEnvironmentName" in err["Error"]["Message"]
    err = client_error(lambda: batch.create_compute_environment(computeEnvironmentName="default", type="UNMANAGED"))
    assert "already exists" in err["Error"]["Message"]
    err = client_error(lambda: batch.create_job_queue(
        jobQueueName="q2", priority=1, computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ghost"}]))
    assert "ghost" in err["Error"]["Message"]
    assert [q["jobQueueName"] for q in batch.describe_job_queues()["jobQueues"]] == ["default"]


def test_an_image_reference_with_invalid_characters_is_refused_and_nothing_stored(server):
    err = client_error(lambda: register(server.batch(), "img", ["true"], container={"image": "busy box;rm"}))
    assert "containerProperties.image: invalid character ' '" in err["Error"]["Message"]
    assert server.batch().describe_job_definitions(jobDefinitionName="img")["jobDefinitions"] == []


def test_invalid_retry_pattern_is_rejected(server):
    err = client_error(lambda: register(server.batch(), "bad-retry", ["true"], retryStrategy={
        "attempts": 2, "evaluateOnExit": [{"onExitCode": "4x", "action": "RETRY"}]}))
    assert "onExitCode" in err["Error"]["Message"]


def test_oversized_body_is_rejected_without_crash(server):
    # Announce a 2 MiB body: the server answers 413 from the headers alone and closes.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/submitjob HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 2097152\r\n\r\n{")
        reply = sock.recv(4096).decode()
    assert reply.startswith("HTTP/1.1 413"), reply
    status, _, payload = server.raw("GET", "/healthz")
    assert status == 200 and payload["status"] == "ok"


def test_unknown_operation_and_route(server):
    status, headers, payload = server.raw("POST", "/v1/frobnicate", "{}")
    assert status == 404 and payload["__type"] == "UnknownOperationException"
    status, _, payload = server.raw("GET", "/nope")
    assert status == 404
