"""The Slurm compute environment against a real single-node Slurm cluster (munged, slurmctld and
slurmd on loopback, started by scripts/slurm-cluster.sh and stopped by PID afterwards): nightshift
resolves dependencies itself and hands Slurm only ready jobs; exits come back through the task
wrapper's records; a restart re-adopts Slurm jobs."""
import collections
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import BINARY, Server, poll_until, register, wait_for

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLUSTER_SCRIPT = os.path.join(REPO, "scripts", "slurm-cluster.sh")


@pytest.fixture(scope="module")
def cluster():
    d = tempfile.mkdtemp(prefix="nightshift-slurm-")
    out = subprocess.run([CLUSTER_SCRIPT, "start", d], capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        subprocess.run([CLUSTER_SCRIPT, "stop", d], capture_output=True)
        raise AssertionError(f"the Slurm cluster did not start: {out.stdout}{out.stderr}")
    conf = os.path.join(d, "slurm.conf")
    yield {"dir": d, "conf": conf, "env": dict(os.environ, SLURM_CONF=conf)}
    subprocess.run([CLUSTER_SCRIPT, "stop", d], capture_output=True, timeout=120)
    shutil.rmtree(d, ignore_errors=True)


def slurm_server(data, cluster, transport="commands"):
    """A server reaching the cluster through its client commands or through slurmrestd's socket."""
    reach = (["--slurm-conf", cluster["conf"]] if transport == "commands"
             else ["--slurmrestd", "unix:" + os.path.join(cluster["dir"], "slurmrestd.sock")])
    return Server(data, extra_args=reach + ["--slurm-poll-interval", "0.5"]).start()


def cli(server, *args, check=True):
    p = subprocess.run([BINARY, *args, "--server", server.url], capture_output=True, text=True, timeout=60)
    if check:
        assert p.returncode == 0, f"nightshift {' '.join(args)}: {p.stdout}{p.stderr}"
    return p


def make_slurm_queue(server, name="slurmq"):
    cli(server, "ce", "create", "slurm", "--type", "slurm", "--partition", "debug")
    server.batch().create_job_queue(jobQueueName=name, priority=1,
                                    computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "slurm"}])
    return name


@pytest.fixture
def slurm(cluster, workdir):
    server = slurm_server(os.path.join(workdir, "data"), cluster)
    make_slurm_queue(server)
    yield server
    server.stop()


def post(server, operation, body):
    return server.raw("POST", "/v1/" + operation, json.dumps(body), {"Content-Type": "application/json"})


def submit(batch, name, definition, **kwargs):
    return batch.submit_job(jobName=name, jobQueue="slurmq", jobDefinition=definition, **kwargs)["jobId"]


def ledger_lines(path):
    with open(path) as f:
        return [line.split() for line in f if line.strip()]


def test_chain_runs_in_slurm_in_order(slurm, workdir):
    batch = slurm.batch()
    ledger = os.path.join(workdir, "ledger")
    register(batch, "step", ["sh", "-c", f'echo "$STEP $AWS_BATCH_JOB_ID $SLURM_JOB_ID $AWS_BATCH_CE_NAME" >> {ledger}'])
    ids = []
    for step in ("analyzer", "aggregator", "deployer"):
        deps = [{"jobId": ids[-1]}] if ids else []
        ids.append(submit(batch, step, "step", dependsOn=deps,
                          containerOverrides={"environment": [{"name": "STEP", "value": step}]}))
    jobs = wait_for(batch, ids, deadline_s=60)
    assert [jobs[j]["status"] for j in ids] == ["SUCCEEDED"] * 3
    lines = ledger_lines(ledger)
    assert [line[0] for line in lines] == ["analyzer", "aggregator", "deployer"]
    assert [line[1] for line in lines] == ids
    assert all(line[2].isdigit() for line in lines), "each step ran as a Slurm job"
    assert len({line[2] for line in lines}) == 3, "one Slurm job per step: each reached Slurm only when ready"
    assert all(line[3] == "slurm" for line in lines)
    for j in ids:
        assert jobs[j]["attempts"][0]["container"]["exitCode"] == 0
        assert jobs[j]["startedAt"] <= jobs[j]["stoppedAt"]


