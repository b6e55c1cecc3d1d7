"""Chaos: the server is killed with SIGKILL at random moments while a 2,000-job DAG whose jobs
have random durations, random failures and retries runs (one in twenty is an array job of 2 or 3
children), while a client keeps submitting and a
per-second schedule keeps firing. Afterwards:

* every acknowledged submission exists and ended in the state its script implies (computed from
  the seed: which attempts fail, the retry rules, the dependency cascades);
* every attempt's process ran exactly once (each job appends to a ledger when it starts and ends);
* the per-second schedule lost no fire and doubled none (catch-up policy `all`: every second
  the schedule was enabled has exactly one started fire, and its job ran once);
* the SQLite store passes `PRAGMA integrity_check` after the last stop.

The run is seeded: the seed is printed, NIGHTSHIFT_CHAOS_SEED replays the same DAG and the same
kill delays (where the kills land among the jobs still depends on the machine's timing).
NIGHTSHIFT_CHAOS_KILLS (default 20) and NIGHTSHIFT_CHAOS_JOBS (default 2000) change the size."""
import collections
import datetime
import json
import os
import random
import socket
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from conftest import ANY_CREDENTIALS, Server, poll_until, register

SEED = int(os.environ.get("NIGHTSHIFT_CHAOS_SEED", random.SystemRandom().randrange(1 << 32)))
KILLS = int(os.environ.get("NIGHTSHIFT_CHAOS_KILLS", "20"))
JOBS = int(os.environ.get("NIGHTSHIFT_CHAOS_JOBS", "2000"))
SUBMISSIONS_PER_S = 60  # paced so that submissions go on across most of the kills

# Retry rules a job may carry (AWS evaluateOnExit: first match wins, no match retries).
RULE_SETS = [
    None,
    [{"onExitCode": "3", "action": "EXIT"}, {"onExitCode": "*", "action": "RETRY"}],
    [{"onExitCode": "1*", "action": "RETRY"}, {"onExitCode": "*", "action": "EXIT"}],
]
FAILING_CODES = [1, 2, 3, 12]

# A job's plan travels in its environment: one "exit-code:milliseconds" per attempt.
JOB_SCRIPT = """set -- $PLAN
shift $((AWS_BATCH_JOB_ATTEMPT - 1))
echo "start $AWS_BATCH_JOB_ID $AWS_BATCH_JOB_ATTEMPT" >> "$LEDGER"
sleep "$(printf '0.%03d' "${1#*:}")"
echo "end $AWS_BATCH_JOB_ID $AWS_BATCH_JOB_ATTEMPT" >> "$LEDGER"
exit "${1%%:*}"
"""
TICK_SCRIPT = 'echo "tick $NIGHTSHIFT_LOGICAL_TIME $AWS_BATCH_JOB_ID" >> "$TICKS"'


@dataclass
class Plan:
    name: str
    deps: list            # names of earlier jobs (afterok)
    codes: list           # exit code of each attempt the job may make
    millis: list          # duration of each attempt
    rules: list = None
    array: int = 0        # an array job of this many children, each following the plan

    def retry_strategy(self):
        strategy = {"attempts": len(self.codes)}
        if self.rules:
            strategy["evaluateOnExit"] = self.rules
        return strategy

    def env(self):
        return " ".join(f"{c}:{m}" for c, m in zip(self.codes, self.millis))


def make_plans(rng, count):
    plans = []
    for i in range(count):
        attempts = rng.choice([1, 2, 3, 3])
        codes = [0 if rng.random() < 0.75 else rng.choice(FAILING_CODES) for _ in range(attempts)]
        window = plans[-80:]
        deps = sorted({p.name for p in rng.sample(window, min(len(window), rng.choice([0, 0, 1, 1, 2])))})
        plans.append(Plan(f"j{i:04d}", deps, codes, [rng.randrange(0, 300) for _ in codes], rng.choice(RULE_SETS),
                          rng.choice([2, 3]) if rng.random() < 0.05 else 0))
    return plans


def matches(pattern, text):
    return text.startswith(pattern[:-1]) if pattern.endswith("*") else text == pattern


