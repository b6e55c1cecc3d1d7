#!/usr/bin/env python3
"""Start overhead of a container job: a `true` container through nightshift vs `podman run` run
directly with the same options, one at a time, on this machine.

  direct      `podman run --rm ... IMAGE true` with the options nightshift passes (no network,
              pull never, name and labels, --cpus, the default ulimits), wall time of the command.
  nightshift  SubmitJob of a job definition with that image and command → DescribeJobs says
              SUCCEEDED (polled every 2 ms over one keep-alive connection), wall time.

The two alternate run by run, so both see the same machine. Prints one markdown row: the medians
over --runs and their ratio. Needs root and podman; builds the image with
scripts/podman-test-image.sh.
Usage: bench/container_bench.py [--build build] [--runs 20] [--runtime runc]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from batch_bench import Server  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE = "localhost/nightshift-test-busybox:latest"


def limit_arg(resource_id, name):
    soft, hard = resource.getrlimit(resource_id)
    if hard == resource.RLIM_INFINITY:
        return []
    if name == "nproc":
        pid_max = int(open("/proc/sys/kernel/pid_max").read())
        soft, hard = min(soft, pid_max), min(hard, pid_max)
    return [f"--ulimit={name}={soft}:{hard}"]


def direct_once(runtime, i):
    argv = (["podman"] + ([f"--runtime={runtime}"] if runtime else []) +
            ["run", "--rm", "--pull=never", f"--name=bench-direct-{i}", f"--label=nightshift.job=bench-{i}",
             "--label=nightshift.attempt=1", "--label=nightshift.owner=bench", "--network=none", "--cpus=1"] +
            limit_arg(resource.RLIMIT_NOFILE, "nofile") + limit_arg(resource.RLIMIT_NPROC, "nproc") +
            ["--env=AWS_BATCH_JOB_ID=x", IMAGE, "true"])
    start = time.monotonic()
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def nightshift_once(server):
    start = time.monotonic()
    job_id = server.call("submitjob", {"jobName": "t", "jobQueue": "default", "jobDefinition": "true"})["jobId"]
    while True:
        job = server.call("describejobs", {"jobs": [job_id]})["jobs"][0]
        if job["status"] in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.002)
    elapsed = time.monotonic() - start
    if job["status"] != "SUCCEEDED":
        raise RuntimeError(f"job failed: {job.get('statusReason')} {job.get('container')}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--runtime", default="runc")
    args = parser.parse_args()
    subprocess.run([os.path.join(ROOT, "scripts", "podman-test-image.sh"), IMAGE], check=True,
                   env=dict(os.environ, NIGHTSHIFT_PODMAN_RUNTIME=args.runtime))
    data = tempfile.mkdtemp(prefix="nightshift-container-bench-")
    server = Server(os.path.abspath(os.path.join(args.build, "nightshift")), data,
                    extra_args=["--image-pull", "never"] + (["--podman-runtime", args.runtime] if args.runtime else []))
    try:
        server.call("registerjobdefinition", {"jobDefinitionName": "true", "type": "container",
                                              "containerProperties": {"image": IMAGE, "command": ["true"]}})
        nightshift_once(server)  # warm-up: the first launch starts the supervisor
        direct_once(args.runtime, "warm")
        direct, through = [], []
        for i in range(args.runs):
            direct.append(direct_once(args.runtime, i))
            through.append(nightshift_once(server))
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    d, n = statistics.median(direct), statistics.median(through)
    print("| `true` container, start to exit, median of %d | nightshift %.0f ms | podman run %.0f ms | %.2f× |"
          % (args.runs, n * 1000, d * 1000, n / d))


if __name__ == "__main__":
    main()
