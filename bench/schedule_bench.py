#!/usr/bin/python3
"""Schedule benchmarks (issue 3): fire lateness, 100,000 schedules at rest, Next() throughput.

  lateness   Fire lateness (decided_at - due_time, from each schedule's fire history, in whole
             milliseconds) p50/p99/max over --fires at() fires: 3 schedules share each whole
             second over the coming ~2 minutes. Measured idle and with both cores busy (two
             `sh -c 'while :; do :; done'` burners). Next to it, the timer floor: a plain Python
             loop that sleeps until targets (4 a second) on the same machine at the same time.
             The peers are not run: systemd timers default to AccuracySec=1min, EventBridge
             Scheduler promises a fire within 60 s.
  scale      100,000 enabled schedules (cron, AWS cron and rate in four zones) created over HTTP
             (8 keep-alive connections; creates/s is a side figure), then SIGTERM and restart
             --runs times: exec to the "listening" line, VmRSS after start, and the server's CPU
             (utime+stime from /proc/PID/stat) over 30 idle seconds. Every schedule starts a day
             from now, so none fires during the measurement.
  next-fire  build/bench/next_fire_bench (Next() per second, one thread, median of 7 runs).

Prints one markdown table and writes it to bench/results/schedules.md (--output).
Usage: bench/schedule_bench.py [--build build] [--runs 3] [--data-root DIR] [all|lateness|scale|next-fire ...]
"""
import argparse
import concurrent.futures
import datetime
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
JOB_DEFINITION = {"jobDefinitionName": "t", "type": "container", "containerProperties": {"command": ["true"]}}
SUBMIT = {"jobName": "fire", "jobQueue": "default", "jobDefinition": "t"}


class Server:
    prefix = []  # e.g. ["chrt", "-f", "10"] (--server-prefix); it must exec the server in place
    args = []    # extra server flags (--server-args), e.g. ["--realtime-priority", "10"]

    def __init__(self, binary, data_dir):
        self.binary, self.data_dir = binary, data_dir
        self.log_path = os.path.join(data_dir, "server.log")
        self.proc = None

    def start(self):
        """Starts the server; returns seconds from exec to its "listening" line."""
        os.makedirs(self.data_dir, exist_ok=True)
        deadline = time.monotonic() + 120
        while not os.access(self.binary, os.X_OK):  # another build may be relinking it
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.binary} is missing")
            time.sleep(0.5)
        log = open(self.log_path, "ab")
        offset = log.tell()
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.prefix + [self.binary, "server", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir]
                                     + (["--allow-root-jobs"] if os.geteuid() == 0 else []) + self.args,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        while True:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read())
            if m:
                ready = time.monotonic() - t0
                break
            if self.proc.poll() is not None or time.monotonic() - t0 > 300:
                raise RuntimeError(f"server did not start (see {self.log_path})")
            time.sleep(0.002)
        self.port = int(m.group(1))
        self.conn = self.connect()
        self.call("GET", "/healthz")
        return ready

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def call(self, method, path, body=None, conn=None):
        conn = conn or self.conn
        conn.request(method, path, json.dumps(body) if body is not None else None, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:300]}")
        return json.loads(data or b"{}")

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime, stime (fields 14, 15)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait()


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    return sorted_values[max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))]


def sleep_until(wall_time):
    """Waits for a wall-clock instant, polling the clock against a deadline."""
    while (left := wall_time - time.time()) > 0:
        time.sleep(min(left, 0.5))


def parallel(server, items, fn, threads):
    """Runs fn(conn, item) for every item over `threads` keep-alive connections to `server`."""
    results, lock, it = [], threading.Lock(), iter(items)

    def worker(_):
        conn, out = server.connect(), []
        while True:
            with lock:
                item = next(it, None)
            if item is None:
                return out
            out.append(fn(conn, item))

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for part in pool.map(worker, [None] * threads):
            results += part
    return results


# ---------------------------------------------------------------------------------------------
# lateness

class Burners:
    """Two CPU-burning shells, one per core; killed by PID."""

    def __init__(self, count):
        self.procs = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(count)]

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait()


TIMER_FLOOR = r"""
import sys, time
first, count, step = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
late = []
for i in range(count):
    target = first + i * step
    left = target - time.time()
    if left > 0:
        time.sleep(left)
    late.append(time.time() - target)
print(" ".join(f"{x * 1000:.3f}" for x in late))
"""


