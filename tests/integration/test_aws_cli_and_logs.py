"""The real aws CLI (Debian's aws-cli v2) and CloudWatch Logs GetLogEvents for job output."""
from conftest import register, wait_for


def test_aws_cli_submits_and_describes(server):
    server.aws("batch", "register-job-definition", "--job-definition-name", "hello", "--type", "container",
               "--container-properties", '{"command": ["sh", "-c", "echo hello from $AWS_BATCH_JOB_ID; echo oops >&2"]}')
    out = server.aws("batch", "submit-job", "--job-name", "hello", "--job-queue", "default",
                     "--job-definition", "hello")
    job_id = out["jobId"]
    job = wait_for(server.batch(), [job_id])[job_id]
    assert job["status"] == "SUCCEEDED"
    described = server.aws("batch", "describe-jobs", "--jobs", job_id)["jobs"][0]
    stream = described["container"]["logStreamName"]
    assert stream == described["attempts"][0]["container"]["logStreamName"]

    events = server.aws("logs", "get-log-events", "--log-group-name", "/aws/batch/job",
                        "--log-stream-name", stream, "--start-from-head")["events"]
    assert [e["message"] for e in events] == [f"hello from {job_id}", "oops"]
    assert all(e["timestamp"] >= job["startedAt"] for e in events)


def test_aws_cli_error_is_reported_like_aws(server):
    p = server.aws("batch", "submit-job", "--job-name", "x", "--job-queue", "nope", "--job-definition", "d",
                   check=False)
    assert p.returncode in (254, 255)
    assert "An error occurred (ClientException) when calling the SubmitJob operation" in p.stderr
    assert "nope" in p.stderr


def test_get_log_events_pages_forward_with_tokens(server):
    batch = server.batch()
    register(batch, "counter", ["sh", "-c", "for i in $(seq 1 25); do echo line-$i; done"])
    j = batch.submit_job(jobName="c", jobQueue="default", jobDefinition="counter")["jobId"]
    job = wait_for(batch, [j])[j]
    logs = server.logs()
    stream = job["container"]["logStreamName"]
    seen, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream, limit=10, **kwargs)
        if token == page["nextForwardToken"]:
            break
        seen += [e["message"] for e in page["events"]]
        token = page["nextForwardToken"]
    assert seen == [f"line-{i}" for i in range(1, 26)]
    tail = logs.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream, limit=5)
    assert [e["message"] for e in tail["events"]] == [f"line-{i}" for i in range(21, 26)]


def test_unknown_log_stream_is_resource_not_found(server):
    import botocore.exceptions
    import pytest
    with pytest.raises(botocore.exceptions.ClientError) as e:
        server.logs().get_log_events(logGroupName="/aws/batch/job", logStreamName="x/default/nope/1")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
