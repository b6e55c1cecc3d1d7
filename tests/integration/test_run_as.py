"""Who jobs run as, against a real server running as root (CI): a queue's or compute environment's
run-as tag (set through boto3 and the nightshift CLI), the job definition's containerProperties.user,
the refusal of jobs that name no user, and an unknown user failing the job but not the server.
Each job prints `id -u` and friends; the test reads them from its log."""
import os
import pwd
import subprocess

import botocore.exceptions
import pytest

from conftest import BINARY, Server, register, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="running jobs as another user needs a root server")

RUN_AS_TAG = "nightshift:runAs"
TEST_USER = "nightshift-it"
WHO = ["sh", "-c", 'id -u; id -g; pwd; echo "home=$HOME user=$USER"; echo x > made-here && echo wrote']


@pytest.fixture(scope="module")
def test_user():
    """A throwaway system user (created once if missing; left for later runs)."""
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", TEST_USER], check=True, capture_output=True)
        return pwd.getpwnam(TEST_USER)


@pytest.fixture
def strict_server(workdir):
    """A root server with the default policy: jobs that name no user are refused."""
    s = Server(os.path.join(workdir, "data"), allow_root_jobs=False).start()
    yield s
    s.stop()


def output(server, job):
    stream = job["container"]["logStreamName"]
    events = server.logs().get_log_events(logGroupName="/aws/batch/job", logStreamName=stream,
                                          startFromHead=True)["events"]
    return [e["message"] for e in events]


def run(server, queue, definition="who", **submit):
    batch = server.batch()
    job_id = batch.submit_job(jobName="j", jobQueue=queue, jobDefinition=definition, **submit)["jobId"]
    return wait_for(batch, [job_id])[job_id]


def nightshift(server, *args):
    p = subprocess.run([BINARY, *args, "--server", server.url], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_a_root_server_refuses_a_job_that_names_no_user(strict_server):
    register(strict_server.batch(), "who", WHO)
    job = run(strict_server, "default")
    assert job["status"] == "FAILED"
    reason = job["statusReason"] + " " + job["container"].get("reason", "")
    assert "refusing to run the job as root" in reason, job
    assert "--allow-root-jobs" in reason and "job queue default" in reason
    assert strict_server.raw("GET", "/healthz")[0] == 200


def test_jobs_run_as_the_compute_environments_user_unless_the_queue_names_another(strict_server, test_user):
    batch = strict_server.batch()
    register(batch, "who", WHO)
    batch.create_compute_environment(computeEnvironmentName="as-nobody", type="UNMANAGED",
                                     tags={RUN_AS_TAG: "nobody"})
    batch.create_job_queue(jobQueueName="q-ce", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "as-nobody"}])
    nightshift(strict_server, "queue", "create", "q-user", "--ce", "as-nobody", "--run-as", TEST_USER)

    job = run(strict_server, "q-ce")
    assert job["status"] == "SUCCEEDED", job
    lines = output(strict_server, job)
    nobody = pwd.getpwnam("nobody")
    assert lines[:2] == [str(nobody.pw_uid), str(nobody.pw_gid)], lines
    assert lines[2].endswith("/work"), lines  # its own directory, which it may write to
    assert f"home={nobody.pw_dir} user=nobody" in lines and "wrote" in lines

    job = run(strict_server, "q-user")
    assert job["status"] == "SUCCEEDED", job
    lines = output(strict_server, job)
    assert lines[:2] == [str(test_user.pw_uid), str(test_user.pw_gid)], lines
    assert f"user={TEST_USER}" in lines[3]


def test_the_job_definitions_user_applies_when_queue_and_ce_name_none(strict_server):
    batch = strict_server.batch()
    register(batch, "who", WHO, container={"user": "nobody"})
    job = run(strict_server, "default")
    assert job["status"] == "SUCCEEDED", job
    assert output(strict_server, job)[0] == str(pwd.getpwnam("nobody").pw_uid)
    assert batch.describe_job_definitions(jobDefinitionName="who")["jobDefinitions"][0][
        "containerProperties"]["user"] == "nobody"


def test_an_unknown_user_fails_the_job_clearly_and_the_server_carries_on(strict_server):
    batch = strict_server.batch()
    register(batch, "who", WHO)
    batch.create_job_queue(jobQueueName="q-ghost", priority=1, tags={RUN_AS_TAG: "no-such-user-x"},
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "default"}])
    job = run(strict_server, "q-ghost")
    assert job["status"] == "FAILED"
    reason = job["statusReason"] + " " + job["container"].get("reason", "")
    assert "cannot run the job as no-such-user-x: no such user no-such-user-x" in reason, job
    assert strict_server.raw("GET", "/healthz")[0] == 200
    register(batch, "who-root", WHO, container={"user": "root"})  # explicitly root: allowed
    job = run(strict_server, "default", definition="who-root")
    assert job["status"] == "SUCCEEDED" and output(strict_server, job)[0] == "0"


def test_a_run_as_tag_that_is_not_a_user_name_is_refused(strict_server):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        strict_server.batch().create_compute_environment(computeEnvironmentName="bad", type="UNMANAGED",
                                                         tags={RUN_AS_TAG: "a b"})
    assert e.value.response["Error"]["Code"] == "ClientException"
    assert "is not a user name" in e.value.response["Error"]["Message"]
