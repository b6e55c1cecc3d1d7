#!/usr/bin/env python3
"""Batch-core benchmarks, run side by side with their peers on this machine.

  dag      10,000-job layered DAG of `true` (100 layers x 100 jobs, each depending on 1-3 jobs of
           the previous layer, fixed seed) on 2 vCPUs, vs GNU make -j2 and ninja -j2 on the same DAG.
           nightshift's time runs from the release of the DAG (its compute environment is enabled)
           to the last job's stoppedAt.
  chain    a 1,000-job chain of `true`: time per link, vs make, ninja and a C loop starting one
           process after the other (the floor).
  submit   durable SubmitJob/s over HTTP with 32 keep-alive connections (wrk; --connections for
           others), jobs held on a disabled compute environment so that only submission is measured.

Prints one markdown row per figure: median and spread over --runs repetitions.
Usage: bench/batch_bench.py [--build build] [--runs 3] [--connections 32] [--realtime-priority N]
                            [dag] [chain] [submit]
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
    def __init__(self, binary, data_dir, vcpus=2, extra_args=()):
        self.log = open(os.path.join(data_dir, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [binary, "server", "--listen", "127.0.0.1:0", "--data-dir", data_dir, "--default-vcpus", str(vcpus)]
            + (["--allow-root-jobs"] if os.geteuid() == 0 else [])  # the benchmarked jobs name no user
            + list(extra_args),
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", open(self.log.name, "rb").read())
            if m:
                self.port = int(m.group(1))
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port)
                return
            time.sleep(0.02)
        raise RuntimeError("server did not start")

    def call(self, op, body):
        self.conn.request("POST", "/v1/" + op, json.dumps(body), {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = json.loads(r.read() or b"{}")
        if r.status != 200:
            raise RuntimeError(f"{op}: {r.status} {data}")
        return data

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()
        self.log.close()


def layered_dag(layers=100, width=100, seed=42):
    """Returns [(name, [dependency names])] in topological order."""
    rng = random.Random(seed)
    jobs = []
    for layer in range(layers):
        for i in range(width):
            deps = [] if layer == 0 else sorted({f"j{layer - 1}_{rng.randrange(width)}" for _ in range(rng.randint(1, 3))})
            jobs.append((f"j{layer}_{i}", deps))
    return jobs


def chain(n=1000):
    return [(f"c{i}", [f"c{i - 1}"] if i else []) for i in range(n)]


def run_make(jobs, tmp):
    path = os.path.join(tmp, "Makefile")
    with open(path, "w") as f:
        f.write(".PHONY: all " + " ".join(n for n, _ in jobs) + "\nall: " + " ".join(n for n, _ in jobs) + "\n")
        for name, deps in jobs:
            f.write(f"{name}: {' '.join(deps)}\n\t@true\n")
    t = time.monotonic()
    subprocess.run(["make", "-s", "-j2", "-f", path], check=True, cwd=tmp)
    return time.monotonic() - t


def run_ninja(jobs, tmp):
    path = os.path.join(tmp, "build.ninja")
    with open(path, "w") as f:
        f.write("rule t\n  command = true\n")
        for name, deps in jobs:
            f.write(f"build {name}: t" + (" || " + " ".join(deps) if deps else "") + "\n")
    t = time.monotonic()
    subprocess.run(["ninja", "-j2", "-f", path, "--quiet"], check=True, cwd=tmp, stdout=subprocess.DEVNULL)
    return time.monotonic() - t


def run_snakemake(jobs, tmp):
    """The same DAG as a Snakefile: one rule per job running `true`, its output a file snakemake
    touches itself (a rule needs an output for others to depend on)."""
    work = tempfile.mkdtemp(dir=tmp)
    with open(os.path.join(work, "Snakefile"), "w") as f:
        f.write("rule all:\n    input: " + ", ".join(repr(n) for n, _ in jobs) + "\n")
        for name, deps in jobs:
            f.write(f"rule {name}:\n")
            if deps:
                f.write("    input: " + ", ".join(repr(d) for d in deps) + "\n")
            f.write(f"    output: touch({name!r})\n    shell: 'true'\n")
    t = time.monotonic()
    subprocess.run(["snakemake", "-j2", "--quiet", "--nolock"], check=True, cwd=work,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t


def run_nightshift(binary, jobs, tmp, details=None, server_args=()):
    """Submits the DAG held on a disabled CE, enables it, returns seconds to the last stoppedAt.
    With a dict `details`, fills it with each job's description by name."""
    # The data dir is removed only at the end of the whole benchmark: mass deletions just before
    # a run make ext4 (without a journal, as on our machines) slow at allocating inodes.
    data = tempfile.mkdtemp(dir=tmp)
    s = Server(binary, data, extra_args=server_args)
    try:
        s.call("createcomputeenvironment", {"computeEnvironmentName": "bench", "type": "UNMANAGED",
                                            "unmanagedvCpus": 2, "state": "DISABLED"})
        s.call("createjobqueue", {"jobQueueName": "bench", "priority": 1,
                                  "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "bench"}]})
        s.call("registerjobdefinition", {"jobDefinitionName": "true", "type": "container",
                                         "containerProperties": {"command": ["true"]}})
        ids = {}
        for name, deps in jobs:
            ids[name] = s.call("submitjob", {"jobName": name, "jobQueue": "bench", "jobDefinition": "true",
                                             "dependsOn": [{"jobId": ids[d]} for d in deps]})["jobId"]
        released = int(time.time() * 1000)
        s.call("updatecomputeenvironment", {"computeEnvironment": "bench", "state": "ENABLED"})
        last = ids[jobs[-1][0]]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if all(j["status"] in ("SUCCEEDED", "FAILED") for j in s.call("describejobs", {"jobs": [last]})["jobs"]):
                break
            time.sleep(0.1)  # completion check only; the figure comes from the jobs' own timestamps
        stopped = []
        all_ids = list(ids.values())
        for i in range(0, len(all_ids), 100):
            for j in s.call("describejobs", {"jobs": all_ids[i:i + 100]})["jobs"]:
                if j["status"] != "SUCCEEDED":
                    raise RuntimeError(f"job {j['jobName']} ended {j['status']}: {j.get('statusReason')}")
                stopped.append(j["stoppedAt"])
                if details is not None:
                    details[j["jobName"]] = j
        return (max(stopped) - released) / 1000.0
    finally:
        s.stop()


def raw_spawn_loop(build, n, parallel=2):
    """The physical limit: posix_spawn + waitpid of `true`, `parallel` at a time (bench/spawn_loop.cc)."""
    out = subprocess.run([os.path.join(build, "bench", "spawn_loop"), str(n), str(parallel)], check=True,
                         capture_output=True, text=True).stdout
    return float(out)


def median_spread(values):
    return statistics.median(values), (max(values) - min(values))


def bench_graph(binary, name, jobs, runs, tmp, per, server_args=()):
    results = {"nightshift": [], "make -j2": [], "ninja -j2": []}
    for _ in range(runs):
        results["make -j2"].append(run_make(jobs, tmp))
        results["ninja -j2"].append(run_ninja(jobs, tmp))
        results["nightshift"].append(run_nightshift(binary, jobs, tmp, server_args=server_args))
    ns, _ = median_spread(results["nightshift"])
    rows = []
    for tool, values in results.items():
        med, spread = median_spread(values)
        if per == "job":
            figure = f"{med:.2f} s ({len(jobs) / med:,.0f} jobs/s)"
        else:
            figure = f"{med * 1000 / len(jobs):.2f} ms/link ({med:.2f} s total)"
        rows.append(f"| {name} | {tool} | {figure} | ±{spread / 2:.2f} s | {ns / med:.2f}× |")
    return rows


def bench_submit(binary, runs, tmp, connections=32, duration=10, server_args=()):
    if not shutil.which("wrk"):
        return [f"| SubmitJob/s, {connections} connections | nightshift | wrk not installed | | |"]
    rates, p99s = [], []
    for _ in range(runs):
        data = tempfile.mkdtemp(dir=tmp)
        s = Server(binary, data, extra_args=server_args)
        try:
            s.call("updatecomputeenvironment", {"computeEnvironment": "default", "state": "DISABLED"})
            s.call("registerjobdefinition", {"jobDefinitionName": "true", "type": "container",
                                             "containerProperties": {"command": ["true"]}})
            script = os.path.join(tmp, "submit.lua")
            with open(script, "w") as f:
                f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                        'wrk.body = \'{"jobName": "w", "jobQueue": "default", "jobDefinition": "true"}\'\n'
                        'done = function(summary, latency, requests)\n'
                        '  io.write(string.format("non2xx=%d\\n", summary.errors.status))\nend\n')
            out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script,
                                  f"http://127.0.0.1:{s.port}/v1/submitjob"], capture_output=True, text=True).stdout
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            errors = int(re.search(r"non2xx=(\d+)", out).group(1))
            if errors:
                raise RuntimeError(f"{errors} submissions failed:\n{out}")
            rates.append(rate)
            p99s.append(wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)))
        finally:
            s.stop()
            shutil.rmtree(data, ignore_errors=True)
    med, spread = median_spread(rates)
    plural = "s" if connections != 1 else ""
    return [f"| SubmitJob/s, {connections} keep-alive connection{plural} | nightshift | {med:,.0f}/s | ±{spread / 2:,.0f} | "
            f"{med / 50:,.0f}× AWS's 50/s throttle |",
            f"| SubmitJob p99 latency at that load | nightshift | {statistics.median(p99s):.1f} ms | "
            f"{min(p99s):.1f}–{max(p99s):.1f} ms | |"]


