#!/usr/bin/python3
"""Pipeline benchmarks (issue 4), run side by side with their peers on this machine.

  dag    The 10,000-job layered DAG of batch_bench.py (100 layers x 100 jobs, each depending on
         1-3 jobs of the previous layer, fixed seed) as a pipeline of `true` steps, run by
         `nightshift run FILE` in process (the default compute environment takes this machine's
         cores: 2 vCPUs here). The figure is the wall time of the whole command: start-up, apply,
         the run, the summary and exit. Three ways to watch it: plain lines (stdout not a
         terminal, as in a CI log), the status line on a terminal (a pseudo-terminal the benchmark
         drains) and --output json. Next to it, GNU make -j2 and ninja -j2 on the same DAG, in the
         same invocation, the tools alternating run by run. Each run gets a fresh data dir, removed
         after the run. The json runs also split the time at the run's own created_at and
         stopped_at: start-up + apply, the run, summary + exit. Every row also gives the CPU time
         (user + sys) of the whole process tree: make and nightshift alike wait for their children.
  apply  POST /api/v1/pipelines of the same 10,000-step file to a running server (2 vCPUs): time
         from request to response, parse + validate + store included; then the identical file
         again (no new version). Each round applies it under a new pipeline name. Next to it,
         build/bench/pipeline_parse_bench: parse + validate alone, no server.

Prints one markdown table and writes it to bench/results/pipelines.md (--output). Figures only:
nothing here asserts on timing.
Usage: bench/pipeline_bench.py [--build build] [--runs 3] [--apply-runs 5] [--data-root DIR] [dag] [apply]
"""
import argparse
import datetime
import fcntl
import http.client
import json
import os
import pty
import re
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import batch_bench  # noqa: E402  (the DAG generator, the make/ninja runners and the server handle)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAG_FILE = "dag.yaml"
WATCH_MODES = ("plain lines", "terminal", "json")


def pipeline_text(jobs, name):
    """The DAG [(name, [deps])] as a pipeline file whose every step runs `true`."""
    lines = [f"name: {name}", "steps:"]
    for step, deps in jobs:
        lines.append(f"  {step}: {{command: [\"true\"]" + (f", depends_on: [{', '.join(deps)}]" if deps else "") + "}")
    return "\n".join(lines) + "\n"