def expected_outcome(plan, outcomes):
    """(final status, attempts made) for `plan`, given the outcomes of the jobs before it. An array
    job's children each end so; the parent ends in their status, with no attempts of its own."""
    if any(outcomes[d][0] == "FAILED" for d in plan.deps):
        return "FAILED", 0  # the failure cascades: the job never starts
    for attempt, code in enumerate(plan.codes, start=1):
        if code == 0:
            return "SUCCEEDED", attempt
        if attempt == len(plan.codes):
            break
        action = next((r["action"] for r in plan.rules or [] if matches(r["onExitCode"], str(code))), "RETRY")
        if action == "EXIT":
            break
    return "FAILED", attempt


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(port, service="batch"):
    """A client that never retries by itself: the submitter decides what a failed call means."""
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=30),
                        **ANY_CREDENTIALS)


@dataclass
class Submitter:
    """Submits every plan in order, each depending on earlier acknowledged jobs, through the
    kills. A refused connection sent nothing, so the same submission is simply made again; a
    call whose answer was lost may or may not have been stored, so it is counted as ambiguous
    and made again with the same name (the extra job, if any, must end like the first)."""
    port: int
    plans: list
    ledger: str
    acked: dict = field(default_factory=dict)        # name -> job id, once a 200 came back
    ambiguous: collections.Counter = field(default_factory=collections.Counter)
    error: BaseException = None

    def run(self):
        try:
            batch = client(self.port)
            started = time.monotonic()
            for i, plan in enumerate(self.plans):
                pause = started + i / SUBMISSIONS_PER_S - time.monotonic()
                if pause > 0:
                    time.sleep(pause)  # pacing, not waiting for anything
                self.acked[plan.name] = self.submit(batch, plan)
        except BaseException as e:  # reported by the test thread
            self.error = e

    def submit(self, batch, plan):
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, f"could not submit {plan.name} for 60 s"
            try:
                return batch.submit_job(
                    jobName=plan.name, jobQueue="chaos", jobDefinition="chaos",
                    dependsOn=[{"jobId": self.acked[d]} for d in plan.deps],
                    retryStrategy=plan.retry_strategy(),
                    **({"arrayProperties": {"size": plan.array}} if plan.array else {}),
                    containerOverrides={"environment": [{"name": "PLAN", "value": plan.env()},
                                                        {"name": "LEDGER", "value": self.ledger}]})["jobId"]
            except EndpointConnectionError:
                time.sleep(0.02)  # the server is down: try again until it is back
            except ClientError as e:
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] >= 500, e
                self.ambiguous[plan.name] += 1
            except Exception:  # the connection broke after the request was sent
                self.ambiguous[plan.name] += 1


def all_jobs(batch, queue):
    """Every job of `queue` by status, through ListJobs' pages."""
    found = collections.defaultdict(list)
    for status in ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"):
        token = None
        while True:
            page = batch.list_jobs(jobQueue=queue, jobStatus=status, maxResults=1000,
                                   **({"nextToken": token} if token else {}))
            found[status] += page["jobSummaryList"]
            token = page.get("nextToken")
            if not token:
                break
    return found


def describe(batch, ids):
    out = {}
    for i in range(0, len(ids), 100):
        for j in batch.describe_jobs(jobs=ids[i:i + 100])["jobs"]:
            out[j["jobId"]] = j
    return out


def read_ledger(path):
    counts = collections.Counter()
    if os.path.exists(path):
        with open(path) as f:
            counts.update(tuple(line.split()) for line in f)
    return counts


def fires_of(server, name):
    fires, token = [], ""
    while True:
        status, _, body = server.raw("GET", f"/api/v1/schedules/{name}/fires?limit=1000"
                                            + (f"&next_token={token}" if token else ""))
        assert status == 200, body
        fires += body["fires"]
        token = body.get("next_token")
        if not token:
            return fires


def seconds_of(text):
    return int(datetime.datetime.fromisoformat(text).timestamp())