def test_failure_cascades_and_exit_codes_and_signals_are_decoded(slurm):
    batch = slurm.batch()
    register(batch, "exit3", ["sh", "-c", "echo failing >&2; exit 3"])
    register(batch, "killed", ["sh", "-c", "kill -9 $$"])
    register(batch, "ok", ["true"])
    a = submit(batch, "a", "exit3")
    b = submit(batch, "b", "ok", dependsOn=[{"jobId": a}])
    c = submit(batch, "c", "ok", dependsOn=[{"jobId": b}])
    k = submit(batch, "k", "killed")
    jobs = wait_for(batch, [a, b, c, k], deadline_s=60)
    assert jobs[a]["status"] == "FAILED"
    assert jobs[a]["attempts"][0]["container"]["exitCode"] == 3
    assert jobs[b]["status"] == "FAILED" and a in jobs[b]["statusReason"], jobs[b]["statusReason"]
    assert jobs[c]["status"] == "FAILED"
    assert "attempts" not in jobs[b] or not jobs[b]["attempts"], "a dependent of a failed job never reached Slurm"
    assert jobs[k]["status"] == "FAILED"
    assert jobs[k]["attempts"][0]["container"]["exitCode"] == 137
    assert "SIGKILL" in jobs[k]["attempts"][0]["container"].get("reason", ""), jobs[k]["attempts"][0]
    # The failing step's stderr reached the CloudWatch Logs API from the shared log file.
    stream = jobs[a]["attempts"][0]["container"]["logStreamName"]
    events = slurm.logs().get_log_events(logGroupName="/aws/batch/job", logStreamName=stream)["events"]
    assert [e["message"] for e in events] == ["failing"]


def test_array_job_is_one_slurm_array(slurm, workdir):
    batch = slurm.batch()
    ledger = os.path.join(workdir, "ledger")
    register(batch, "fan", ["sh", "-c", f'echo "$AWS_BATCH_JOB_ARRAY_INDEX $SLURM_ARRAY_JOB_ID $AWS_BATCH_JOB_ID" '
                                        f'>> {ledger}'])
    parent = submit(batch, "fan", "fan", arrayProperties={"size": 5})
    jobs = wait_for(batch, [parent], deadline_s=60)
    assert jobs[parent]["status"] == "SUCCEEDED"
    lines = ledger_lines(ledger)
    assert sorted(int(line[0]) for line in lines) == [0, 1, 2, 3, 4]
    assert len({line[1] for line in lines}) == 1, f"the children ran as one Slurm array: {lines}"
    assert sorted(line[2] for line in lines) == sorted(f"{parent}:{i}" for i in range(5))


def test_terminate_and_timeout_stop_slurm_jobs(slurm, cluster, workdir):
    batch = slurm.batch()
    ledger = os.path.join(workdir, "ledger")
    register(batch, "sleeper", ["sh", "-c", f'echo "start $AWS_BATCH_JOB_ID" >> {ledger}; sleep 60; '
                                            f'echo "end $AWS_BATCH_JOB_ID" >> {ledger}'])
    register(batch, "slow", ["sh", "-c", f'echo "start $AWS_BATCH_JOB_ID" >> {ledger}; sleep 60; '
                                         f'echo "end $AWS_BATCH_JOB_ID" >> {ledger}'],
             timeout={"attemptDurationSeconds": 2}, retryStrategy={"attempts": 2})
    t = submit(batch, "terminated", "sleeper")
    s = submit(batch, "slow", "slow")
    wait_for(batch, [t], states=("RUNNING",), deadline_s=60)
    poll_until(lambda: os.path.exists(ledger) and f"start {t}" in open(ledger).read(), "the job started in Slurm")
    batch.terminate_job(jobId=t, reason="stopped by the test")
    jobs = wait_for(batch, [t, s], deadline_s=60)
    assert jobs[t]["status"] == "FAILED" and jobs[t]["statusReason"] == "stopped by the test"
    assert jobs[s]["status"] == "FAILED"
    assert jobs[s]["statusReason"] == "Job attempt duration exceeded timeout"
    assert len(jobs[s]["attempts"]) == 1, "a timeout is not retried"
    assert jobs[s]["attempts"][0]["stoppedAt"] - jobs[s]["attempts"][0]["startedAt"] < 20000
    text = open(ledger).read()
    assert f"end {t}" not in text and f"end {s}" not in text

    def slurm_runs_nothing():  # the task's exit record comes an instant before Slurm ends the job
        squeue = subprocess.run(["squeue", "-h", "-t", "RUNNING,COMPLETING", "-o", "%j %T"], capture_output=True,
                                text=True, env=cluster["env"])
        return squeue.returncode == 0 and squeue.stdout.strip() == ""
    poll_until(slurm_runs_nothing, "Slurm has stopped both jobs")