def utc_seconds(rfc3339):
    return datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def drain_pty(command, cwd):
    """Runs `command` with stdout and stderr on a 120x40 pseudo-terminal, reading it all."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    tail = b""
    while True:
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not data:
            break
        tail = (tail + data)[-4096:]
    os.close(master)
    return proc.wait(), tail.decode(errors="replace")


def run_nightshift(binary, tmp, mode):
    """One `nightshift run dag.yaml` in a fresh data dir; returns (seconds, phases or None)."""
    data = tempfile.mkdtemp(prefix="run-", dir=tmp)
    command = [binary, "run", DAG_FILE, "--data-dir", data] + (["--output", "json"] if mode == "json" else [])
    try:
        wall0, t0 = time.time(), time.monotonic()
        if mode == "terminal":
            rc, out = drain_pty(command, tmp)
        else:
            result = subprocess.run(command, cwd=tmp, stdin=subprocess.DEVNULL, text=True,
                                    stdout=subprocess.PIPE if mode == "json" else subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            rc, out = result.returncode, (result.stdout or "") + result.stderr[-4096:]
        elapsed, wall1 = time.monotonic() - t0, time.time()
        if rc != 0:
            raise RuntimeError(f"nightshift run ({mode}) exited {rc}:\n{out[-2000:]}")
        phases = None
        if mode == "json":
            run = json.loads(result.stdout)
            created, stopped = utc_seconds(run["created_at"]), utc_seconds(run["stopped_at"])
            phases = (created - wall0, stopped - created, wall1 - stopped)
        return elapsed, phases
    finally:
        shutil.rmtree(data, ignore_errors=True)


def children_cpu():
    """user + sys seconds of every waited-for descendant so far (a job tree's whole CPU cost)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(fn, *args):
    """Returns (fn's result, CPU seconds its process tree used)."""
    before = children_cpu()
    result = fn(*args)
    return result, children_cpu() - before


def listing(values):
    return ", ".join(f"{v:.2f}" for v in values)


def bench_dag(binary, runs, tmp, modes):
    jobs = batch_bench.layered_dag()
    with open(os.path.join(tmp, DAG_FILE), "w") as f:
        f.write(pipeline_text(jobs, "layered-dag"))
    results = {"make -j2": [], "ninja -j2": []} | {mode: [] for mode in modes}
    cpu = {tool: [] for tool in results}
    phases = []
    for _ in range(runs):  # alternating, so that drift in the machine's speed hits every tool alike
        for tool, run in (("make -j2", batch_bench.run_make), ("ninja -j2", batch_bench.run_ninja)):
            elapsed, used = timed(run, jobs, tmp)
            results[tool].append(elapsed)
            cpu[tool].append(used)
        for mode in modes:
            (elapsed, split), used = timed(run_nightshift, binary, tmp, mode)
            results[mode].append(elapsed)
            cpu[mode].append(used)
            if split:
                phases.append(split)
    make = statistics.median(results["make -j2"])
    make_cpu = statistics.median(cpu["make -j2"])
    commands = {"make -j2": "`make -s -j2`", "ninja -j2": "`ninja -j2 --quiet`",
                "plain lines": "`nightshift run dag.yaml > /dev/null` (plain lines)",
                "terminal": "`nightshift run dag.yaml` on a 120-column terminal (status line)",
                "json": "`nightshift run dag.yaml --output json`"}
    rows = []
    for tool, values in results.items():
        med = statistics.median(values)
        goal = "≤ 1.25× make" if tool in modes else ""
        used = statistics.median(cpu[tool])
        rows.append(f"| 10,000-step layered DAG of `true`, 2 at a time | {commands[tool]} | "
                    f"{med:.2f} s ({len(jobs) / med:,.0f} steps/s) | {listing(values)} | {med / make:.2f}× | "
                    f"{used:.1f} s ({used / make_cpu:.2f}×) | {goal} |")
    if phases:
        start, run, end = (statistics.median(p[i] for p in phases) for i in range(3))
        rows.append(f"| same, json runs split at the run's created_at and stopped_at | "
                    f"start-up + apply / run / summary + exit | {start:.2f} s / {run:.2f} s / {end:.2f} s | | "
                    f"run alone: {run / make:.2f}× | | |")
    return rows


def post_pipeline(server, body):
    """POST /api/v1/pipelines; returns (seconds from request to whole response, response)."""
    t = time.monotonic()
    server.conn.request("POST", "/api/v1/pipelines", body, {"Content-Type": "application/json"})
    r = server.conn.getresponse()
    data = r.read()
    elapsed = time.monotonic() - t
    if r.status != 200:
        raise RuntimeError(f"apply: {r.status} {data[:500]}")
    return elapsed, json.loads(data)


def bench_apply(binary, build, runs, tmp):
    jobs = batch_bench.layered_dag()
    data = tempfile.mkdtemp(prefix="server-", dir=tmp)
    server = batch_bench.Server(binary, data)
    first, again, size = [], [], 0
    try:
        for i in range(runs):
            text = pipeline_text(jobs, f"layered-dag-{i}")
            size = len(text)
            body = json.dumps({"source": text, "base_dir": tmp}).encode()
            elapsed, applied = post_pipeline(server, body)
            if not applied.get("changed") or applied.get("step_count") != len(jobs):
                raise RuntimeError(f"first apply made no new version: {str(applied)[:300]}")
            first.append(elapsed)
            elapsed, reapplied = post_pipeline(server, body)
            if reapplied.get("changed") or reapplied.get("version") != applied.get("version"):
                raise RuntimeError(f"identical apply made a new version: {str(reapplied)[:300]}")
            again.append(elapsed)
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    rows = []
    for label, values in (("new pipeline", first), ("identical file again (no new version)", again)):
        rows.append(f"| apply + validate a 10,000-step pipeline ({size / 1e6:.2f} MB), {label} | "
                    f"`POST /api/v1/pipelines` to a running server | {statistics.median(values) * 1000:.0f} ms | "
                    f"{', '.join(f'{v * 1000:.0f}' for v in values)} | | | ≤ 1 s |")
    out = subprocess.run([os.path.join(build, "bench", "pipeline_parse_bench")], check=True, capture_output=True,
                         text=True).stdout.strip()
    m = re.search(r"([\d,]+) bytes: parse \+ validate median ([\d.]+) ms", out)
    rows.append(f"| parse + validate alone, 10,000 steps ({int(m.group(1)) / 1e6:.2f} MB, templated commands) | "
                f"`build/bench/pipeline_parse_bench` | {m.group(2)} ms | median of 7 | | | |" if m else
                f"| parse + validate alone | `build/bench/pipeline_parse_bench` | {out} | | | | |")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--binary", default=None, help="the nightshift binary (default: BUILD/nightshift)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each tool in `dag`")
    ap.add_argument("--apply-runs", type=int, default=5)
    ap.add_argument("--modes", default=",".join(WATCH_MODES),
                    help="how `nightshift run` is watched in `dag`: plain lines,terminal,json")
    ap.add_argument("--data-root", default=None,
                    help="where data dirs go (default: the system temp dir; /dev/shm for tmpfs)")
    ap.add_argument("--output", default=os.path.join(ROOT, "bench", "results", "pipelines.md"))
    ap.add_argument("which", nargs="*", default=["dag", "apply"])
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if not set(args.which) <= {"dag", "apply"} or not set(modes) <= set(WATCH_MODES):
        ap.error(f"unknown benchmark in {args.which} or mode in {modes}")
    binary = args.binary or os.path.join(args.build, "nightshift")
    load_before = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="nightshift-pipeline-bench-", dir=args.data_root)
    rows = ["| benchmark | command | median wall time | runs (s or ms) | ÷ make -j2 | CPU, user + sys (÷ make) | goal |",
            "|---|---|---|---|---|---|---|"]
    try:
        if "dag" in args.which:
            rows += bench_dag(binary, args.runs, tmp, modes)
        if "apply" in args.which:
            rows += bench_apply(binary, args.build, args.apply_runs, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = "\n".join(rows)
    print(table)
    command = " ".join(["bench/pipeline_bench.py"] + sys.argv[1:])
    load = f"1-minute load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    print(load)
    with open(args.output, "w") as f:
        f.write(f"# {command}, {datetime.date.today()}, {os.cpu_count()}-core machine, {load}\n\n{table}\n")


if __name__ == "__main__":
    sys.exit(main())
