"""Events, webhooks and metrics against a real server: the SSE stream (order, filters, resume with
Last-Event-ID across kill -9), signed webhook deliveries with retries against a local receiver,
a receiver that never answers, /metrics read by Prometheus' own parser, and `nightshift watch`."""
import hashlib
import hmac
import http.client
import http.server
import json
import os
import socket
import subprocess
import threading
import time

from prometheus_client.parser import text_string_to_metric_families

from conftest import BINARY, Server, poll_until, register, wait_for


class SseStream:
    """A Server-Sent Events client: yields (id, type, data) as events arrive, with a deadline."""

    def __init__(self, server, query="", last_event_id=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", "/api/v1/events" + query, headers=headers)
        self.sock = self.conn.sock  # the response takes it over ("Connection: close")
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.read()
        assert self.resp.getheader("Content-Type") == "text/event-stream"

    def next_message(self, deadline):
        fields = {}
        while True:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            line = self.resp.readline().decode()
            if line == "":
                raise EOFError("the stream ended")
            line = line.rstrip("\n")
            if line == "":
                if fields:
                    return fields
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            fields[name] = value

    def events_until(self, done, deadline_s=30):
        """Reads events until done(events) is true; returns them (comments and retry hints skipped)."""
        events = []
        deadline = time.monotonic() + deadline_s
        while not done(events):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; got {[(e[0], e[1]) for e in events]}")
            m = self.next_message(deadline)
            if "data" in m:
                events.append((int(m["id"]) if "id" in m else None, m.get("event"), json.loads(m["data"])))
        return events

    def close(self):
        self.resp.close()
        self.conn.close()


def register_gated(batch, gate):
    """A job definition whose jobs run until the file `gate` exists: a parent that cannot end
    before its child is submitted (so the child surely waits in PENDING)."""
    register(batch, "gated", ["sh", "-c", f"while [ ! -e {gate} ]; do sleep 0.01; done"])


def open_gate(gate):
    with open(gate, "w"):
        pass


def job_statuses(events, job_id):
    return [e[2]["detail"]["status"] for e in events if e[1] == "job" and e[2]["detail"]["jobId"] == job_id]


def has_status(job_id, status):
    return lambda events: status in job_statuses(events, job_id)


def all_events(server):
    """Every event in the log, read with since=0 until the newest committed one."""
    s = SseStream(server, "?since=0")
    try:
        newest = None
        events = []
        deadline = time.monotonic() + 10
        # The first comment names where the stream starts; read until a quiet moment after the catch-up.
        while True:
            try:
                m = s.next_message(min(deadline, time.monotonic() + 0.5))
            except (socket.timeout, TimeoutError):
                return events
            if "data" in m:
                events.append((int(m["id"]), m["event"], json.loads(m["data"])))
            if time.monotonic() > deadline:
                return events
    finally:
        s.close()


def test_stream_shows_a_jobs_transitions_in_order(server, workdir):
    batch = server.batch()
    register(batch, "ok", ["true"])
    gate = os.path.join(workdir, "gate")
    register_gated(batch, gate)
    stream = SseStream(server, "?type=job")
    try:
        a = batch.submit_job(jobName="a", jobQueue="default", jobDefinition="gated")["jobId"]
        b = batch.submit_job(jobName="b", jobQueue="default", jobDefinition="ok", dependsOn=[{"jobId": a}])["jobId"]
        open_gate(gate)
        events = stream.events_until(has_status(b, "SUCCEEDED"))
    finally:
        stream.close()
    assert job_statuses(events, b) == ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]
    assert job_statuses(events, a)[-1] == "SUCCEEDED"
    ids = [e[0] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(e[1] == "job" for e in events)
    last = events[-1][2]
    assert last["detail-type"] == "Batch Job State Change" and last["id"] == events[-1][0]
    detail = last["detail"]
    assert detail["jobName"] == "b" and detail["previousStatus"] == "RUNNING"
    assert detail["jobQueue"].endswith(":job-queue/default") and detail["container"]["exitCode"] == 0
    assert detail["dependsOn"] == [{"jobId": a}]


def test_status_filter_and_bad_filters(server):
    batch = server.batch()
    register(batch, "fails", ["sh", "-c", "exit 3"])
    stream = SseStream(server, "?type=job&status=failed")
    try:
        j = batch.submit_job(jobName="f", jobQueue="default", jobDefinition="fails")["jobId"]
        events = stream.events_until(has_status(j, "FAILED"))
    finally:
        stream.close()
    assert [e[2]["detail"]["status"] for e in events] == ["FAILED"]
    assert events[0][2]["detail"]["statusReason"] == "Essential container in task exited"
    status, _, body = server.raw("GET", "/api/v1/events?type=jobs")
    assert status == 400 and "'jobs'" in body["message"]
    status, _, body = server.raw("GET", "/api/v1/events?since=abc")
    assert status == 400 and "since" in body["message"]


def test_resume_with_last_event_id_across_kill9_has_no_gap_and_no_duplicate(workdir):
    data = os.path.join(workdir, "data")
    server = Server(data).start()
    try:
        batch = server.batch()
        register(batch, "ok", ["true"])
        stream = SseStream(server)
        a = batch.submit_job(jobName="a", jobQueue="default", jobDefinition="ok")["jobId"]
        seen = stream.events_until(lambda ev: "RUNNING" in job_statuses(ev, a))
        stream.close()
        last_seen = seen[-1][0]
        server.kill9()

        server = Server(data).start()  # same data dir
        batch = server.batch()
        b = batch.submit_job(jobName="b", jobQueue="default", jobDefinition="ok")["jobId"]
        wait_for(batch, [a, b])
        full = all_events(server)
        resumed_stream = SseStream(server, last_event_id=last_seen)
        newest = full[-1][0]
        resumed = resumed_stream.events_until(lambda ev: ev and ev[-1][0] >= newest)
        resumed_stream.close()
    finally:
        server.stop()
    ids_seen = [e[0] for e in seen]
    ids_resumed = [e[0] for e in resumed]
    assert ids_resumed[0] == last_seen + 1
    assert ids_resumed == [e[0] for e in full if e[0] > last_seen]  # exactly the missed ones, in order
    assert [e[0] for e in full] == list(range(full[0][0], newest + 1))  # no gap in the log
    assert not set(ids_seen) & set(ids_resumed)
    assert job_statuses(seen + resumed, a)[-1] == "SUCCEEDED"
    assert job_statuses(resumed, b)[-1] == "SUCCEEDED"


class Receiver:
    """A local webhook receiver: answers 500 to the first `failures` requests, then 200."""

    def __init__(self, failures=0):
        self.requests = []
        self.failures = failures
        self.got = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.got:
                    receiver.requests.append((dict(self.headers), body))
                    code = 500 if len(receiver.requests) <= receiver.failures else 200
                    receiver.got.notify_all()
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def wait_for_requests(self, n, deadline_s=30):
        with self.got:
            ok = self.got.wait_for(lambda: len(self.requests) >= n, timeout=deadline_s)
        assert ok, f"got {len(self.requests)} of {n} requests"
        return list(self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def subscribe(server, url, secret, filter_, retry=None):
    body = {"url": url, "secret": secret, "filter": filter_}
    if retry:
        body["retry"] = retry
    status, _, sub = server.raw("POST", "/api/v1/webhooks", json.dumps(body))
    assert status == 200, sub
    return sub


def test_webhook_delivery_is_signed_and_retried_after_failures(server):
    receiver = Receiver(failures=2)
    try:
        secret = "s3cret"
        sub = subscribe(server, receiver.url, secret, {"type": ["job"], "status": ["SUCCEEDED"]},
                        {"max_attempts": 5, "initial_delay_ms": 200})
        assert "secret" not in sub and sub["filter"] == {"type": ["job"], "status": ["SUCCEEDED"]}
        batch = server.batch()
        register(batch, "ok", ["true"])
        j = batch.submit_job(jobName="hooked", jobQueue="default", jobDefinition="ok")["jobId"]
        requests = receiver.wait_for_requests(3)
    finally:
        receiver.close()
    bodies = {body for _, body in requests[:3]}
    assert len(bodies) == 1  # the same event, three times
    headers, body = requests[2]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Nightshift-Signature"], expected)
    assert [h["X-Nightshift-Delivery-Attempt"] for h, _ in requests[:3]] == ["1", "2", "3"]
    event = json.loads(body)
    assert event["detail"]["jobId"] == j and event["detail"]["status"] == "SUCCEEDED"
    assert headers["X-Nightshift-Event-Id"] == str(event["id"])
    # The delivery log shows the two failures and the success, newest first (recorded on the loop).
    deadline = time.monotonic() + 10
    while True:
        status, _, log = server.raw("GET", f"/api/v1/webhooks/{sub['id']}/deliveries")
        assert status == 200, log
        outcomes = [(d["attempt"], d["outcome"], d["http_status"]) for d in log["deliveries"]]
        if len(outcomes) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert outcomes == [(3, "delivered", 200), (2, "retrying", 500), (1, "retrying", 500)]
    status, _, got = server.raw("GET", f"/api/v1/webhooks/{sub['id']}")
    assert status == 200 and got["cursor"] == event["id"]


def test_a_receiver_that_never_answers_does_not_delay_jobs(server):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the backlog; nothing is ever read or answered
    try:
        sub = subscribe(server, f"http://127.0.0.1:{silent.getsockname()[1]}/hook", "x", {})
        batch = server.batch()
        register(batch, "ok", ["true"])
        ids = []
        for i in range(10):
            deps = [{"jobId": ids[-1]}] if ids else []
            ids.append(batch.submit_job(jobName=f"c{i}", jobQueue="default", jobDefinition="ok",
                                        dependsOn=deps)["jobId"])
        started = time.monotonic()
        jobs = wait_for(batch, ids, deadline_s=30)
        elapsed = time.monotonic() - started
        assert all(j["status"] == "SUCCEEDED" for j in jobs.values())
        # A delivery attempt waits 10 s for an answer; the chain does not wait for it.
        assert elapsed < 8, f"a 10-job chain took {elapsed:.1f} s with a silent webhook receiver"
        status, _, log = server.raw("GET", f"/api/v1/webhooks/{sub['id']}/deliveries")
        assert status == 200 and log["deliveries"] == []  # the first attempt is still waiting
    finally:
        silent.close()


def test_webhook_bad_input_and_deletion(server):
    status, _, body = server.raw("POST", "/api/v1/webhooks", json.dumps({"url": "https://x/", "secret": "s"}))
    assert status == 400 and "http://" in body["message"]
    status, _, body = server.raw("POST", "/api/v1/webhooks", json.dumps({"url": "http://x/", "secret": "s",
                                                                          "filter": {"type": "jobz"}}))
    assert status == 400 and "jobz" in body["message"]
    status, _, body = server.raw("POST", "/api/v1/webhooks", json.dumps({"url": "http://x/"}))
    assert status == 400 and "secret" in body["message"]
    sub = subscribe(server, "http://127.0.0.1:9/", "s", {"type": "run", "status": "FAILED"})
    status, _, listed = server.raw("GET", "/api/v1/webhooks")
    assert [w["id"] for w in listed["webhooks"]] == [sub["id"]]
    assert server.raw("DELETE", f"/api/v1/webhooks/{sub['id']}")[0] == 200
    assert server.raw("GET", f"/api/v1/webhooks/{sub['id']}")[0] == 404
    assert server.raw("GET", f"/api/v1/webhooks/{sub['id']}/deliveries")[0] == 404


def test_metrics_parse_with_the_prometheus_parser(server, workdir):
    batch = server.batch()
    register(batch, "ok", ["true"])
    gate = os.path.join(workdir, "gate")
    register_gated(batch, gate)
    a = batch.submit_job(jobName="a", jobQueue="default", jobDefinition="gated")["jobId"]
    b = batch.submit_job(jobName="b", jobQueue="default", jobDefinition="ok", dependsOn=[{"jobId": a}])["jobId"]
    open_gate(gate)
    wait_for(batch, [a, b])

    def scrape():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/metrics")
        resp = conn.getresponse()
        text = resp.read().decode()
        assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/plain; version=0.0.4")
        return {f.name: f for f in text_string_to_metric_families(text)}

    def events_committed(families):
        return next((s.value for s in families["nightshift_events_committed"].samples
                     if s.name == "nightshift_events_committed_total"), 0)

    # DescribeJobs shows b ended at once; its last events are committed with the next batch
    # (a batch nobody waits for gathers a few ms of turns first).
    poll_until(lambda: events_committed(scrape()) >= 11, "11 events are committed")
    families = scrape()
    for name, kind in [("nightshift_jobs", "gauge"), ("nightshift_job_transitions", "counter"),
                       ("nightshift_dispatch_latency_seconds", "histogram"),
                       ("nightshift_dependency_latency_seconds", "histogram"),
                       ("nightshift_schedule_fire_lateness_seconds", "histogram"),
                       ("nightshift_schedule_fires", "counter"),
                       ("nightshift_store_commit_latency_seconds", "histogram"),
                       ("nightshift_store_wal_pages", "gauge"),
                       ("nightshift_store_checkpoints", "counter"),
                       ("nightshift_store_checkpoint_failures", "counter"),
                       ("nightshift_running_processes", "gauge"),
                       ("nightshift_events_committed", "counter"),
                       ("nightshift_webhook_deliveries", "counter"),
                       ("nightshift_api_request_latency_seconds", "histogram")]:
        assert name in families, name
        assert families[name].type == kind, (name, families[name].type)

    def sample(family, suffix, **labels):
        for s in families[family].samples:
            if s.name == family + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
        return None

    assert sample("nightshift_job_transitions", "_total", **{"from": "RUNNING", "to": "SUCCEEDED"}) == 2
    assert sample("nightshift_store_wal_pages", "") > 0  # the commits above are in the WAL
    assert sample("nightshift_store_checkpoint_failures", "_total") == 0
    assert sample("nightshift_job_transitions", "_total", **{"from": "PENDING", "to": "RUNNABLE"}) == 1
    assert sample("nightshift_dispatch_latency_seconds", "_count") == 2
    assert sample("nightshift_dependency_latency_seconds", "_count") == 1
    assert sample("nightshift_dependency_latency_seconds", "_bucket", le="+Inf") == 1
    assert sample("nightshift_running_processes", "") == 0
    assert sample("nightshift_api_request_latency_seconds", "_count", route="/v1/submitjob", method="POST",
                  status="200") == 2
    assert sample("nightshift_events_committed", "_total") == 11  # 5 transitions of a, 6 of b


def test_watch_prints_one_line_per_event(server):
    batch = server.batch()
    register(batch, "fails", ["sh", "-c", "exit 3"])
    j = batch.submit_job(jobName="w", jobQueue="default", jobDefinition="fails")["jobId"]
    wait_for(batch, [j])
    p = subprocess.run([BINARY, "watch", "--server", server.url, "--since", "0", "--type", "job", "-n", "5"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("#") and f"job w ({j}) SUBMITTED" in lines[0]
    assert lines[-1].endswith("RUNNING -> FAILED queue=default exit=3: Essential container in task exited")
    p = subprocess.run([BINARY, "watch", "--server", server.url, "--since", "0", "-n", "1", "-o", "json"],
                       capture_output=True, text=True, timeout=30)
    assert json.loads(p.stdout)["detail"]["status"] == "SUBMITTED"
    p = subprocess.run([BINARY, "watch", "--server", server.url, "--type", "bogus"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 2 and "bogus" in p.stderr


def test_undelivered_events_are_delivered_after_a_kill9(workdir):
    data = os.path.join(workdir, "data")
    receiver = Receiver(failures=10**6)  # refuses everything until told otherwise
    server = Server(data).start()
    try:
        sub = subscribe(server, receiver.url, "k", {"type": "job", "status": "SUCCEEDED"},
                        {"max_attempts": 8, "initial_delay_ms": 60_000})
        batch = server.batch()
        register(batch, "ok", ["true"])
        ids = [batch.submit_job(jobName=f"j{i}", jobQueue="default", jobDefinition="ok")["jobId"] for i in range(3)]
        wait_for(batch, ids)
        receiver.wait_for_requests(1)  # the first event's first attempt failed; the next waits a minute
        server.kill9()

        receiver.failures = 0  # the receiver is back
        server = Server(data).start()
        deadline = time.monotonic() + 30
        while True:
            with receiver.got:
                delivered = {json.loads(body)["detail"]["jobId"] for _, body in receiver.requests[1:]}
            if delivered >= set(ids) or time.monotonic() > deadline:
                break
            with receiver.got:
                receiver.got.wait(timeout=0.5)
        assert delivered == set(ids)  # each job's SUCCEEDED event, from the log after the cursor
        status, _, got = server.raw("GET", f"/api/v1/webhooks/{sub['id']}")
        assert status == 200
    finally:
        server.stop()
        receiver.close()


def test_run_and_schedule_events(server, workdir):
    source = "name: etl\nsteps:\n  a: {command: [\"true\"]}\n  b: {command: [\"true\"], depends_on: [a]}\n"
    status, _, body = server.raw("POST", "/api/v1/pipelines", json.dumps({"source": source, "base_dir": workdir}))
    assert status == 200, body
    runs = SseStream(server, "?type=run&pipeline=etl")
    schedules = SseStream(server, "?type=schedule")
    try:
        status, _, run = server.raw("POST", "/api/v1/pipelines/etl/runs", "{}")
        assert status == 200, run
        events = runs.events_until(lambda ev: any(e[2]["detail"]["status"] == "SUCCEEDED" for e in ev))
        register(server.batch(), "ok", ["true"])
        status, _, body = server.raw("POST", "/api/v1/schedules", json.dumps({
            "name": "nightly", "expression": "0 2 * * *",
            "submit_job": {"jobName": "n", "jobQueue": "default", "jobDefinition": "ok"}}))
        assert status == 200, body
        assert server.raw("POST", "/api/v1/schedules/nightly/trigger", "{}")[0] == 200
        assert server.raw("POST", "/api/v1/schedules/nightly/pause", json.dumps({"note": "db"}))[0] == 200
        sched = schedules.events_until(lambda ev: any(e[2]["detail"]["status"] == "PAUSED" for e in ev))
    finally:
        runs.close()
        schedules.close()
    assert [e[2]["detail"]["status"] for e in events] == ["RUNNING", "SUCCEEDED"]
    detail = events[-1][2]["detail"]
    assert detail["runId"] == run["id"] and [s["state"] for s in detail["steps"]] == ["SUCCEEDED", "SUCCEEDED"]
    assert [(e[2]["detail-type"], e[2]["detail"]["status"]) for e in sched] == [
        ("Schedule State Change", "CREATED"), ("Schedule Fire", "STARTED"), ("Schedule State Change", "PAUSED")]
    fire = sched[1][2]["detail"]
    assert fire["trigger"] == "manual" and fire["target"] and fire["latenessMs"] >= 0
    assert sched[2][2]["detail"]["note"] == "db"
