"""Pipelines on a server: apply (versions, every problem of a bad file), runs through the native
API and the `nightshift pipeline` CLI, rerun from the point of failure, cancel, history."""
import json
import os
import subprocess
import time

from conftest import BINARY

FLAKY = """
name: flaky
params: {marker: ~}
steps:
  extract: {command: [sh, -c, "echo extracted {{ ds }}"]}
  transform:
    # Fails until the marker file exists: the first run fails here, the rerun succeeds.
    command: "test -e {{ params.marker }} && echo transformed"
    depends_on: [extract]
  load: {command: [sh, -c, "echo loaded"], depends_on: [transform]}
  alert: {command: [sh, -c, "echo alert"], depends_on: [{step: transform, condition: failure}]}
"""

SLOW = """
name: slow
steps:
  wait: {command: [sleep, "300"]}
  after: {command: ["true"], depends_on: [wait]}
"""


def cli(server, *args):
    return subprocess.run([BINARY, *args, "--server", server.url], capture_output=True, text=True, timeout=60)


def write(workdir, name, text):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def wait_run(server, run_id, states=("SUCCEEDED", "FAILED", "CANCELLED"), deadline_s=30):
    deadline = time.monotonic() + deadline_s
    while True:
        status, _, run = server.raw("GET", f"/api/v1/runs/{run_id}")
        assert status == 200, run
        if run["state"] in states or time.monotonic() > deadline:
            return run
        time.sleep(0.02)


def wait_step(server, run_id, step, state, deadline_s=30):
    """Polls the run (bounded by a deadline) until `step` is in `state`."""
    deadline = time.monotonic() + deadline_s
    while True:
        run = wait_run(server, run_id, states=("RUNNING",))
        if steps(run)[step] == state:
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.02)


def steps(run):
    return {s["name"]: s["state"] for s in run["steps"]}


def test_apply_versions_and_every_problem_of_a_bad_file(server, workdir):
    path = write(workdir, "flaky.yaml", FLAKY)
    p = cli(server, "pipeline", "apply", path)
    assert p.returncode == 0 and "version 1 applied" in p.stdout, p.stderr
    p = cli(server, "pipeline", "apply", path)
    assert p.returncode == 0 and "version 1 unchanged" in p.stdout
    bad = write(workdir, "bad.yaml", "name: flaky\nstepz: {}\nsteps:\n  a: {command: [x], depends_on: [b]}\n"
                                     "  b: {comand: [y], depends_on: [a]}\n")
    p = cli(server, "pipeline", "apply", bad)
    assert p.returncode == 2
    for needle in ["bad.yaml:2:1:", "stepz", "bad.yaml:5:", "comand", "cycle"]:
        assert needle in p.stderr, p.stderr
    status, _, body = server.raw("POST", "/api/v1/pipelines", json.dumps({"source": "name: [", "base_dir": "/"}),
                                 {"Content-Type": "application/json"})
    assert status == 400 and body["__type"] == "ValidationException" and body["problems"][0]["line"] >= 1, body
    p = cli(server, "pipeline", "show", "flaky", "-o", "json")
    assert json.loads(p.stdout)["version"] == 1, "a refused file changes nothing"
    p = cli(server, "pipeline", "show", "nope")
    assert p.returncode == 2 and "pipeline nope does not exist" in p.stderr


def test_a_failed_run_skips_downstream_and_reruns_from_the_point_of_failure(server, workdir):
    marker = os.path.join(workdir, "marker")
    cli(server, "pipeline", "apply", write(workdir, "flaky.yaml", FLAKY))
    p = cli(server, "pipeline", "run", "flaky", "-p", f"marker={marker}", "--logical-date", "2027-01-02T02:00:00Z",
            "-o", "json")
    assert p.returncode == 0, p.stderr
    run = wait_run(server, json.loads(p.stdout)["id"])
    assert run["state"] == "FAILED" and "transform" in run["reason"], run
    assert steps(run) == {"extract": "SUCCEEDED", "transform": "FAILED", "load": "SKIPPED", "alert": "SUCCEEDED"}
    skipped = next(s for s in run["steps"] if s["name"] == "load")
    assert "transform" in skipped["reason"], skipped
    extract_job = next(s for s in run["steps"] if s["name"] == "extract")["job_id"]

    open(marker, "w").close()
    p = cli(server, "pipeline", "rerun", run["id"], "--from-failure")
    assert p.returncode == 0, p.stderr
    again = wait_run(server, run["id"])
    assert again["state"] == "SUCCEEDED", again
    assert again["tries"] == 2
    assert next(s for s in again["steps"] if s["name"] == "extract")["job_id"] == extract_job, "kept, not rerun"
    assert steps(again)["load"] == "SUCCEEDED"

    p = cli(server, "pipeline", "runs", "flaky", "-o", "json")
    assert [r["id"] for r in json.loads(p.stdout)["runs"]] == [run["id"]]
    p = cli(server, "pipeline", "rerun", run["id"], "--from-failure")
    assert p.returncode == 1 and "nothing to rerun" in p.stderr  # a conflict: the thing failed (issue #5 exit codes)


def test_cancel_stops_a_running_run_and_unknown_runs_are_clear_errors(server, workdir):
    cli(server, "pipeline", "apply", write(workdir, "slow.yaml", SLOW))
    status, _, run = server.raw("POST", "/api/v1/pipelines/slow/runs", "{}", {"Content-Type": "application/json"})
    assert status == 200, run
    wait_step(server, run["id"], "wait", "RUNNING")
    p = cli(server, "pipeline", "cancel", run["id"])
    assert p.returncode == 0, p.stderr
    done = wait_run(server, run["id"])
    assert done["state"] == "CANCELLED" and steps(done) == {"wait": "CANCELLED", "after": "CANCELLED"}, done
    p = cli(server, "pipeline", "status", "no-such-run")
    assert p.returncode == 2 and "run no-such-run does not exist" in p.stderr
    status, _, body = server.raw("POST", "/api/v1/pipelines/slow/runs", json.dumps({"params": {"x": "1"}}),
                                 {"Content-Type": "application/json"})
    assert status == 400 and "no such param" in body["message"], body
