"""The `nightshift` client verbs against a real server: every batch verb in table and JSON output,
exit codes, --help, suggestions, an unreachable server, logs -f on a running job, the config file
with environment and flag precedence, JSON server logs, shell completion."""
import json
import os
import selectors
import shutil
import socket
import subprocess
import tomllib

import pytest

from conftest import BINARY, Server, poll_until, read_line

WIDE = {"COLUMNS": "250"}  # tables are cut to the width; keep whole IDs in these tests


def run(*args, env=None, timeout=60):
    full_env = dict(os.environ, **(env or {}))
    if not env or "NIGHTSHIFT_SERVER" not in env:
        full_env.pop("NIGHTSHIFT_SERVER", None)
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, env=full_env)


def cli(server, *args, env=None):
    """Runs a client verb against `server` (--server goes before a `--` that starts a job's argv)."""
    args = list(args)
    at = args.index("--") if "--" in args else len(args)
    return run(*args[:at], "--server", server.url, *args[at:], env=dict(WIDE, **(env or {})))


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
    return p


def as_json(p):
    return json.loads(ok(p).stdout)


def wait_status(server, job_id, states=("SUCCEEDED", "FAILED"), deadline_s=30):
    shown = {}

    def reached():
        shown.update(as_json(cli(server, "job", "show", job_id, "-o", "json")))
        return shown["status"] in states

    poll_until(reached, f"job {job_id} is one of {states}", deadline_s)
    return shown


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_compute_environments_in_table_and_json(server):
    ok(cli(server, "ce", "create", "extra", "--vcpus", "3"))
    table = ok(cli(server, "ce", "list")).stdout.splitlines()
    assert table[0].split()[:4] == ["NAME", "TYPE", "STATE", "STATUS"]
    assert any(line.split()[:5] == ["extra", "UNMANAGED", "ENABLED", "VALID", "3"] for line in table), table
    listed = as_json(cli(server, "ce", "list", "-o", "json"))
    assert {c["computeEnvironmentName"] for c in listed["computeEnvironments"]} == {"default", "extra"}
    ok(cli(server, "ce", "update", "extra", "--vcpus", "5", "--state", "DISABLED"))
    shown = as_json(cli(server, "ce", "show", "extra", "-o", "json"))
    assert shown["state"] == "DISABLED" and shown["unmanagedvCpus"] == 5
    ok(cli(server, "ce", "create", "big", "--type", "MANAGED", "--vcpus", "8"))
    assert as_json(cli(server, "ce", "show", "big", "-o", "json"))["computeResources"]["maxvCpus"] == 8
    assert "deleted compute environment extra" in ok(cli(server, "ce", "delete", "extra")).stdout
    p = cli(server, "ce", "show", "extra")
    assert p.returncode == 2 and "compute environment extra does not exist" in p.stderr
    p = cli(server, "ce", "create", "big", "--type", "MANAGED", "--vcpus", "8")  # the engine: invalid input
    assert p.returncode == 2 and "already exists" in p.stderr, p.stderr


def test_queues_in_table_and_json(server):
    ok(cli(server, "queue", "create", "urgent", "--priority", "10", "--ce", "default"))
    table = ok(cli(server, "queue", "list")).stdout
    assert any(l.split()[:5] == ["urgent", "10", "ENABLED", "VALID", "default"] for l in table.splitlines()), table
    ok(cli(server, "queue", "update", "urgent", "--priority", "20", "--state", "DISABLED"))
    q = as_json(cli(server, "queue", "show", "urgent", "-o", "json"))
    assert q["priority"] == 20 and q["state"] == "DISABLED"
    assert len(as_json(cli(server, "queue", "list", "-o", "json"))["jobQueues"]) == 2
    ok(cli(server, "queue", "delete", "urgent"))
    assert cli(server, "queue", "show", "urgent").returncode == 2


def test_job_definitions_in_table_and_json(server):
    assert "registered job definition hello:1" in ok(cli(server, "jobdef", "register", "hello", "--", "echo", "hi")).stdout
    ok(cli(server, "jobdef", "register", "hello", "--command", "echo again", "--vcpus", "1", "--memory", "64",
           "--env", "A=1", "--timeout", "30", "--retry-attempts", "2"))
    rows = [l.split() for l in ok(cli(server, "jobdef", "list")).stdout.splitlines()]
    assert rows[0] == ["NAME", "REVISION", "STATUS", "COMMAND"]
    assert ["hello", "1", "ACTIVE", "echo", "hi"] in rows, rows
    d = as_json(cli(server, "jobdef", "show", "hello", "-o", "json"))
    assert d["revision"] == 2 and d["containerProperties"]["command"] == ["/bin/sh", "-c", "echo again"]
    assert d["retryStrategy"]["attempts"] == 2 and d["timeout"]["attemptDurationSeconds"] == 30
    ok(cli(server, "jobdef", "deregister", "hello:1"))
    listed = as_json(cli(server, "jobdef", "list", "--status", "INACTIVE", "-o", "json"))["jobDefinitions"]
    assert [(x["jobDefinitionName"], x["revision"]) for x in listed] == [("hello", 1)]
    p = cli(server, "jobdef", "register", "nocommand")
    assert p.returncode == 2 and "needs a command" in p.stderr


