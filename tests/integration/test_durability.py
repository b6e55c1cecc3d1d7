"""Durability: acknowledged submissions and running jobs survive kill -9 of the server; no job's
process runs twice because the server crashed."""
import collections
import os

from conftest import Server, register, wait_for


def test_kill9_while_jobs_run_every_job_finishes_and_ran_once(workdir):
    data = os.path.join(workdir, "data")
    ledger = os.path.join(workdir, "ledger")
    server = Server(data).start()
    try:
        batch = server.batch()
        # Each job appends its id once when it starts, sleeps a little, and appends again at exit.
        register(batch, "work", ["sh", "-c", f'echo "start $AWS_BATCH_JOB_ID" >> {ledger}; sleep 1; '
                                             f'echo "end $AWS_BATCH_JOB_ID" >> {ledger}'])
        # An array job first: its parent is RUNNING with its children but has no process of its own.
        parent = batch.submit_job(jobName="wide", jobQueue="default", jobDefinition="work",
                                  arrayProperties={"size": 3})["jobId"]
        ids = [f"{parent}:{i}" for i in range(3)]
        for i in range(6):
            deps = [{"jobId": ids[-1]}] if i % 2 == 1 else []
            ids.append(batch.submit_job(jobName=f"w{i}", jobQueue="default", jobDefinition="work",
                                        dependsOn=deps)["jobId"])
        wait_for(batch, [parent], states=("RUNNING",))
        server.kill9()

        server = Server(data).start()  # same data dir
        jobs = wait_for(server.batch(), ids + [parent], deadline_s=60)
        assert all(jobs[j]["status"] == "SUCCEEDED" for j in ids + [parent]), {j: jobs[j]["status"] for j in jobs}
        with open(ledger) as f:
            counts = collections.Counter(line.strip() for line in f)
        for j in ids:
            assert counts[f"start {j}"] == 1, f"job {j} started {counts[f'start {j}']} times"
            assert counts[f"end {j}"] == 1
    finally:
        server.stop()


def test_acknowledged_submission_survives_kill9(workdir):
    data = os.path.join(workdir, "data")
    server = Server(data).start()
    try:
        batch = server.batch()
        register(batch, "sleeper", ["sleep", "30"])
        blocker = batch.submit_job(jobName="blocker", jobQueue="default", jobDefinition="sleeper")["jobId"]
        acked = [batch.submit_job(jobName=f"acked-{i}", jobQueue="default", jobDefinition="sleeper",
                                  dependsOn=[{"jobId": blocker}])["jobId"] for i in range(20)]
        server.kill9()
        server = Server(data).start()
        batch = server.batch()
        found = {j["jobId"]: j for j in batch.describe_jobs(jobs=acked)["jobs"]}
        assert set(found) == set(acked)
        assert all(j["status"] == "PENDING" for j in found.values())
        batch.terminate_job(jobId=blocker, reason="end of test")
        wait_for(batch, acked + [blocker], deadline_s=30)
    finally:
        server.stop()
