"""`nightshift why` and GET /api/v1/jobs/{id}/why against a real server: each waiting reason
(a dependency, capacity in numbers, a disabled compute environment, a retry backoff) and why a job
ended (its attempts; a cascade down to the job that failed by itself)."""
import json

from conftest import poll_until
from test_cli import as_json, cli, ok, wait_status


def why(server, job_id):
    return as_json(cli(server, "why", job_id, "-o", "json"))


def kinds(answer, kind):
    return [f["text"] for f in answer["facts"] if f["kind"] == kind]


def submit(server, definition, *args):
    return ok(cli(server, "job", "submit", "-d", definition, "--quiet", *args)).stdout.strip()


def test_why_a_job_waits_on_a_dependency_and_on_capacity(server):
    ok(cli(server, "ce", "create", "one", "--vcpus", "1"))
    ok(cli(server, "queue", "create", "narrow", "--ce", "one"))
    ok(cli(server, "jobdef", "register", "hold", "--", "sleep", "60"))
    holder = submit(server, "hold", "-q", "narrow", "-n", "holder")
    poll_until(lambda: why(server, holder)["status"] == "RUNNING", "the holder runs")
    waiting = submit(server, "hold", "-q", "narrow", "-n", "waiting")
    dependent = submit(server, "hold", "-q", "narrow", "-n", "dependent", "--depends-on", holder)

    answer = why(server, waiting)
    assert answer["status"] == "RUNNABLE"
    assert answer["summary"] == ("Waiting for capacity: needs 1 vCPU; "
                                 "compute environment one has 0 of 1 vCPU free")
    assert kinds(answer, "capacity") == [
        "compute environment one: 1 of 1 vCPU in use by 1 job; this job needs 1 vCPU"]
    # The same words are the job's statusReason in DescribeJobs.
    described = server.aws("batch", "describe-jobs", "--jobs", waiting)["jobs"][0]
    assert described["statusReason"] == answer["summary"]

    answer = why(server, dependent)
    assert answer["status"] == "PENDING"
    assert answer["summary"] == f"Waiting for job {holder} (holder), which is RUNNING"
    assert kinds(answer, "dependency") == [f"job {holder} (holder) is RUNNING; it must succeed"]

    table = ok(cli(server, "why", dependent)).stdout.splitlines()
    assert table[0] == f"{dependent} PENDING: Waiting for job {holder} (holder), which is RUNNING"
    assert table[1] == f"  dependency: job {holder} (holder) is RUNNING; it must succeed"
    for job in (holder, waiting, dependent):
        ok(cli(server, "job", "terminate", job, "--reason", "test over"))


def test_why_names_a_disabled_compute_environment(server):
    ok(cli(server, "ce", "create", "parked", "--vcpus", "2", "--disabled"))
    ok(cli(server, "queue", "create", "parked-q", "--ce", "parked"))
    ok(cli(server, "jobdef", "register", "quick", "--", "true"))
    job = submit(server, "quick", "-q", "parked-q")
    poll_until(lambda: why(server, job)["status"] == "RUNNABLE", "the job is runnable")
    answer = why(server, job)
    assert "compute environment parked is DISABLED" in answer["summary"]
    assert kinds(answer, "compute_environment") == [
        "compute environment parked is DISABLED: it starts no jobs"]
    ok(cli(server, "ce", "update", "parked", "--state", "ENABLED"))
    assert wait_status(server, job)["status"] == "SUCCEEDED"
    answer = why(server, job)
    assert answer["summary"] == "Essential container in task exited"
    assert len(kinds(answer, "attempt")) == 1 and "exit code 0" in kinds(answer, "attempt")[0]


def test_why_a_failure_cascaded_names_the_job_that_failed_by_itself(server):
    ok(cli(server, "jobdef", "register", "broken", "--", "sh", "-c", "exit 3"))
    ok(cli(server, "jobdef", "register", "fine", "--", "true"))
    extract = submit(server, "broken", "-n", "extract")
    transform = submit(server, "fine", "-n", "transform", "--depends-on", extract)
    load = submit(server, "fine", "-n", "load", "--depends-on", transform)
    assert wait_status(server, load)["status"] == "FAILED"
    answer = why(server, load)
    assert answer["status"] == "FAILED"
    assert f"the cascade started at job {extract} (extract)" in answer["summary"]
    causes = kinds(answer, "cause")
    assert len(causes) == 2
    assert causes[0].startswith(f"job {transform} (transform) ended FAILED")
    assert causes[1].startswith(f"job {extract} (extract) ended FAILED")
    root = why(server, extract)
    assert "exit code 3" in kinds(root, "attempt")[0]


def test_why_a_step_waits_in_its_retry_backoff(server, tmp_path):
    pipeline = tmp_path / "backoff.yaml"
    pipeline.write_text(
        "name: backoff\n"
        "steps:\n"
        "  flaky:\n"
        "    command: [sh, -c, 'exit 1']\n"
        "    retry: {attempts: 3, backoff: {delay: 1h}}\n")
    ok(cli(server, "pipeline", "apply", str(pipeline)))
    run_id = as_json(cli(server, "pipeline", "run", "backoff", "-o", "json"))["id"]

    def step_job():
        return server.raw("GET", f"/api/v1/runs/{run_id}")[2]["steps"][0].get("job_id")

    poll_until(lambda: step_job() and kinds(why(server, step_job()), "backoff"),
             "the step waits in its backoff")
    answer = why(server, step_job())
    assert answer["status"] == "RUNNABLE"
    assert answer["summary"].startswith("Retry backoff until ")
    assert len(kinds(answer, "attempt")) == 1
    ok(cli(server, "pipeline", "cancel", run_id))


def test_why_an_unknown_job_is_exit_2_and_a_404(server):
    p = cli(server, "why", "no-such-job")
    assert p.returncode == 2, p.stderr
    assert "no-such-job" in p.stderr
    status, _, body = server.raw("GET", "/api/v1/jobs/no-such-job/why")
    assert status == 404 or status == 400, (status, body)
    assert "no-such-job" in json.dumps(body)