def create_tick_schedule(server, ticks):
    register(server.batch(), "tick", ["sh", "-c", TICK_SCRIPT],
             container={"environment": [{"name": "TICKS", "value": ticks}]})
    status, _, body = server.raw("POST", "/api/v1/schedules", json.dumps({
        "name": "tick", "expression": "rate(1 second)", "timezone": "UTC",
        "overlap": "allow_all", "catch_up": {"policy": "all", "window_seconds": 3600},
        "submit_job": {"jobName": "tick", "jobQueue": "default", "jobDefinition": "tick"}}),
        {"Content-Type": "application/json"})
    assert status == 200, body


def check_ticks(server, batch, ticks, created, paused):
    """Every second from the schedule's creation (between `created`'s two instants) until it
    was paused fired exactly once, and each fire's job ran once."""
    fired = collections.Counter()
    started = {}
    for f in fires_of(server, "tick"):
        first = seconds_of(f["logical_time"])
        last = seconds_of(f.get("last_logical_time", f["logical_time"]))
        for s in range(first, last + 1):
            fired[s] += 1
        if f["outcome"] == "started":
            assert first == last, f
            started[first] = f["job_id"]
    doubled = sorted(s for s, n in fired.items() if n > 1)
    assert not doubled, f"fires doubled at {doubled}"
    assert started, "the schedule never fired"
    first = min(started)
    assert created[0] < first <= created[1] + 1, "rate(1 second) counts from the schedule's creation"
    expected = range(first, int(paused))
    lost = [s for s in expected if s not in started]
    assert not lost, f"fires lost or not started at {lost} (records: {[fired[s] for s in lost]})"
    job_ids = [started[s] for s in expected]
    poll_until(lambda: all(j["status"] in ("SUCCEEDED", "FAILED") for j in describe(batch, job_ids).values()),
               "the tick jobs end")
    ran = collections.Counter(seconds_of(t) for _, t, _ in read_ledger(ticks).elements())
    assert all(ran[s] == 1 for s in expected), {s: ran[s] for s in expected if ran[s] != 1}
    return len(expected)


def history(jid, job, ledger, log_path):
    """What is known of a job's attempts, for a failure's message: each attempt's exit and reason,
    the ledger's lines for it, and the server log's lines that name it."""
    attempts = [(a.get("container", {}).get("exitCode"), a.get("container", {}).get("reason"), a.get("statusReason"))
                for a in job.get("attempts", [])]
    with open(ledger) as f:
        runs = [line.strip() for line in f if f" {jid} " in line]
    with open(log_path, errors="replace") as f:
        logged = [line.rstrip() for line in f if jid in line]
    return f"attempts {attempts}; ledger {runs}; server log: " + " | ".join(logged[-20:])


def check_dag(batch, submitter, ledger, log_path):
    outcomes = {}
    for plan in submitter.plans:
        outcomes[plan.name] = expected_outcome(plan, outcomes)
    by_status = all_jobs(batch, "chaos")
    unfinished = {s: len(v) for s, v in by_status.items() if s not in ("SUCCEEDED", "FAILED") and v}
    assert not unfinished, f"jobs left unfinished: {unfinished}"
    by_name = collections.defaultdict(list)
    for status in ("SUCCEEDED", "FAILED"):
        for j in by_status[status]:
            by_name[j["jobName"]].append(j["jobId"])
    plans = {p.name: p for p in submitter.plans}

    def runners(name, jid):  # the jobs whose processes a stored job's plan accounts for
        return [f"{jid}:{i}" for i in range(plans[name].array)] if plans[name].array else [jid]

    details = describe(batch, [r for name, ids in by_name.items() for i in ids for r in [i] + runners(name, i)])
    runs = read_ledger(ledger)
    for name, job_id in submitter.acked.items():
        assert job_id in by_name[name], f"acknowledged job {name} ({job_id}) was lost"
        extra = len(by_name[name]) - 1
        assert extra <= submitter.ambiguous[name], f"{name} stored {extra} more times than ambiguous calls"
        status, attempts = outcomes[name]
        for parent in by_name[name]:
            assert details[parent]["status"] == status, (
                f"{name} ({parent}) plan {plans[name]}: expected {status}, got {details[parent]['status']}: "
                f"{details[parent].get('statusReason')}")
            for jid in runners(name, parent):
                job = details[jid]
                assert (job["status"], len(job.get("attempts", []))) == (status, attempts), (
                    f"{name} ({jid}) plan {plans[name]}: expected {status} after {attempts} attempts, got "
                    f"{job['status']} after {len(job.get('attempts', []))}: {job.get('statusReason')}; "
                    + history(jid, job, ledger, log_path))
                for n in range(1, attempts + 1):
                    for edge in ("start", "end"):
                        assert runs[(edge, jid, str(n))] == 1, (
                            f"{name} ({jid}) attempt {n} {edge} logged {runs[(edge, jid, str(n))]} times")
    # No process ran that no stored job's plan accounts for.
    accounted = sum(2 * outcomes[name][1] * len(runners(name, i)) for name, ids in by_name.items() for i in ids)
    assert sum(runs.values()) == accounted, f"{sum(runs.values())} ledger lines, {accounted} expected"
    return collections.Counter(o[0] for o in outcomes.values())


