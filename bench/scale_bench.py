#!/usr/bin/env python3
"""Scale benchmark: a store holding 1,000,000 jobs, and a restart with 100,000 queued jobs.

  * 1,000,000 jobs are created fast and honestly: ten 100,000-child array jobs whose definition can
    never fit the queue's compute environment, so every child fails at submission (no process
    runs) and is stored as a FAILED job, plus 1,000 top-level jobs of the same kind.
  * DescribeJobs (1 id and 100 ids per call) and ListJobs (a queue's FAILED jobs, an array's
    children, paging with nextToken) are timed one call at a time over a keep-alive connection:
    p50 and p99 in ms.
  * Server RSS with the million jobs stored.
  * 100,000 queued jobs (one array on a DISABLED compute environment, so they stay RUNNABLE),
    then SIGTERM and restart: seconds from exec to a served /healthz, and RSS after.

Usage: bench/scale_bench.py [--build build] [--calls 1000]
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    def __init__(self, binary, data_dir):
        self.binary, self.data_dir = binary, data_dir
        self.log_path = os.path.join(data_dir, "server.log")

    def start(self):
        os.makedirs(self.data_dir, exist_ok=True)
        log = open(self.log_path, "ab")
        offset = log.tell()
        t0 = time.monotonic()
        self.proc = subprocess.Popen([self.binary, "server", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir,
                                      "--default-vcpus", "2"] + (["--allow-root-jobs"] if os.geteuid() == 0 else []),
                                     stdout=log, stderr=subprocess.STDOUT)
        while True:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read())
            if m:
                break
            if time.monotonic() - t0 > 120:
                raise RuntimeError("server did not start")
            time.sleep(0.005)
        self.port = int(m.group(1))
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port)
        self.call_raw("GET", "/healthz", None)
        return time.monotonic() - t0

    def call_raw(self, method, path, body):
        self.conn.request(method, path, json.dumps(body) if body is not None else None,
                          {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"{path}: {r.status} {data[:300]}")
        return json.loads(data or b"{}")

    def call(self, op, body):
        return self.call_raw("POST", "/v1/" + op, body)

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()


def timed(calls, fn):
    samples = []
    for i in range(calls):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def measure(binary, tmp, arrays=10, size=100000, singles=1000, calls=1000, restart_queue=100000):
    """Returns the scale figures as a dict (see the module's docstring); `rows` formats them."""
    rng = random.Random(7)
    out = {}
    s = Server(binary, os.path.join(tmp, "data"))
    s.start()
    s.call("registerjobdefinition", {"jobDefinitionName": "never", "type": "container", "containerProperties": {
        "command": ["true"], "resourceRequirements": [{"type": "VCPU", "value": "100000"}]}})
    t = time.monotonic()
    parents = [s.call("submitjob", {"jobName": f"big{i}", "jobQueue": "default", "jobDefinition": "never",
                                    "arrayProperties": {"size": size}})["jobId"] for i in range(arrays)]
    for i in range(singles):
        s.call("submitjob", {"jobName": f"single{i}", "jobQueue": "default", "jobDefinition": "never"})
    out["fill_s"] = time.monotonic() - t
    out["total"] = arrays * (size + 1) + singles

    ids = [f"{rng.choice(parents)}:{rng.randrange(size)}" for _ in range(calls)]
    out["describe1"] = timed(calls, lambda i: s.call("describejobs", {"jobs": [ids[i]]}))
    batches = [[f"{rng.choice(parents)}:{rng.randrange(size)}" for _ in range(100)] for _ in range(max(1, calls // 10))]
    out["describe100"] = timed(len(batches), lambda i: s.call("describejobs", {"jobs": batches[i]}))
    out["list_queue"] = timed(calls, lambda i: s.call("listjobs", {"jobQueue": "default", "jobStatus": "FAILED",
                                                                   "maxResults": 100}))
    token = {}

    def page(i):
        body = {"arrayJobId": parents[i % arrays], "jobStatus": "FAILED", "maxResults": 100}
        if token.get(i % arrays):
            body["nextToken"] = token[i % arrays]
        token[i % arrays] = s.call("listjobs", body).get("nextToken")
    out["list_array"] = timed(calls, page)
    out["rss"] = s.rss_mb()

    s.call("updatecomputeenvironment", {"computeEnvironment": "default", "state": "DISABLED"})
    s.call("registerjobdefinition", {"jobDefinitionName": "true", "type": "container",
                                     "containerProperties": {"command": ["true"]}})
    s.call("submitjob", {"jobName": "queued", "jobQueue": "default", "jobDefinition": "true",
                         "arrayProperties": {"size": restart_queue}})
    s.stop()
    out["restart_queue"] = restart_queue
    out["restart_s"] = s.start()
    out["restart_rss"] = s.rss_mb()
    s.stop()
    return out


def rows(m):
    out = ["| scale benchmark | p50 | p99 | goal |", "|---|---|---|---|",
           f"| storing {m['total']:,} jobs (arrays expanded in-process) | {m['fill_s']:.1f} s total | | |"]
    for key, label, goal in (("describe1", f"DescribeJobs, 1 id, {m['total']:,} jobs stored", "p99 ≤ 10 ms"),
                             ("describe100", "DescribeJobs, 100 ids", ""),
                             ("list_queue", "ListJobs, queue + status, 100 per page", "p99 ≤ 10 ms"),
                             ("list_array", "ListJobs, array children, paging with nextToken", "p99 ≤ 10 ms")):
        p50, p99 = m[key]
        out.append(f"| {label} | {p50:.2f} ms | {p99:.2f} ms | {goal} |")
    rss, hwm = m["rss"]
    out.append(f"| server RSS with {m['total']:,} jobs stored | {rss:.0f} MB (peak {hwm:.0f} MB) | | ≤ 500 MB |")
    out.append(f"| restart with {m['restart_queue']:,} queued jobs: exec to /healthz served | {m['restart_s']:.2f} s | | ≤ 2 s |")
    rss, hwm = m["restart_rss"]
    out.append(f"| server RSS after that restart | {rss:.0f} MB (peak {hwm:.0f} MB) | | ≤ 500 MB |")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--calls", type=int, default=1000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nightshift-scale-")
    try:
        print("\n".join(rows(measure(os.path.join(args.build, "nightshift"), tmp, calls=args.calls))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