def test_server_restart_readopts_running_slurm_jobs(cluster, workdir):
    data = os.path.join(workdir, "data")
    ledger = os.path.join(workdir, "ledger")
    server = slurm_server(data, cluster)
    try:
        make_slurm_queue(server)
        batch = server.batch()
        register(batch, "work", ["sh", "-c", f'echo "start $AWS_BATCH_JOB_ID" >> {ledger}; sleep 2; '
                                             f'echo "end $AWS_BATCH_JOB_ID" >> {ledger}; exit 4'])
        register(batch, "after", ["sh", "-c", f'echo "start $AWS_BATCH_JOB_ID" >> {ledger}'])
        first = submit(batch, "first", "work")
        wait_for(batch, [first], states=("RUNNING",), deadline_s=60)
        server.kill9()

        server = slurm_server(data, cluster)
        batch = server.batch()
        second = submit(batch, "second", "after")  # the restarted server goes on submitting
        jobs = wait_for(batch, [first, second], deadline_s=60)
        assert jobs[first]["status"] == "FAILED"
        assert jobs[first]["attempts"][0]["container"]["exitCode"] == 4, "the true exit status, read after restart"
        assert jobs[second]["status"] == "SUCCEEDED"
        counts = collections.Counter(" ".join(line) for line in ledger_lines(ledger))
        for j in (first, second):
            assert counts[f"start {j}"] == 1, f"{j} started {counts[f'start {j}']} times"
        assert counts[f"end {first}"] == 1
    finally:
        server.stop()


