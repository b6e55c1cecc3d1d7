"""Fixtures for black-box tests: a real `nightshift server` on an ephemeral loopback port,
driven by real clients (boto3, the aws CLI, raw HTTP)."""
import json
import os
import re
import selectors
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

BUILD_DIR = os.environ.get("NIGHTSHIFT_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))


def built_with_sanitizers():
    """True for a build configured with NIGHTSHIFT_SANITIZE=ON (AddressSanitizer keeps freed memory
    in a quarantine, so a process's RSS there says little about what it holds)."""
    try:
        with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
            return any(line.strip() == "NIGHTSHIFT_SANITIZE:BOOL=ON" for line in f)
    except OSError:
        return False
BINARY = os.path.abspath(os.path.join(BUILD_DIR, "nightshift"))
AWS_CLI = os.environ.get("NIGHTSHIFT_AWS_CLI", "/usr/bin/aws")
TERMINAL = ("SUCCEEDED", "FAILED")


# Credentials of the clients below: any will do while the server has no access keys.
ANY_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


class Server:
    """A nightshift server process with its own data dir, on 127.0.0.1 (or `listen`).

    `extra_args` go to `nightshift server`; `ca_bundle` (the server's certificate, when it runs with
    --tls-cert) makes the clients speak https and trust it; `credentials` are the clients'
    (aws_access_key_id, aws_secret_access_key and maybe aws_session_token).
    `allow_root_jobs`: when the tests run as root (CI), jobs that name no user run as root, as they
    did before a root server began refusing them; test_run_as.py tests the refusal itself."""

    def __init__(self, data_dir, extra_args=(), ca_bundle=None, credentials=None, listen="127.0.0.1:0",
                 allow_root_jobs=True):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        if allow_root_jobs and os.geteuid() == 0:
            self.extra_args.append("--allow-root-jobs")
        self.ca_bundle = ca_bundle
        self.credentials = dict(credentials or ANY_CREDENTIALS)
        self.listen = listen
        self.proc = None
        self.port = None
        self.log_path = os.path.join(data_dir, "server.log")

    def start(self, deadline_s=20):
        """Starts the server and waits for the line that reports its port (event, not polling)."""
        os.makedirs(self.data_dir, exist_ok=True)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BINARY, "server", "--listen", self.listen, "--data-dir", self.data_dir, *self.extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        pattern = re.compile(rb"listening on https?://\S+:(\d+) ")
        fd = self.proc.stdout.fileno()
        seen = b""
        deadline = time.monotonic() + deadline_s
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while self.port is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise RuntimeError("server did not report its port in time:\n" + self.log())
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.proc.wait()
                    raise RuntimeError(f"server exited (status {self.proc.returncode}) during start:\n" + self.log())
                self._log.write(chunk)
                self._log.flush()
                seen += chunk
                m = pattern.search(seen)
                if m:
                    self.port = int(m.group(1))
        # Keep draining the server's output into the log file so the pipe never fills.
        self._copier = threading.Thread(target=self._copy_output, args=(fd,), daemon=True)
        self._copier.start()
        return self

    def _copy_output(self, fd):
        while chunk := os.read(fd, 65536):
            self._log.write(chunk)
            self._log.flush()

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    @property
    def url(self):
        return f"{'https' if self.ca_bundle else 'http'}://127.0.0.1:{self.port}"

    def ssl_context(self):
        """For raw https requests: trusts the server's certificate (None over plain http)."""
        return ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_copier", None):
            self._copier.join(timeout=15)  # ends at EOF, when the server has exited
        if getattr(self, "_log", None):
            self._log.close()

    def client(self, service, **credentials):
        """A boto3 client of `service` for this server, with the server's credentials unless given."""
        return boto3.client(
            service, endpoint_url=self.url, region_name="us-east-1", verify=self.ca_bundle or True,
            config=Config(retries={"max_attempts": 1}), **(credentials or self.credentials))

    def batch(self, **credentials):
        return self.client("batch", **credentials)

    def scheduler(self, **credentials):
        return self.client("scheduler", **credentials)

    def logs(self, **credentials):
        return self.client("logs", **credentials)

    def raw(self, method, path, body=None, headers=None):
        """One raw HTTP request; returns (status, headers, parsed JSON or text)."""
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10, context=self.ssl_context()) as r:
                status, hdrs, text = r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            status, hdrs, text = e.code, dict(e.headers), e.read().decode()
        try:
            return status, hdrs, json.loads(text)
        except ValueError:
            return status, hdrs, text

    def aws(self, *args, check=True, cli=AWS_CLI, **credentials):
        """Runs the real aws CLI against the server; returns parsed JSON output (or the process)."""
        creds = credentials or self.credentials
        env = dict(os.environ, AWS_ACCESS_KEY_ID=creds["aws_access_key_id"],
                   AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"], AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
        env.pop("AWS_SESSION_TOKEN", None)
        if creds.get("aws_session_token"):
            env["AWS_SESSION_TOKEN"] = creds["aws_session_token"]
        tls = ["--ca-bundle", self.ca_bundle] if self.ca_bundle else []
        p = subprocess.run([cli, "--endpoint-url", self.url, "--output", "json", *tls, *args],
                           capture_output=True, text=True, env=env, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        if not check:
            return p
        return json.loads(p.stdout) if p.stdout.strip() else {}


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="nightshift-it-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def server(workdir):
    s = Server(os.path.join(workdir, "data")).start()
    yield s
    s.stop()


def read_line(pipe, deadline_s=30):
    """The next line of a child's text-mode pipe, read from its fd a byte at a time, so that
    nothing after the line is buffered in `pipe` (Popen.communicate reads the fd itself, and
    would never see what a readline() had buffered)."""
    fd = pipe.fileno()
    data = b""
    deadline = time.monotonic() + deadline_s
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                raise AssertionError(f"no whole line within {deadline_s} s; got {data!r}")
            byte = os.read(fd, 1)
            if not byte:
                break
            data += byte
    return data.decode()


def poll_until(predicate, what, deadline_s=30):
    """Polls predicate() until it is true; fails naming `what` after deadline_s."""
    deadline = time.monotonic() + deadline_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting until " + what
        time.sleep(0.02)


def wait_for(batch, job_ids, states=TERMINAL, deadline_s=30):
    """Polls DescribeJobs (bounded by a deadline) until every job is in one of `states`."""
    ids = list(job_ids)
    deadline = time.monotonic() + deadline_s
    while True:
        jobs = {}
        for i in range(0, len(ids), 100):
            for j in batch.describe_jobs(jobs=ids[i:i + 100])["jobs"]:
                jobs[j["jobId"]] = j
        if all(jid in jobs and jobs[jid]["status"] in states for jid in ids):
            return jobs
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + json.dumps(
                {jid: (jobs.get(jid) or {}).get("status") for jid in ids}))
        time.sleep(0.02)


def error_of(call):
    """The AWS error `call` raises: (code, message, HTTP status)."""
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"], \
        e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def register(batch, name, command, **kwargs):
    props = {"command": command}
    props.update(kwargs.pop("container", {}))
    return batch.register_job_definition(
        jobDefinitionName=name, type="container", containerProperties=props, **kwargs)
