#!/usr/bin/env python3
"""Slurm benchmarks: nightshift's Slurm compute environment vs Slurm alone, on the same single-node
cluster (scripts/slurm-cluster.sh: batch_sched_delay=0, sched_interval=1, 16 advertised CPUs,
kill_invalid_depend), side by side in one invocation.

  chain   a --chain-job chain of `true` (default 200): time per link from the release of the first
          job to the end of the last. nightshift: dependsOn, each job handed to Slurm when its
          parent ended. Slurm: sbatch --dependency=afterok:<previous>, the first held and released.
  many    --jobs independent `true` jobs (default 1,000), from the first submission to the end of
          the last. nightshift: one SubmitJob each over HTTP (launches made while sbatch calls run
          go together as one array), and one array job. Slurm: `sbatch --wrap true` one by one,
          and one `sbatch --array`.

--transport slurmrestd has nightshift reach Slurm through slurmrestd (the started cluster's unix
socket, or --slurmrestd URL) instead of the client commands; Slurm alone still uses sbatch.

Prints one markdown row per figure. Usage:
  bench/slurm_bench.py [--build build] [--chain-jobs 200] [--jobs 1000] [--transport commands|slurmrestd]
                       [chain] [many]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from batch_bench import Server  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER = os.path.join(ROOT, "scripts", "slurm-cluster.sh")


def slurm(env, *args):
    out = subprocess.run(list(args), env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {out.stderr}")
    return out.stdout


def wait_slurm_idle(env, name, deadline_s=3600):
    """Polls squeue (50 ms) until no job named `name` is pending, running or completing."""
    deadline = time.monotonic() + deadline_s
    while slurm(env, "squeue", "-h", "-t", "PENDING,RUNNING,CONFIGURING,COMPLETING", "--name", name).strip():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Slurm jobs {name} did not finish")
        time.sleep(0.05)
    return time.monotonic()


def slurm_chain(env, n, tmp):
    name = "bench-chain"
    ids = [slurm(env, "sbatch", "--parsable", "--hold", f"--job-name={name}", f"--output={tmp}/chain-%j.out",
                 "--wrap", "true").strip()]
    for _ in range(n - 1):
        ids.append(slurm(env, "sbatch", "--parsable", f"--job-name={name}", f"--output={tmp}/chain-%j.out",
                         f"--dependency=afterok:{ids[-1]}", "--wrap", "true").strip())
    t0 = time.monotonic()
    slurm(env, "scontrol", "release", ids[0])
    return wait_slurm_idle(env, name) - t0


def slurm_one_by_one(env, n, tmp):
    name = "bench-many"
    t0 = time.monotonic()
    for _ in range(n):
        slurm(env, "sbatch", "--parsable", f"--job-name={name}", f"--output={tmp}/many-%j.out", "--wrap", "true")
    return wait_slurm_idle(env, name) - t0


def slurm_array(env, n, tmp):
    name = "bench-array"
    t0 = time.monotonic()
    slurm(env, "sbatch", "--parsable", f"--job-name={name}", f"--array=0-{n - 1}", f"--output={tmp}/array-%A_%a.out",
          "--wrap", "true")
    return wait_slurm_idle(env, name) - t0


class NightshiftOnSlurm:
    def __init__(self, binary, tmp, reach):
        data = tempfile.mkdtemp(dir=tmp)
        self.server = Server(binary, data, extra_args=reach)
        self.server.call("createcomputeenvironment", {"computeEnvironmentName": "slurm", "type": "UNMANAGED",
                                                      "state": "DISABLED", "slurm": {"partition": "debug"}})
        self.server.call("createjobqueue", {"jobQueueName": "sq", "priority": 1, "computeEnvironmentOrder": [
            {"order": 1, "computeEnvironment": "slurm"}]})
        self.server.call("registerjobdefinition", {"jobDefinitionName": "true", "type": "container",
                                                   "containerProperties": {"command": ["true"]}})

    def submit(self, name, deps=()):
        return self.server.call("submitjob", {"jobName": name, "jobQueue": "sq", "jobDefinition": "true",
                                              "dependsOn": [{"jobId": d} for d in deps]})["jobId"]

    def enable(self):
        self.server.call("updatecomputeenvironment", {"computeEnvironment": "slurm", "state": "ENABLED"})

    def wait_all(self, ids, deadline_s=3600):
        """Polls DescribeJobs (100 ms) until every job succeeded; returns the last stoppedAt (ms)."""
        deadline = time.monotonic() + deadline_s
        pending = list(ids)
        last = 0
        while pending:
            done = []
            for i in range(0, len(pending), 100):
                for j in self.server.call("describejobs", {"jobs": pending[i:i + 100]})["jobs"]:
                    if j["status"] == "FAILED":
                        raise RuntimeError(f"job {j['jobId']} failed: {j.get('statusReason')}")
                    if j["status"] == "SUCCEEDED":
                        done.append(j["jobId"])
                        last = max(last, j["stoppedAt"])
            pending = [p for p in pending if p not in set(done)]
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"{len(pending)} jobs did not finish")
            if pending:
                time.sleep(0.1)
        return last

    def stop(self):
        self.server.stop()


def on_nightshift(binary, tmp, reach, submit_all, release_after=False):
    """Seconds from the first submission (or, with release_after, from enabling the compute
    environment once everything is submitted) to the last job's end; submit_all(ns) returns ids.
    `reach`: the server's arguments that say how it reaches Slurm."""
    ns = NightshiftOnSlurm(binary, tmp, reach)
    try:
        if not release_after:
            ns.enable()
        t0 = time.time() * 1000
        ids = submit_all(ns)
        if release_after:
            t0 = time.time() * 1000
            ns.enable()
        return (ns.wait_all(ids) - t0) / 1000
    finally:
        ns.stop()


