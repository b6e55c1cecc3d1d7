"""`nightshift run FILE`: the example ETL pipeline end to end in this process and on a real server;
a failing step, Ctrl-C, a missing param and an invalid file."""
import collections
import csv
import glob
import json
import os
import re
import signal
import subprocess
import textwrap
from datetime import datetime


from conftest import BINARY, read_line

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE = os.path.join(REPO, "examples", "etl", "nightly-etl.yaml")
LOGICAL_DATE = "2024-03-05T02:00:00+01:00"
DAY = "2024-03-05"
STEPS = ("analyzer", "aggregator", "deployer")


def nightshift_run(*args, env=None, timeout=120):
    return subprocess.run([BINARY, "run", *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=env)


def etl_args(workdir):
    """The example with its scratch and output dirs inside the test's own directory."""
    return ["--param", f"workdir={workdir}/etl", "--param", f"output={workdir}/published",
            "--logical-date", LOGICAL_DATE]


def write_pipeline(workdir, name, text):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path


def summary_row(stdout, step):
    """The summary table's cells for `step`: STEP STATE DURATION EXIT LOG."""
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split() == ["STEP", "STATE", "DURATION", "EXIT", "LOG"])
    for line in lines[header + 1:]:
        cells = line.split(None, 4)
        if cells and cells[0] == step:
            return cells
    raise AssertionError(f"no summary row for {step} in:\n{stdout}")