def wrk_ms(text):
    """A wrk latency ("812.00us", "3.52ms", "1.02s") in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}[unit]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data-root", default=None,
                    help="where the servers' data dirs go (default: the system temp dir; /dev/shm for tmpfs)")
    ap.add_argument("--connections", default="32",
                    help="submit: the wrk connections, or several (comma-separated) for one row each")
    ap.add_argument("--realtime-priority", type=int, default=0,
                    help="run the servers with --realtime-priority N (SCHED_FIFO for their loop; needs root)")
    ap.add_argument("which", nargs="*", default=["dag", "chain", "submit"])
    args = ap.parse_args()
    binary = os.path.join(args.build, "nightshift")
    server_args = ["--realtime-priority", str(args.realtime_priority)] if args.realtime_priority else []
    tmp = tempfile.mkdtemp(prefix="nightshift-bench-", dir=args.data_root)
    rows = ["| benchmark | tool | median | spread | nightshift ÷ tool |", "|---|---|---|---|---|"]
    try:
        if "dag" in args.which:
            rows += bench_graph(binary, "10,000-job layered DAG", layered_dag(), args.runs, tmp, "job", server_args)
            raw = [raw_spawn_loop(args.build, 10000) for _ in range(args.runs)]
            med, spread = median_spread(raw)
            rows.append(f"| 10,000 × posix_spawn+wait of `true`, 2 at a time | raw loop (C, the physical limit) | "
                        f"{med:.2f} s ({10000 / med:,.0f} jobs/s) | ±{spread / 2:.2f} s | |")
        if "chain" in args.which:
            rows += bench_graph(binary, "1,000-job chain", chain(), args.runs, tmp, "link", server_args)
            # A link can be no shorter than starting and reaping one process.
            raw = [raw_spawn_loop(args.build, 1000, parallel=1) for _ in range(args.runs)]
            med, spread = median_spread(raw)
            rows.append(f"| 1,000 × posix_spawn+wait of `true`, one at a time | raw loop (C, the physical limit) | "
                        f"{med:.2f} ms/link ({med:.2f} s total) | ±{spread / 2:.2f} s | |")
        if "submit" in args.which:
            for connections in (int(c) for c in args.connections.split(",")):
                rows += bench_submit(binary, args.runs, tmp, connections, server_args=server_args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(rows))


if __name__ == "__main__":
    sys.exit(main())