def test_jobs_submit_list_show_cancel_terminate(server):
    ok(cli(server, "jobdef", "register", "work", "--", "sh", "-c", "echo $GREETING; exit ${CODE:-0}"))
    first = ok(cli(server, "job", "submit", "-d", "work", "--env", "GREETING=hello", "--quiet")).stdout.strip()
    assert wait_status(server, first)["status"] == "SUCCEEDED"
    failed = ok(cli(server, "job", "submit", "-d", "work", "-n", "failing", "--env", "CODE=3", "--quiet")).stdout.strip()
    job = wait_status(server, failed)
    assert job["status"] == "FAILED" and job["container"]["exitCode"] == 3
    # Dependencies (with a type) and arrays.
    submitted = as_json(cli(server, "job", "submit", "-d", "work", "-n", "after", "--depends-on", f"{failed}:afternotok",
                            "--depends-on", first, "--array-size", "3", "-o", "json"))
    parent = submitted["jobId"]
    detail = wait_status(server, parent)
    assert detail["status"] == "SUCCEEDED" and detail["arrayProperties"]["size"] == 3
    # It ran after a failed parent: the afternotok type reached the server.
    assert {d["jobId"] for d in detail["dependsOn"]} == {failed, first}
    children = as_json(cli(server, "job", "list", "--array-parent", parent, "-o", "json"))["jobSummaryList"]
    assert sorted(c["jobId"] for c in children) == [f"{parent}:{i}" for i in range(3)]
    # The list: newest first, every status by default, filters, pages.
    listed = as_json(cli(server, "job", "list", "-o", "json"))["jobSummaryList"]
    assert [j["jobId"] for j in listed] == [parent, failed, first]
    table = ok(cli(server, "job", "list")).stdout.splitlines()
    assert table[0].split()[:3] == ["JOB", "ID", "NAME"] and table[1].startswith(parent)
    assert [j["jobId"] for j in as_json(cli(server, "job", "list", "-s", "FAILED", "-o", "json"))["jobSummaryList"]] == [failed]
    assert [j["jobId"] for j in as_json(cli(server, "job", "list", "-n", "fail*", "-o", "json"))["jobSummaryList"]] == [failed]
    page = as_json(cli(server, "job", "list", "--limit", "2", "-o", "json"))
    assert len(page["jobSummaryList"]) == 2 and "nextToken" in page
    rest = as_json(cli(server, "job", "list", "--limit", "2", "--next-token", page["nextToken"], "-o", "json"))
    assert [j["jobId"] for j in rest["jobSummaryList"]] == [first]
    assert "more jobs: add --next-token" in ok(cli(server, "job", "list", "--limit", "1")).stdout
    shown = ok(cli(server, "job", "show", failed)).stdout
    assert "FAILED" in shown and "ATTEMPT" in shown and "work/default/" in shown
    # Cancel does not stop a started job (AWS), terminate does.
    ok(cli(server, "jobdef", "register", "slow", "--", "sleep", "60"))
    slow = ok(cli(server, "job", "submit", "-d", "slow", "--quiet")).stdout.strip()
    wait_status(server, slow, states=("RUNNING",))
    p = ok(cli(server, "job", "cancel", slow, "--reason", "nope"))
    assert "cancel does not stop a started job" in p.stderr
    ok(cli(server, "job", "terminate", slow, "--reason", "enough"))
    job = wait_status(server, slow)
    assert job["status"] == "FAILED" and job["statusReason"] == "enough"


