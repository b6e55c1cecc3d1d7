#!/usr/bin/env python3
"""Soak: a sustained SubmitJob rate for many minutes, watching for slow leaks (a benchmark, not CI).

The server (a Release build) takes --rate submissions/s (default 2,000) for --minutes (default 10)
from wrk: 32 keep-alive connections, each pacing itself with a delay that is re-tuned after every
sample so that the achieved rate stays on target (wrk has no rate option; wrk2 is not in Debian).
Jobs run meanwhile: one submission in --run-every (default 10, so 200 jobs/s) is a `true` job on
the default compute environment (2 vCPUs); the others name a job definition that can never fit
it, so they are stored and failed at once (the spawn rate of this machine is ~2,000/s with nothing
else running: it cannot run 2,000 jobs/s beside the server and the load generator).

Every --sample-seconds (default 60) it records the server's RSS (VmRSS), its open fds
(/proc/PID/fd, 3 s after the sample's connections closed), the supervisor's RSS, the achieved rate and wrk's latency percentiles for that
sample. The first sample is warm-up. At the end it prints one markdown table and the verdicts:
RSS within 10 % of the first post-warm-up sample, fd growth, and p99 stability (the largest
sample's p99 over the median sample's), and appends them to bench/results/soak-<date>.md.

Usage: bench/soak.py [--build build] [--minutes 10] [--rate 2000] [--run-every 10] [--sample-seconds 60]
"""
import argparse
import datetime
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)

import batch_bench  # noqa: E402

CONNECTIONS = 32
THREADS = 2