def measure_lateness(binary, tmp, fires, per_second=3, lead=8.0, margin=3.0):
    """Returns (lateness ms of the server's fires, lateness ms of a sleep loop run meanwhile)."""
    data = tempfile.mkdtemp(dir=tmp)
    s = Server(binary, data)
    s.start()
    try:
        s.call("POST", "/v1/registerjobdefinition", JOB_DEFINITION)
        first = int(time.time() + lead)
        seconds = -(-fires // per_second)
        schedules = [(f"at{i}", first + i // per_second) for i in range(fires)]

        def create(conn, item):
            name, at = item
            expression = "at(" + datetime.datetime.fromtimestamp(at, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ")"
            s.call("POST", "/api/v1/schedules", {"name": name, "expression": expression, "submit_job": SUBMIT,
                                                 "overlap": "allow_all"}, conn)

        parallel(s, schedules, create, 4)
        if time.time() >= first:
            raise RuntimeError(f"creating {fires} schedules took longer than the {lead} s lead")
        # The floor loop aims between the server's whole seconds, 4 times a second, over the same span.
        floor = subprocess.Popen([sys.executable, "-c", TIMER_FLOOR, str(first + 0.125), str(seconds * 4), "0.25"],
                                 stdout=subprocess.PIPE, text=True)
        sleep_until(first + seconds - 1 + margin)
        floor_ms = [float(x) for x in floor.communicate()[0].split()]
        late = []
        s.conn = s.connect()  # the server closes connections idle for as long as we waited
        for name, _ in schedules:
            history = s.call("GET", f"/api/v1/schedules/{name}/fires")["fires"]
            if len(history) != 1 or history[0]["outcome"] != "started":
                raise RuntimeError(f"{name}: unexpected history {history}")
            late.append(history[0]["lateness_ms"])
        return sorted(late), sorted(floor_ms)
    finally:
        s.stop()
        shutil.rmtree(data, ignore_errors=True)


def bench_lateness(binary, tmp, fires):
    rows = []
    for condition, burners in (("idle", 0), ("both cores busy", 2)):
        load = Burners(burners)
        try:
            late, floor = measure_lateness(binary, tmp, fires)
        finally:
            load.stop()
        rows.append(f"| fire lateness, {condition}, {len(late)} at() fires (ms resolution) | "
                    f"p50 {percentile(late, 50)} ms, p99 {percentile(late, 99)} ms, max {late[-1]} ms | "
                    f"p99 ≤ 2 ms | systemd timers: AccuracySec=1min by default; EventBridge: within 60 s |")
        rows.append(f"| timer floor, {condition}: Python `time.sleep` loop, {len(floor)} wake-ups | "
                    f"p50 {percentile(floor, 50):.2f} ms, p99 {percentile(floor, 99):.2f} ms, max {floor[-1]:.2f} ms | | "
                    f"the OS's own wake-up delay, same span |")
    return rows


# ---------------------------------------------------------------------------------------------
# scale

MIX = [  # typical expressions in a few zones
    ("*/5 * * * *", "UTC"),
    ("0 2 * * *", "Europe/Berlin"),
    ("cron(0 12 ? * MON-FRI *)", "America/New_York"),
    ("rate(1 hour)", "Asia/Tokyo"),
]


def bench_scale(binary, tmp, count, runs, idle_seconds=30, threads=8):
    data = tempfile.mkdtemp(dir=tmp)
    s = Server(binary, data)
    rows = []
    try:
        s.start()
        s.call("POST", "/v1/registerjobdefinition", JOB_DEFINITION)
        start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        start_text = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        def create(conn, i):
            expression, zone = MIX[i % len(MIX)]
            s.call("POST", "/api/v1/schedules", {"name": f"s{i}", "expression": expression, "timezone": zone,
                                                 "start": start_text, "submit_job": SUBMIT}, conn)

        t = time.monotonic()
        parallel(s, range(count), create, threads)
        elapsed = time.monotonic() - t
        rss_loaded = s.rss_mb()
        rows.append(f"| creating {count:,} schedules over HTTP, {threads} keep-alive connections | "
                    f"{count / elapsed:,.0f} creates/s ({elapsed:.1f} s) | | side figure |")
        rows.append(f"| server RSS after creating them | {rss_loaded:.0f} MB | | |")
        ready, rss, cpu = [], [], []
        for _ in range(runs):
            s.stop()
            ready.append(s.start())
            rss.append(s.rss_mb())
            listed = len(s.call("GET", "/api/v1/schedules")["schedules"]) if _ == 0 else count
            if listed != count:
                raise RuntimeError(f"{listed} schedules restored, {count} created")
            time.sleep(1)  # let the first turn after start-up pass
            before = s.cpu_seconds()
            t = time.monotonic()
            time.sleep(idle_seconds)
            cpu.append((s.cpu_seconds() - before) / (time.monotonic() - t) * 100)
        spread = lambda v: f"(runs: {', '.join(f'{x:.2f}' for x in v)})"
        rows.append(f"| restart with {count:,} enabled schedules: exec to \"listening\" | "
                    f"{statistics.median(ready):.2f} s {spread(ready)} | ≤ 2 s | |")
        rows.append(f"| server RSS after that restart | {statistics.median(rss):.0f} MB "
                    f"(runs: {', '.join(f'{x:.0f}' for x in rss)}) | ≤ 200 MB | |")
        rows.append(f"| idle CPU over {idle_seconds} s with {count:,} schedules (% of one core; 1 tick = "
                    f"{100 / CLOCK_TICK / idle_seconds:.2f}%) | {statistics.median(cpu):.2f} % {spread(cpu)} | ≈ 0 | |")
    finally:
        s.stop()
        shutil.rmtree(data, ignore_errors=True)
    return rows


# ---------------------------------------------------------------------------------------------
# next-fire

def bench_next_fire(build):
    out = subprocess.run([os.path.join(build, "bench", "next_fire_bench")], check=True, capture_output=True,
                         text=True).stdout
    rows = []
    for line in out.splitlines()[1:]:
        m = re.match(r"(.+?)\s+(\S+)\s+(\S+)\s+(\d+)$", line)
        if m:
            expression, zone, start, rate = m.groups()
            rows.append(f"| Next(), `{expression.strip()}` in {zone} from {start[:4]} | {int(rate):,}/s | "
                        f"≥ 1,000,000/s | |")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3, help="restarts in `scale`")
    ap.add_argument("--fires", type=int, default=360, help="at() fires per lateness condition")
    ap.add_argument("--schedules", type=int, default=100_000)
    ap.add_argument("--data-root", default=None,
                    help="where the servers' data dirs go (default: the system temp dir; /dev/shm for tmpfs)")
    ap.add_argument("--server-prefix", default="",
                    help="command the server runs under, e.g. 'chrt -f 10' to try a real-time policy")
    ap.add_argument("--server-args", default="",
                    help="extra server flags, e.g. '--realtime-priority 10' (the way to deploy it)")
    ap.add_argument("--output", default=os.path.join(ROOT, "bench", "results", "schedules.md"))
    ap.add_argument("which", nargs="*", default=["all"], help="all (default), lateness, scale, next-fire")
    args = ap.parse_args()
    if not set(args.which) <= {"all", "lateness", "scale", "next-fire"}:
        ap.error(f"unknown benchmark in {args.which}")
    which = {"lateness", "scale", "next-fire"} if "all" in args.which else set(args.which)
    binary = os.path.join(args.build, "nightshift")
    Server.prefix = shlex.split(args.server_prefix)
    Server.args = shlex.split(args.server_args)
    load_before = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="nightshift-sched-bench-", dir=args.data_root)
    rows = ["| schedule benchmark | result | goal | peer / note |", "|---|---|---|---|"]
    try:
        if "lateness" in which:
            rows += bench_lateness(binary, tmp, args.fires)
        if "scale" in which:
            rows += bench_scale(binary, tmp, args.schedules, args.runs)
        if "next-fire" in which:
            rows += bench_next_fire(args.build)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = "\n".join(rows)
    print(table)
    command = " ".join(["bench/schedule_bench.py"] + sys.argv[1:])
    # Other work on the machine skews every figure here; the load average says how much there was.
    load = f"1-minute load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    print(load)
    with open(args.output, "w") as f:
        f.write(f"# {command}, {datetime.date.today()}, {os.cpu_count()}-core machine, {load}\n\n{table}\n")


if __name__ == "__main__":
    sys.exit(main())