def integrity_check(db):
    try:
        out = subprocess.run(["sqlite3", db, "PRAGMA integrity_check"], capture_output=True, text=True,
                             timeout=120).stdout.strip()
    except FileNotFoundError:  # no sqlite3 CLI: the same check through Python's module
        with sqlite3.connect(db) as conn:
            out = "\n".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    assert out == "ok", out


def test_kill9_at_random_moments_loses_and_doubles_nothing(workdir):
    print(f"chaos seed {SEED} (NIGHTSHIFT_CHAOS_SEED={SEED} replays it): {KILLS} kills, {JOBS} jobs")
    rng = random.Random(SEED)
    plans = make_plans(rng, JOBS)
    kill_rng = random.Random(rng.random())
    data = os.path.join(workdir, "data")
    ledger, ticks = os.path.join(workdir, "ledger"), os.path.join(workdir, "ticks")
    port = free_port()
    server = Server(data, listen=f"127.0.0.1:{port}").start()
    began = time.monotonic()
    try:
        batch = server.batch()
        batch.create_compute_environment(computeEnvironmentName="chaos", type="UNMANAGED", unmanagedvCpus=12)
        batch.create_job_queue(jobQueueName="chaos", priority=1,
                               computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "chaos"}])
        register(batch, "chaos", ["sh", "-c", JOB_SCRIPT])
        before = time.time()
        create_tick_schedule(server, ticks)
        created = (before, time.time())

        submitter = Submitter(port, plans, ledger)
        thread = threading.Thread(target=submitter.run, daemon=True)
        thread.start()
        kills = []
        while len(kills) < KILLS or (thread.is_alive() and len(kills) < 3 * KILLS):
            time.sleep(kill_rng.uniform(0.05, 1.5))  # the random moment of the next kill
            server.kill9()
            kills.append(time.time())
            server = Server(data, listen=f"127.0.0.1:{port}").start()
        thread.join(timeout=120)
        assert not thread.is_alive(), "the submissions did not end"
        if submitter.error:
            raise submitter.error

        batch = server.batch()
        acked = list(submitter.acked.values())
        poll_until(lambda: all(j["status"] in ("SUCCEEDED", "FAILED") for j in describe(batch, acked).values()),
                   "every acknowledged job ends", deadline_s=240)
        jobs = describe(batch, acked)
        last_end = max(j.get("stoppedAt", j["createdAt"]) for j in jobs.values()) / 1000
        during = sum(1 for k in kills if k < last_end)
        assert during >= KILLS, f"only {during} of {len(kills)} kills came before the DAG ended"

        status, _, body = server.raw("POST", "/api/v1/schedules/tick/pause", json.dumps({"note": "test over"}),
                                     {"Content-Type": "application/json"})
        assert status == 200, body
        paused = time.time()
        seconds = check_ticks(server, batch, ticks, created, paused - 1)
        states = check_dag(batch, submitter, ledger, server.log_path)
        print(f"{len(kills)} kills ({during} before the DAG's last job ended), {len(plans)} jobs "
              f"({dict(states)}), {sum(submitter.ambiguous.values())} ambiguous submissions, "
              f"{seconds} per-second fires checked, {time.monotonic() - began:.0f} s")
    finally:
        server.stop()
    integrity_check(os.path.join(data, "nightshift.db"))