# Each connection waits `delay` ms (fractional, dithered over requests) before its next request;
# one request in RUN_EVERY submits a job that runs, the rest one that fails at submission.
WRK_SCRIPT = """
local delay_ms = {delay}
local run_every = {run_every}
local carry = 0
local counter = 0
local run_body = '{{"jobName": "soak", "jobQueue": "default", "jobDefinition": "true"}}'
local fail_body = '{{"jobName": "soak", "jobQueue": "default", "jobDefinition": "never"}}'

function delay()
  carry = carry + delay_ms
  local whole = math.floor(carry)
  carry = carry - whole
  return whole
end

function request()
  counter = counter + 1
  local body = fail_body
  if counter % run_every == 0 then body = run_body end
  return wrk.format("POST", "/v1/submitjob", {{["Content-Type"] = "application/json"}}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("requests=%d\\n", summary.requests))
  io.write(string.format("non2xx=%d\\n", summary.errors.status))
  io.write(string.format("socket_errors=%d\\n", summary.errors.connect + summary.errors.read +
                         summary.errors.write + summary.errors.timeout))
  io.write(string.format("p50us=%d\\np99us=%d\\np999us=%d\\nmaxus=%d\\n", latency:percentile(50),
                         latency:percentile(99), latency:percentile(99.9), latency.max))
end
"""


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def supervisor_rss_mb(data_dir):
    """The RSS of the job supervisor(s) working for this data dir (they outlive the server)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
            if b"supervisor" in cmdline and data_dir.encode() in cmdline:
                total += proc_status(pid, "VmRSS")
        except OSError:
            continue
    return total / 1024


def run_wrk(port, seconds, delay_ms, run_every, tmp):
    script = os.path.join(tmp, "soak.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT.format(delay=f"{delay_ms:.4f}", run_every=run_every))
    out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", script,
                          f"http://127.0.0.1:{port}/v1/submitjob"], capture_output=True, text=True).stdout
    values = dict(re.findall(r"^(\w+)=(\d+)$", out, re.MULTILINE))
    if "requests" not in values:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    return {k: int(v) for k, v in values.items()}


def verdicts(samples, rate):
    steady = samples[1:] or samples
    base = steady[0]["rss"]
    rss_dev = max(abs(s["rss"] - base) / base for s in steady) * 100
    fd_growth = steady[-1]["fds"] - steady[0]["fds"]
    p99s = [s["p99"] for s in steady]
    p99_ratio = max(p99s) / statistics.median(p99s) if statistics.median(p99s) > 0 else float("inf")
    achieved = sum(s["requests"] for s in steady) / sum(s["seconds"] for s in steady)
    errors = sum(s["non2xx"] + s["socket_errors"] for s in samples)
    return [
        f"RSS after warm-up: {min(s['rss'] for s in steady):.0f}–{max(s['rss'] for s in steady):.0f} MB, at most "
        f"{rss_dev:.1f} % from the first post-warm-up sample ({base:.0f} MB): "
        + ("within 10 %" if rss_dev <= 10 else "NOT within 10 %"),
        f"open fds after warm-up: {steady[0]['fds']} → {steady[-1]['fds']} ({fd_growth:+d}): "
        + ("no growth" if fd_growth <= 0 else "GROWTH"),
        f"p99 latency per sample: {min(p99s):.1f}–{max(p99s):.1f} ms; largest ÷ median {p99_ratio:.2f}: "
        + ("stable (≤ 2)" if p99_ratio <= 2 else "NOT stable (> 2)"),
        f"achieved {achieved:,.0f} submissions/s after warm-up (target {rate:,}/s); "
        f"{errors} non-2xx answers or socket errors in all",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=int, default=2000, help="submissions per second")
    ap.add_argument("--run-every", type=int, default=10, help="one submission in N runs a `true` job")
    ap.add_argument("--sample-seconds", type=int, default=60)
    ap.add_argument("--data-root", default=None, help="where the server's data dir goes (default: the temp dir)")
    ap.add_argument("--output", default=None, help="default: bench/results/soak-<date>.md (appended to)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("soak needs wrk (apt-get install wrk)")
    binary = os.path.join(args.build, "nightshift")
    tmp = tempfile.mkdtemp(prefix="nightshift-soak-", dir=args.data_root)
    data = os.path.join(tmp, "data")
    os.makedirs(data)
    server = batch_bench.Server(binary, data)
    samples = []
    load_before = os.getloadavg()
    try:
        server.call("registerjobdefinition", {"jobDefinitionName": "true", "type": "container",
                                              "containerProperties": {"command": ["true"]}})
        server.call("registerjobdefinition", {"jobDefinitionName": "never", "type": "container", "containerProperties": {
            "command": ["true"], "resourceRequirements": [{"type": "VCPU", "value": "100000"}]}})
        server.conn.close()
        pid = server.proc.pid
        delay = CONNECTIONS / args.rate * 1000  # ms between a response and the next request, first guess
        count = max(1, round(args.minutes * 60 / args.sample_seconds))
        for i in range(count):
            started = time.monotonic()
            w = run_wrk(server.port, args.sample_seconds, delay, args.run_every, tmp)
            seconds = time.monotonic() - started
            time.sleep(3)  # the server closes wrk's connections (after a short linger): count its own fds
            sample = dict(minute=(i + 1) * args.sample_seconds / 60, seconds=seconds, requests=w["requests"],
                          rate=w["requests"] / seconds, non2xx=w["non2xx"], socket_errors=w["socket_errors"],
                          p50=w["p50us"] / 1000, p99=w["p99us"] / 1000, p999=w["p999us"] / 1000,
                          max=w["maxus"] / 1000, rss=proc_status(pid, "VmRSS") / 1024, fds=open_fds(pid),
                          supervisor=supervisor_rss_mb(data), delay=delay)
            samples.append(sample)
            print(f"sample {i + 1}/{count}: {sample['rate']:,.0f}/s, p99 {sample['p99']:.1f} ms, "
                  f"RSS {sample['rss']:.0f} MB, fds {sample['fds']}, delay {delay:.2f} ms", file=sys.stderr, flush=True)
            # Re-tune the pacing: per connection, period = service time + delay.
            period = CONNECTIONS / max(sample["rate"], 1) * 1000
            delay = max(0.0, delay + CONNECTIONS / args.rate * 1000 - period)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    rows = ["| minute | submissions/s | p50 ms | p99 ms | p99.9 ms | max ms | server RSS MB | server fds | "
            "supervisor RSS MB | non-2xx |", "|" + "---|" * 10]
    for s in samples:
        rows.append(f"| {s['minute']:g}{' (warm-up)' if s is samples[0] else ''} | {s['rate']:,.0f} | {s['p50']:.2f} | "
                    f"{s['p99']:.2f} | {s['p999']:.2f} | {s['max']:.1f} | {s['rss']:.0f} | {s['fds']} | "
                    f"{s['supervisor']:.0f} | {s['non2xx'] + s['socket_errors']} |")
    command = "bench/soak.py" + "".join(" " + a for a in sys.argv[1:])
    now = datetime.datetime.now(datetime.timezone.utc)
    text = (f"## `{command}`, {now:%Y-%m-%d %H:%M} UTC\n\n{os.cpu_count()} cores; load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; {args.rate:,} submissions/s targeted, one in "
            f"{args.run_every} a `true` job that runs.\n\n" + "\n".join(rows) + "\n\n"
            + "\n".join(f"* {v}" for v in verdicts(samples, args.rate)) + "\n")
    print(text)
    output = args.output or os.path.join(BENCH, "results", f"soak-{now:%Y-%m-%d}.md")
    existed = os.path.exists(output)
    with open(output, "a") as f:
        f.write(("\n" if existed else "# bench/soak.py results\n\n") + text)


if __name__ == "__main__":
    sys.exit(main())