def submit_chain(n):
    def submit_all(ns):
        ids = []
        for i in range(n):
            ids.append(ns.submit(f"c{i}", ids[-1:]))
        return ids
    return submit_all


def submit_array(n):
    return lambda ns: [ns.server.call("submitjob", {"jobName": "arr", "jobQueue": "sq", "jobDefinition": "true",
                                                     "arrayProperties": {"size": n}})["jobId"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--chain-jobs", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--slurm-conf", help="an existing cluster's slurm.conf (default: start one)")
    ap.add_argument("--transport", choices=["commands", "slurmrestd"], default="commands",
                    help="how nightshift reaches Slurm: its client commands, or slurmrestd")
    ap.add_argument("--slurmrestd", help="slurmrestd's URL (default: the started cluster's unix socket)")
    ap.add_argument("what", nargs="*", default=["chain", "many"])
    args = ap.parse_args()
    binary = os.path.join(args.build, "nightshift")
    tmp = tempfile.mkdtemp(prefix="nightshift-slurm-bench-")
    os.chmod(tmp, 0o755)  # munged runs as its own user inside it
    cluster = None
    conf = args.slurm_conf
    if not conf:
        cluster = os.path.join(tmp, "cluster")
        subprocess.run([CLUSTER, "start", cluster], check=True, stdout=subprocess.DEVNULL)
        conf = os.path.join(cluster, "slurm.conf")
    env = dict(os.environ, SLURM_CONF=conf)
    if args.transport == "slurmrestd":
        if not args.slurmrestd and not cluster:
            ap.error("--transport slurmrestd with --slurm-conf needs --slurmrestd URL")
        url = args.slurmrestd or "unix:" + os.path.join(cluster, "slurmrestd.sock")
        reach, via = ["--slurmrestd", url], " (nightshift through slurmrestd)"
    else:
        reach, via = ["--slurm-conf", conf], ""
    rows = []
    try:
        if "chain" in args.what:
            n = args.chain_jobs
            ns = on_nightshift(binary, tmp, reach, submit_chain(n), release_after=True)
            sl = slurm_chain(env, n, tmp)
            rows.append((f"{n}-job chain on Slurm, per link{via}", f"{1000 * ns / n:.0f} ms",
                         f"Slurm afterok {1000 * sl / n:.0f} ms", f"{sl / ns:.2f}x as fast"))
        if "many" in args.what:
            n = args.jobs
            ns = on_nightshift(binary, tmp, reach, lambda ns: [ns.submit(f"m{i}") for i in range(n)])
            ns_array = on_nightshift(binary, tmp, reach, submit_array(n))
            one = slurm_one_by_one(env, n, tmp)
            arr = slurm_array(env, n, tmp)
            rows.append((f"{n:,} independent jobs on Slurm, one SubmitJob each (sequential client, durable), "
                         f"submit to last end{via}", f"{ns:.1f} s ({n / ns:.0f} jobs/s)",
                         f"sbatch one by one {one:.1f} s ({n / one:.0f} jobs/s)", f"{one / ns:.2f}x as fast"))
            rows.append((f"an array job of {n:,} on Slurm (one Slurm array), submit to last end{via}",
                         f"{ns_array:.1f} s ({n / ns_array:.0f} jobs/s)",
                         f"one sbatch --array {arr:.1f} s; sbatch one by one {one:.1f} s",
                         f"{arr / ns_array:.2f}x the array's speed, {one / ns_array:.1f}x one by one"))
    finally:
        if cluster:
            subprocess.run([CLUSTER, "stop", cluster], stdout=subprocess.DEVNULL)
    print(f"Slurm: single node on loopback, {os.cpu_count()} cores, 16 advertised CPUs, batch_sched_delay=0, "
          f"sched_interval=1 (scripts/slurm-cluster.sh); load {os.getloadavg()[0]:.1f}")
    print("| figure | nightshift | Slurm alone | ratio |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