def test_exit_codes_and_server_messages(server):
    p = cli(server, "job", "show", "no-such-job")
    assert p.returncode == 2 and p.stderr.strip() == "nightshift: job no-such-job does not exist"
    p = cli(server, "job", "submit", "-d", "missing")  # the server's message, as it says it
    assert p.returncode == 2 and "missing" in p.stderr and p.stderr.startswith("nightshift: ")
    p = cli(server, "job", "submit", "-d", "x", "--env", "NOEQUALS")
    assert p.returncode == 2 and "--env takes KEY=VALUE" in p.stderr
    p = cli(server, "job", "list", "--status", "BOGUS")
    assert p.returncode == 2
    p = cli(server, "ce", "delete", "default")  # the server's message, as it says it
    assert p.returncode == 2 and "must be DISABLED" in p.stderr, p.stderr
    ok(cli(server, "jobdef", "register", "d", "--", "true"))
    ok(cli(server, "schedule", "create", "s", "-e", "0 2 * * *", "-d", "d"))
    p = cli(server, "schedule", "create", "s", "-e", "0 2 * * *", "-d", "d")  # a conflict: the thing failed
    assert p.returncode == 1 and p.stderr.startswith("nightshift: ") and "exists" in p.stderr, p.stderr


def test_help_on_every_verb():
    top = ok(run("--help")).stdout
    for group in ["server", "ce", "queue", "jobdef", "job", "logs", "schedule", "pipeline", "run", "completion"]:
        assert group in top
    tree = {"ce": ["create", "list", "show", "update", "delete"], "queue": ["create", "list", "show", "update", "delete"],
            "jobdef": ["register", "list", "show", "deregister"], "job": ["submit", "list", "show", "cancel", "terminate"]}
    for group, verbs in tree.items():
        assert all(v in ok(run(group, "--help")).stdout for v in verbs)
        for verb in verbs:
            p = ok(run(group, verb, "--help"))
            assert "--server" in p.stdout and "Usage" in p.stdout, (group, verb)
    assert "--follow" in ok(run("logs", "--help")).stdout
    assert "--print-config" in ok(run("server", "--help")).stdout


def test_unknown_verbs_and_flags_suggest_the_nearest():
    p = run("jbo", "list")
    assert p.returncode == 2 and "unknown command 'jbo' (did you mean 'job'?)" in p.stderr, p.stderr
    p = run("job", "sumbit")
    assert p.returncode == 2 and "nightshift job: unknown command 'sumbit' (did you mean 'submit'?)" in p.stderr
    p = run("job", "submit", "--defintion", "x")
    assert p.returncode == 2 and "unknown flag '--defintion' (did you mean '--definition'?)" in p.stderr, p.stderr
    p = run("job")
    assert p.returncode == 2 and "a command is required: submit, list, show, cancel, terminate" in p.stderr


def test_an_unreachable_server_is_one_clear_line(workdir):
    url = f"http://127.0.0.1:{free_port()}"
    p = run("job", "list", "--server", url)
    assert p.returncode == 1
    assert p.stderr == f"nightshift: cannot reach the server at {url}: connection refused (start it with: nightshift server)\n"
    p = run("queue", "list", env={"NIGHTSHIFT_SERVER": url, "XDG_CONFIG_HOME": workdir})
    assert p.returncode == 1 and url in p.stderr