def assert_published(workdir):
    """The deployer's file holds the per-stop counts of exactly the analyzer's trips of DAY."""
    with open(os.path.join(workdir, "etl", DAY, "trips.csv")) as f:
        trips = list(csv.DictReader(f))
    assert len(trips) == 2000 and {t["date"] for t in trips} == {DAY}
    departures = collections.Counter(t["from_stop"] for t in trips)
    arrivals = collections.Counter(t["to_stop"] for t in trips)
    with open(os.path.join(workdir, "published", f"stop-counts-{DAY}.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [r["stop"] for r in rows] == sorted(departures | arrivals)
    assert {r["stop"]: (int(r["departures"]), int(r["arrivals"])) for r in rows} == {
        s: (departures[s], arrivals[s]) for s in departures | arrivals}
    assert not [n for n in os.listdir(os.path.join(workdir, "published")) if n.startswith(".")]


def test_example_runs_end_to_end_in_process(workdir):
    data_dir = os.path.join(workdir, "data")
    p = nightshift_run(EXAMPLE, *etl_args(workdir), "--data-dir", data_dir)
    assert p.returncode == 0, p.stdout + p.stderr
    for step in STEPS:
        assert summary_row(p.stdout, step)[1:4:2] == ["SUCCEEDED", "0"]
        # Not a terminal: plain lines as steps start and end.
        assert f"{step} started\n" in p.stdout
        assert re.search(rf"^{step} SUCCEEDED in \d+\.\ds$", p.stdout, re.M)
    assert re.search(r"^run \S+ of nightly-etl SUCCEEDED", p.stdout, re.M)
    assert data_dir in p.stdout
    assert_published(workdir)
    # The summary's log path is the analyzer's attempt log, inside the data dir.
    log = summary_row(p.stdout, "analyzer")[4]
    assert log.startswith(os.path.join(data_dir, "jobs") + "/") and log.endswith(".1.log")
    with open(log) as f:
        assert f"2000 trips for {DAY}" in f.read()


def test_json_output_is_the_final_run_in_a_fresh_data_dir(workdir):
    env = dict(os.environ, TMPDIR=workdir)
    p = nightshift_run(EXAMPLE, *etl_args(workdir), "--output", "json", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    run = json.loads(p.stdout)
    assert run["state"] == "SUCCEEDED" and run["pipeline"] == "nightly-etl"
    assert datetime.fromisoformat(run["logical_date"]) == datetime.fromisoformat(LOGICAL_DATE)
    assert [(s["name"], s["state"], s["exit_code"]) for s in run["steps"]] == [
        (s, "SUCCEEDED", 0) for s in STEPS]
    # The data dir was made under $TMPDIR and is kept for its logs.
    kept = glob.glob(os.path.join(workdir, "nightshift-run-*"))
    assert len(kept) == 1 and kept[0] in p.stderr
    assert os.path.isdir(os.path.join(kept[0], "jobs"))


def test_failed_middle_step_fails_the_run_and_skips_downstream(workdir):
    path = write_pipeline(workdir, "fails.yaml", """\
        name: fails-in-the-middle
        steps:
          first: {command: "true"}
          middle: {command: "echo about to fail; exit 3", depends_on: [first]}
          last: {command: "touch never-here", depends_on: [middle]}
        """)
    p = nightshift_run(path, "--data-dir", os.path.join(workdir, "data"))
    assert p.returncode == 1, p.stdout + p.stderr
    assert summary_row(p.stdout, "first")[1] == "SUCCEEDED"
    middle = summary_row(p.stdout, "middle")
    assert middle[1] == "FAILED" and middle[3] == "3"
    assert re.search(r"^middle FAILED in \S+ \(exit 3\)$", p.stdout, re.M)
    assert summary_row(p.stdout, "last")[1] == "SKIPPED"
    assert re.search(r"^run \S+ of fails-in-the-middle FAILED", p.stdout, re.M)
    with open(middle[4]) as f:
        assert "about to fail" in f.read()
    assert not os.path.exists(os.path.join(workdir, "never-here"))


def test_the_summary_names_the_log_of_a_steps_last_attempt(workdir):
    marker = os.path.join(workdir, "tried")
    path = write_pipeline(workdir, "retries.yaml", f"""\
        name: retries
        steps:
          flaky:
            command: "if [ -e {marker} ]; then echo second try; else touch {marker}; echo first try; exit 1; fi"
            retry: {{attempts: 2}}
          after: {{command: "echo after", depends_on: [flaky]}}
        """)
    p = nightshift_run(path, "--data-dir", os.path.join(workdir, "data"))
    assert p.returncode == 0, p.stdout + p.stderr
    flaky = summary_row(p.stdout, "flaky")
    assert flaky[1] == "SUCCEEDED" and flaky[4].endswith(".2.log"), flaky
    with open(flaky[4]) as f:
        assert "second try" in f.read()
    after = summary_row(p.stdout, "after")
    assert after[4].endswith(".1.log"), after
    with open(after[4]) as f:
        assert "after" in f.read()


def interrupt_slow_run(workdir):
    """Runs a pipeline whose first step sleeps, sends SIGINT once it has started; returns the
    exit status, stdout and stderr."""
    path = write_pipeline(workdir, "slow.yaml", """\
        name: slow
        steps:
          slow: {command: "exec sleep 60"}
          after: {command: "touch never-here", depends_on: [slow]}
        """)
    proc = subprocess.Popen([BINARY, "run", path, "--data-dir", os.path.join(workdir, "data")], cwd=workdir,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        assert read_line(proc.stdout) == "slow started\n"  # the event: the job runs
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, err


def test_ctrl_c_cancels_the_run_and_exits_1_once_it_has_ended(workdir):
    status, out, err = interrupt_slow_run(workdir)
    assert status == 1, out + err
    assert "cancelling" in err
    assert summary_row(out, "slow")[1] == "CANCELLED"
    assert summary_row(out, "after")[1] == "CANCELLED"
    assert re.search(r"^run \S+ of slow CANCELLED", out, re.M)
    assert not os.path.exists(os.path.join(workdir, "never-here"))


def test_missing_required_param_exits_2_and_runs_nothing(workdir):
    marker = os.path.join(workdir, "ran")
    path = write_pipeline(workdir, "needs-param.yaml", f"""\
        name: needs-param
        params: {{day: ~, region: berlin}}
        steps:
          only: {{command: ["touch", "{marker}"]}}
        """)
    env = dict(os.environ, TMPDIR=workdir)
    p = nightshift_run(path, "--param", "region=hamburg", env=env)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "day" in p.stderr and p.stdout == ""
    assert not os.path.exists(marker)
    assert glob.glob(os.path.join(workdir, "nightshift-run-*")) == []  # nothing ran: nothing kept


def test_invalid_file_exits_2_listing_every_problem_with_its_position(workdir):
    path = write_pipeline(workdir, "bad.yaml", """\
        name: bad
        steps:
          analyzer: {comand: ["true"]}
          aggregator: {command: "true", depends_on: [analyser]}
        """)
    p = nightshift_run(path, "--data-dir", os.path.join(workdir, "data"))
    assert p.returncode == 2, p.stdout + p.stderr
    problems = p.stderr.splitlines()
    assert len(problems) >= 2
    assert all(re.match(rf"{re.escape(path)}:\d+:\d+: ", line) for line in problems), p.stderr
    assert "comand" in p.stderr and "analyser" in p.stderr
    assert p.stdout == ""
    assert not os.path.exists(os.path.join(workdir, "data", "jobs"))


def test_pipeline_validate_checks_files_without_a_server(workdir):
    bad = write_pipeline(workdir, "bad.yaml", """\
        name: bad
        steps:
          a: {command: ["true"], depends_on: [c]}
          b: {comand: "true"}
          c: {command: "echo {{ params.nope }}", depends_on: [a]}
        """)

    def validate(*args):
        return subprocess.run([BINARY, "pipeline", "validate", *args], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    p = validate(EXAMPLE)
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"{EXAMPLE}: pipeline nightly-etl, 3 steps, schedule '0 2 * * *' Europe/Berlin: valid\n"

    # Every problem of every file, one line each with its position; a valid file beside them
    # still says so, and the exit status is 2.
    missing = os.path.join(workdir, "missing.yaml")
    p = validate(bad, EXAMPLE, missing, workdir)
    assert p.returncode == 2, p.stdout + p.stderr
    assert p.stdout.startswith(f"{EXAMPLE}: pipeline nightly-etl")
    lines = p.stderr.splitlines()
    assert [line for line in lines if line.startswith(bad)] == [
        f"{bad}:3:39: steps.a.depends_on[0]: cycle: a -> c -> a",
        f"{bad}:4:3: steps.b: needs 'command' (what to run) or 'definition' (a registered job definition)",
        f"{bad}:4:7: steps.b: unknown key 'comand' (did you mean 'command'?)",
        f"{bad}:5:16: steps.c.command: placeholder '{{{{ params.nope }}}}' at offset 5: "
        "no param 'nope' is declared in params"]
    assert f"{missing}: cannot read {missing}" in lines
    assert f"{workdir}: cannot read {workdir}: it is a directory" in lines

    p = validate("--output", "json", bad, EXAMPLE)
    assert p.returncode == 2
    report = json.loads(p.stdout)
    assert [(r["file"], r["valid"]) for r in report] == [(bad, False), (EXAMPLE, True)]
    assert report[0]["problems"][0] == {"line": 3, "column": 39,
                                        "message": "steps.a.depends_on[0]: cycle: a -> c -> a"}
    assert report[1]["pipeline"] == "nightly-etl" and report[1]["steps"] == 3
    assert report[1]["schedule"] == {"expression": "0 2 * * *", "timezone": "Europe/Berlin"}
    assert report[1]["problems"] == []


def test_example_runs_end_to_end_on_a_server(server, workdir):
    p = nightshift_run(EXAMPLE, *etl_args(workdir), "--server", server.url)
    assert p.returncode == 0, p.stdout + p.stderr + server.log()
    for step in STEPS:
        assert summary_row(p.stdout, step)[1:4:2] == ["SUCCEEDED", "0"]
        assert f"{step} started\n" in p.stdout
    assert_published(workdir)
    # The summary names the steps' CloudWatch log streams, which the server serves.
    stream = summary_row(p.stdout, "analyzer")[4]
    events = server.logs().get_log_events(logGroupName="/aws/batch/job", logStreamName=stream,
                                          startFromHead=True)["events"]
    assert any(f"2000 trips for {DAY}" in e["message"] for e in events)
    # Applied to the server, the pipeline keeps its file's schedule.
    status, _, pipeline = server.raw("GET", "/api/v1/pipelines/nightly-etl")
    assert status == 200 and pipeline["schedule"]["expression"] == "0 2 * * *"


def test_on_a_server_an_invalid_file_and_a_missing_param_exit_2(server, workdir):
    bad = write_pipeline(workdir, "bad.yaml", """\
        name: bad
        steps:
          a: {command: "true", depends_on: [nowhere]}
        """)
    p = nightshift_run(bad, "--server", server.url)
    assert p.returncode == 2 and re.match(rf"{re.escape(bad)}:\d+:\d+: .*nowhere", p.stderr), p.stderr
    needs = write_pipeline(workdir, "needs.yaml", """\
        name: needs
        params: {day: ~}
        steps:
          a: {command: "true"}
        """)
    p = nightshift_run(needs, "--server", server.url)
    assert p.returncode == 2 and "day" in p.stderr, p.stderr
    status, _, runs = server.raw("GET", "/api/v1/pipelines/needs/runs")
    assert status == 200 and runs["runs"] == []