def test_bad_input_changes_nothing(slurm, workdir):
    p = cli(slurm, "ce", "create", "nopart", "--type", "slurm", check=False)
    assert p.returncode != 0 and "--partition is required" in p.stderr
    status, _, body = post(slurm, "createcomputeenvironment",
                           {"computeEnvironmentName": "x", "type": "UNMANAGED", "slurm": {"account": "a"}})
    assert status == 400 and "slurm.partition" in body["message"], body
    status, _, body = post(slurm, "createcomputeenvironment",
                           {"computeEnvironmentName": "x", "type": "UNMANAGED",
                            "slurm": {"partition": "debug", "sbatchArgs": ["exclusive"]}})
    assert status == 400 and "sbatchArgs" in body["message"], body
    names = [c["computeEnvironmentName"] for c in slurm.batch().describe_compute_environments()["computeEnvironments"]]
    assert "x" not in names and "nopart" not in names
    # A partition Slurm does not have: the attempt fails with sbatch's own words; the server goes on.
    cli(slurm, "ce", "create", "ghost", "--type", "slurm", "--partition", "no-such-partition")
    slurm.batch().create_job_queue(jobQueueName="ghostq", priority=1,
                                   computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ghost"}])
    register(slurm.batch(), "ok", ["true"])
    j = slurm.batch().submit_job(jobName="g", jobQueue="ghostq", jobDefinition="ok")["jobId"]
    job = wait_for(slurm.batch(), [j], deadline_s=60)[j]
    assert job["status"] == "FAILED"
    assert "partition" in job["attempts"][0]["container"]["reason"], job["attempts"][0]


def test_a_server_without_slurm_refuses_slurm_compute_environments(workdir):
    server = Server(os.path.join(workdir, "data")).start()
    try:
        status, _, body = post(server, "createcomputeenvironment",
                               {"computeEnvironmentName": "s", "type": "UNMANAGED", "slurm": {"partition": "debug"}})
        assert status == 400 and "no slurm executor" in body["message"], body
    finally:
        server.stop()


@pytest.mark.parametrize("transport", ["commands", "slurmrestd"])
def test_controller_outage_keeps_jobs_waiting_with_the_reason_and_loses_nothing(cluster, workdir, transport):
    server = slurm_server(os.path.join(workdir, "data"), cluster, transport)
    make_slurm_queue(server)
    batch = server.batch()
    ledger = os.path.join(workdir, "ledger")
    register(batch, "note", ["sh", "-c", f'echo "ran $AWS_BATCH_JOB_ID" >> {ledger}'])
    subprocess.run([CLUSTER_SCRIPT, "stop-controller", cluster["dir"]], check=True, timeout=60)
    try:
        ids = [submit(batch, f"during-outage-{i}", "note") for i in range(3)]

        def waiting_with_reason():
            jobs = batch.describe_jobs(jobs=ids)["jobs"]
            return all("Slurm" in j.get("statusReason", "") and j["status"] == "STARTING" for j in jobs)
        poll_until(waiting_with_reason, "the jobs wait, saying Slurm cannot be reached", deadline_s=60)
        reasons = {j["statusReason"] for j in batch.describe_jobs(jobs=ids)["jobs"]}
        assert all("submit to Slurm" in r for r in reasons), reasons
    finally:
        subprocess.run([CLUSTER_SCRIPT, "start-controller", cluster["dir"]], check=True, timeout=60)
    try:
        jobs = wait_for(batch, ids, deadline_s=90)
        assert all(jobs[j]["status"] == "SUCCEEDED" for j in ids), {j: (jobs[j]["status"], jobs[j].get("statusReason"), jobs[j].get("attempts")) for j in ids}
        counts = collections.Counter(" ".join(line) for line in ledger_lines(ledger))
        assert all(counts[f"ran {j}"] == 1 for j in ids), counts
    finally:
        server.stop()


def test_a_job_slurm_kills_outside_nightshift_fails_with_the_reason_and_is_retried(slurm, cluster, workdir):
    batch = slurm.batch()
    ledger = os.path.join(workdir, "ledger")
    register(batch, "victim", ["sh", "-c", f'echo "start $AWS_BATCH_JOB_ATTEMPT $PPID" >> {ledger}; '
                                           f'[ "$AWS_BATCH_JOB_ATTEMPT" = 2 ] || exec sleep 60'],
             retryStrategy={"attempts": 2})
    j = submit(batch, "victim", "victim")
    poll_until(lambda: os.path.exists(ledger) and "start 1" in open(ledger).read(), "the first attempt started")
    wrapper = int(ledger_lines(ledger)[0][2])
    # Something outside nightshift (the OOM killer, an administrator, a dying node) kills the task
    # wrapper itself: it leaves no exit record, and Slurm's own account is all there is.
    os.kill(wrapper, 9)
    job = wait_for(batch, [j], deadline_s=60)[j]
    assert job["status"] == "SUCCEEDED", job
    assert len(job["attempts"]) == 2
    first = job["attempts"][0]["container"]
    assert first["exitCode"] == 137 and "Slurm job" in first["reason"], first


def test_through_slurmrestd_a_chain_an_array_exit_codes_and_terminate(cluster, workdir):
    """The same executor with slurmrestd (its unix socket) instead of the client commands: the
    server gets no SLURM_CONF and runs no Slurm command."""
    ledger = os.path.join(workdir, "ledger")
    sock = os.path.join(cluster["dir"], "slurmrestd.sock")
    server = slurm_server(os.path.join(workdir, "data"), cluster, "slurmrestd")
    try:
        assert "through slurmrestd at unix:" + sock in server.log()
        make_slurm_queue(server)
        batch = server.batch()
        register(batch, "note", ["sh", "-c", f'echo "$AWS_BATCH_JOB_ID $SLURM_JOB_ID" >> {ledger}'])
        register(batch, "exit3", ["sh", "-c", "exit 3"])
        register(batch, "sleeper", ["sh", "-c", f'echo "$AWS_BATCH_JOB_ID $SLURM_JOB_ID" >> {ledger}; exec sleep 120'])
        first = submit(batch, "first", "note")
        second = submit(batch, "second", "note", dependsOn=[{"jobId": first}])
        array = submit(batch, "array", "note", arrayProperties={"size": 3})
        failing = submit(batch, "failing", "exit3")
        sleeper = submit(batch, "sleeper", "sleeper")
        poll_until(lambda: os.path.exists(ledger) and any(line[0] == sleeper for line in ledger_lines(ledger)),
                   "the sleeper started in Slurm")
        batch.terminate_job(jobId=sleeper, reason="enough")
        children = [f"{array}:{i}" for i in range(3)]
        jobs = wait_for(batch, [first, second, array, failing, sleeper] + children, deadline_s=90)
        for j in [first, second, array] + children:
            assert jobs[j]["status"] == "SUCCEEDED", jobs[j]
        assert jobs[failing]["status"] == "FAILED"
        assert jobs[failing]["attempts"][0]["container"]["exitCode"] == 3
        assert jobs[sleeper]["status"] == "FAILED" and jobs[sleeper]["statusReason"] == "enough", jobs[sleeper]
        ran = {line[0]: line[1] for line in ledger_lines(ledger)}
        assert set(ran) == {first, second, sleeper, *children}, ran
        assert all(slurm_id.isdigit() for slurm_id in ran.values()), "each ran as a Slurm job"
        assert jobs[second]["startedAt"] >= jobs[first]["stoppedAt"]
    finally:
        server.stop()


def test_a_slurmrestd_url_of_neither_form_stops_the_server_with_the_reason(workdir):
    p = subprocess.run([BINARY, "server", "--listen", "127.0.0.1:0", "--data-dir", os.path.join(workdir, "data"),
                        "--slurmrestd", "ftp://example"], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "neither unix:/PATH nor http://HOST:PORT" in p.stdout + p.stderr, p.stdout + p.stderr


def test_jobs_that_left_squeue_while_no_server_watched_end_as_slurms_accounting_says(cluster, workdir):
    """Last in this module: it clears the controller's state. The server is killed; Slurm jobs are
    killed outside nightshift (no exit records) and then leave squeue (a cold start of the
    controller here, MinJobAge on a real cluster). The restarted server finds them in the job
    completion log (`sacct -c`; this cluster has no slurmdbd) instead of calling them lost."""
    data = os.path.join(workdir, "data")
    ledger = os.path.join(workdir, "ledger")
    env = cluster["env"]
    server = slurm_server(data, cluster)
    try:
        make_slurm_queue(server)
        batch = server.batch()
        register(batch, "victim", ["sh", "-c", f'echo "start $AWS_BATCH_JOB_ID $PPID" >> {ledger}; exec sleep 120'])
        single = submit(batch, "single", "victim")
        array = submit(batch, "array", "victim", arrayProperties={"size": 2})
        poll_until(lambda: os.path.exists(ledger) and len(ledger_lines(ledger)) == 3, "the three tasks started")
        server.kill9()
        for _, _, wrapper in ledger_lines(ledger):
            os.kill(int(wrapper), 9)
        poll_until(lambda: subprocess.run(["squeue", "-h", "-t", "PD,R,CG"], env=env, capture_output=True,
                                          text=True, timeout=30).stdout.strip() == "", "Slurm ended the jobs")
        subprocess.run([CLUSTER_SCRIPT, "stop-controller", cluster["dir"]], check=True, timeout=60)
        subprocess.run([CLUSTER_SCRIPT, "cold-start-controller", cluster["dir"]], check=True, timeout=60)
        assert subprocess.run(["squeue", "-h"], env=env, capture_output=True, text=True,
                              timeout=30).stdout.strip() == "", "squeue no longer knows them"

        server = slurm_server(data, cluster)
        batch = server.batch()
        children = [f"{array}:0", f"{array}:1"]
        jobs = wait_for(batch, [single] + children, deadline_s=60)
        for j in [single] + children:
            container = jobs[j]["attempts"][0]["container"]
            assert jobs[j]["status"] == "FAILED", jobs[j]
            assert container["exitCode"] == 137, container
            assert "from Slurm's accounting" in container["reason"] and "ended FAILED" in container["reason"], container
        counts = collections.Counter(line[1] for line in ledger_lines(ledger))
        assert counts == {single: 1, children[0]: 1, children[1]: 1}, counts
    finally:
        server.stop()