def test_logs_follow_sees_lines_before_the_job_ends(server):
    script = "for i in 1 2 3 4 5; do echo line $i; sleep 0.25; done"
    ok(cli(server, "jobdef", "register", "talk", "--command", script))
    job_id = ok(cli(server, "job", "submit", "-d", "talk", "--quiet")).stdout.strip()
    proc = subprocess.Popen([BINARY, "logs", job_id, "-f", "--server", server.url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first_line = read_line(proc.stdout)
    assert first_line == "line 1\n"
    # The job was still running when the first line arrived.
    assert as_json(cli(server, "job", "show", job_id, "-o", "json"))["status"] == "RUNNING"
    rest, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert rest.splitlines() == [f"line {i}" for i in range(2, 6)]
    assert wait_status(server, job_id)["status"] == "SUCCEEDED"
    # Without -f: what the log holds; --attempt picks one.
    assert ok(cli(server, "logs", job_id)).stdout.splitlines() == [f"line {i}" for i in range(1, 6)]
    assert ok(cli(server, "logs", job_id, "--attempt", "1")).stdout.count("line") == 5


def test_logs_follow_exits_1_for_a_failed_job_and_follows_its_retries(server):
    # The first attempt lasts long enough for logs -f to start on it.
    ok(cli(server, "jobdef", "register", "flaky", "--retry-attempts", "2", "--command",
           "echo attempt $AWS_BATCH_JOB_ATTEMPT; if [ $AWS_BATCH_JOB_ATTEMPT = 1 ]; then sleep 1; fi; exit 4"))
    job_id = ok(cli(server, "job", "submit", "-d", "flaky", "--quiet")).stdout.strip()
    p = cli(server, "logs", job_id, "-f")
    assert p.returncode == 1, p.stderr
    assert p.stdout.splitlines() == ["attempt 1", "attempt 2"]
    assert "FAILED" in p.stderr
    assert cli(server, "logs", "no-such-job").returncode == 2


def test_logs_route_streams_server_sent_events(server):
    ok(cli(server, "jobdef", "register", "one", "--", "echo", "hello"))
    job_id = ok(cli(server, "job", "submit", "-d", "one", "--quiet")).stdout.strip()
    wait_status(server, job_id)
    status, headers, body = server.raw("GET", f"/api/v1/jobs/{job_id}/logs?follow=true")
    assert status == 200 and headers["Content-Type"] == "text/event-stream"
    events = [e for e in body.split("\n\n") if e.strip()]
    assert events[0].startswith("event: log\ndata: ")
    assert json.loads(events[0].split("data: ", 1)[1])["message"] == "hello"
    end = json.loads(events[-1].split("data: ", 1)[1])
    assert events[-1].startswith("event: end") and end["status"] == "SUCCEEDED" and end["exitCode"] == 0
    status, _, _ = server.raw("GET", f"/api/v1/jobs/{job_id}/logs?attempt=99")
    assert status == 400


def test_print_config_file_env_and_flag_precedence(workdir):
    config_dir = os.path.join(workdir, "xdg", "nightshift")
    os.makedirs(config_dir)
    with open(os.path.join(config_dir, "config.toml"), "w") as f:
        f.write('listen = "127.0.0.1:7001"\nregion = "eu-west-1"\nlog_format = "json"\nserver = "http://127.0.0.1:7001"\n')
    env = {"XDG_CONFIG_HOME": os.path.join(workdir, "xdg"), "NIGHTSHIFT_REGION": "ap-south-1",
           "NIGHTSHIFT_LISTEN": "127.0.0.1:7002"}
    p = ok(run("server", "--print-config", "--listen", "127.0.0.1:7003", env=env))
    config = tomllib.loads(p.stdout)
    assert config["listen"] == "127.0.0.1:7003"  # flag over env over file
    assert config["region"] == "ap-south-1"  # env over file
    assert config["log_format"] == "json"  # file over default
    assert config["realtime_priority"] == 0  # default
    assert "# from --listen" in p.stdout and "# from NIGHTSHIFT_REGION" in p.stdout and "config.toml:3" in p.stdout
    # The client verbs read `server` from the same file.
    p = run("job", "list", env=env)
    assert p.returncode == 1 and "http://127.0.0.1:7001" in p.stderr, p.stderr
    # An unknown key names itself, its line and the nearest valid key.
    bad = os.path.join(workdir, "bad.toml")
    with open(bad, "w") as f:
        f.write('region = "x"\nlisen = "127.0.0.1:1"\n')
    p = run("server", "--print-config", "--config", bad)
    assert p.returncode == 2
    assert p.stderr.strip() == f"nightshift: {bad}:2:1: unknown key 'lisen' (did you mean 'listen'?)"
    p = run("server", "--print-config", env={"NIGHTSHIFT_REALTIME_PRIORITY": "100", "XDG_CONFIG_HOME": workdir})
    assert p.returncode == 2 and "NIGHTSHIFT_REALTIME_PRIORITY" in p.stderr


def test_server_logs_as_json_lines(workdir):
    s = Server(os.path.join(workdir, "data"), extra_args=["--log-format", "json"]).start()
    try:
        ok(cli(s, "job", "list"))
    finally:
        s.stop()
    lines = [l for l in s.log().splitlines() if l.strip()]
    assert len(lines) >= 2
    for line in lines:
        record = json.loads(line)
        assert set(record) == {"time", "level", "message"}
    assert any("listening on" in json.loads(l)["message"] for l in lines)


def test_completion_scripts_come_from_the_command_table():
    script = ok(run("completion", "bash")).stdout
    def complete(*words):
        line = " ".join(words)
        p = subprocess.run(["bash", "-c", script + f"\nCOMP_WORDS=(nightshift {line}); COMP_CWORD={len(words)}; "
                            "_nightshift; printf '%s\\n' \"${COMPREPLY[@]}\""], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        return p.stdout.split()
    assert sorted(complete("jo")) == ["job", "jobdef"]
    assert complete("job", "su") == ["submit"]
    assert "--depends-on" in complete("job", "submit", "--de")
    assert complete("job", "submit", "-q", "default", "--arr") == ["--array-size"]
    zsh = ok(run("completion", "zsh")).stdout
    assert zsh.startswith("#compdef nightshift") and "'submit:Submit a job" in zsh
    if shutil.which("zsh"):
        assert subprocess.run(["zsh", "-n", "-c", zsh]).returncode == 0
    assert run("completion", "fish").returncode == 2
