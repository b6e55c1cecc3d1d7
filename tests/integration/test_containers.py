"""Container jobs: job definitions with containerProperties.image run in podman (real podman, a
local busybox image built by scripts/podman-test-image.sh; no registry is ever reached)."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import Server, error_of, poll_until, register, wait_for

REPO = os.path.join(os.path.dirname(__file__), "..", "..")
IMAGE = "localhost/nightshift-test-busybox:latest"
RUNTIME = "runc"  # crun refuses cgroups in hybrid mode on some hosts
PODMAN_ARGS = ["--podman-runtime", RUNTIME, "--image-pull", "never"]

pytestmark = pytest.mark.skipif(shutil.which("podman") is None or os.geteuid() != 0,
                                reason="container tests need podman (scripts/install-deps.sh) and root")


def podman(*args):
    return subprocess.run(["podman", "--runtime", RUNTIME, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module", autouse=True)
def image():
    subprocess.run([os.path.join(REPO, "scripts", "podman-test-image.sh"), IMAGE], check=True,
                   env=dict(os.environ, NIGHTSHIFT_PODMAN_RUNTIME=RUNTIME))
    return IMAGE


@pytest.fixture
def server(workdir):
    s = Server(os.path.join(workdir, "data"), extra_args=PODMAN_ARGS).start()
    yield s
    s.stop()


def container_job(batch, name, command, timeout=None, **container):
    props = {"image": IMAGE}
    props.update(container)
    return register(batch, name, command, container=props, **({"timeout": timeout} if timeout else {}))


def submit(batch, definition, **kwargs):
    return batch.submit_job(jobName=kwargs.pop("jobName", definition), jobQueue="default",
                            jobDefinition=definition, **kwargs)["jobId"]


def log_lines(server, job):
    stream = job["container"]["logStreamName"]
    events = server.logs().get_log_events(logGroupName="/aws/batch/job", logStreamName=stream,
                                          startFromHead=True)["events"]
    return [e["message"] for e in events]


def containers_of(job_id):
    out = podman("ps", "--all", "--filter", f"label=nightshift.job={job_id}", "--format", "{{.Names}}")
    return out.stdout.split()


def test_the_three_step_chain_runs_as_containers_in_order(server, workdir):
    shared = os.path.join(workdir, "shared")
    os.makedirs(shared)
    batch = server.batch()
    volume = {"volumes": [{"name": "shared", "host": {"sourcePath": shared}}],
              "mountPoints": [{"sourceVolume": "shared", "containerPath": "/shared"}]}
    for step in ("analyzer", "aggregator", "deployer"):
        container_job(batch, step, ["sh", "-c", f'echo "{step} $AWS_BATCH_JOB_ID" >> /shared/steps; echo {step} done'],
                      **volume)
    ids = []
    for step in ("analyzer", "aggregator", "deployer"):
        ids.append(submit(batch, step, dependsOn=[{"jobId": ids[-1]}] if ids else []))
    jobs = wait_for(batch, ids, deadline_s=60)
    assert [jobs[j]["status"] for j in ids] == ["SUCCEEDED"] * 3, [jobs[j].get("statusReason") for j in ids]
    with open(os.path.join(shared, "steps")) as f:
        assert f.read().splitlines() == [f"{s} {j}" for s, j in zip(("analyzer", "aggregator", "deployer"), ids)]
    assert log_lines(server, jobs[ids[2]]) == ["deployer done"]
    poll_until(lambda: not any(containers_of(j) for j in ids), "the finished containers are removed")


def test_exit_codes_pass_through_and_environment_reaches_the_container(server):
    batch = server.batch()
    container_job(batch, "envy", ["sh", "-c", 'echo "A=$A B=$B $AWS_BATCH_JOB_ID $AWS_BATCH_JOB_ATTEMPT '
                                              '$AWS_BATCH_JQ_NAME $AWS_BATCH_CE_NAME"; exit 3'],
                  environment=[{"name": "A", "value": "from definition"}, {"name": "B", "value": "b"}])
    job_id = submit(batch, "envy", containerOverrides={"environment": [{"name": "B", "value": "over ride"}]})
    job = wait_for(batch, [job_id])[job_id]
    assert job["status"] == "FAILED"
    assert job["container"]["exitCode"] == 3
    assert job["statusReason"] == "Essential container in task exited"
    assert log_lines(server, job) == [f"A=from definition B=over ride {job_id} 1 default default"]


def test_a_read_only_volume_can_be_read_not_written_and_the_root_fs_can_be_read_only(server, workdir):
    data = os.path.join(workdir, "input")
    os.makedirs(data)
    with open(os.path.join(data, "in.txt"), "w") as f:
        f.write("input data\n")
    batch = server.batch()
    props = {"volumes": [{"name": "in", "host": {"sourcePath": data}}],
             "mountPoints": [{"sourceVolume": "in", "containerPath": "/in", "readOnly": True}],
             "readonlyRootFilesystem": True}
    container_job(batch, "reader", ["cat", "/in/in.txt"], **props)
    container_job(batch, "writer", ["sh", "-c", "echo x > /in/new.txt"], **props)
    container_job(batch, "rootwriter", ["sh", "-c", "echo x > /etc/new.txt"], **props)
    ids = [submit(batch, d) for d in ("reader", "writer", "rootwriter")]
    jobs = wait_for(batch, ids, deadline_s=60)
    assert jobs[ids[0]]["status"] == "SUCCEEDED"
    assert log_lines(server, jobs[ids[0]]) == ["input data"]
    for j in ids[1:]:
        assert jobs[j]["status"] == "FAILED"
        assert any("Read-only file system" in line for line in log_lines(server, jobs[j]))
    assert not os.path.exists(os.path.join(data, "new.txt"))


def test_a_memory_limit_kill_fails_with_awss_out_of_memory_reason(server):
    batch = server.batch()
    # 64 MiB leaves room for runc's own start, which runs in the container's cgroup: at 32 MiB a
    # run under load once ended with exit 127 (no dd) instead of the kill's 137.
    resources = [{"type": "MEMORY", "value": "64"}, {"type": "VCPU", "value": "1"}]
    # dd allocates its block size: 256 MiB cannot fit in 64 MiB; 4 MiB can.
    container_job(batch, "hog", ["dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"],
                  resourceRequirements=resources)
    container_job(batch, "modest", ["dd", "if=/dev/zero", "of=/dev/null", "bs=4M", "count=4"],
                  resourceRequirements=resources)
    hog, modest = submit(batch, "hog"), submit(batch, "modest")
    jobs = wait_for(batch, [hog, modest], deadline_s=60)
    assert jobs[hog]["status"] == "FAILED"
    assert jobs[hog]["container"]["exitCode"] == 137
    assert jobs[hog]["container"]["reason"] == "OutOfMemoryError: Container killed due to memory usage"
    assert jobs[hog]["attempts"][0]["container"]["reason"].startswith("OutOfMemoryError")
    assert jobs[modest]["status"] == "SUCCEEDED", jobs[modest].get("statusReason")
    assert "reason" not in jobs[modest]["container"]


def test_terminate_stops_the_container_with_sigterm_first(server):
    batch = server.batch()
    container_job(batch, "trapper", ["sh", "-c", 'trap "echo got TERM; exit 143" TERM; echo ready; '
                                                 'while true; do sleep 0.1; done'])
    job_id = submit(batch, "trapper")
    poll_until(lambda: "ready" in log_text(server, batch, job_id), "the container has started")
    batch.terminate_job(jobId=job_id, reason="enough")
    job = wait_for(batch, [job_id], deadline_s=30)[job_id]
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "enough"
    assert job["container"]["exitCode"] == 143
    assert "got TERM" in log_lines(server, job)
    poll_until(lambda: not containers_of(job_id), "the terminated container is removed")


def log_text(server, batch, job_id):
    job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    if job["status"] != "RUNNING":
        return ""
    path = os.path.join(server.data_dir, "jobs", f"{job_id}.1.log")
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def test_a_timeout_kills_a_container_that_ignores_sigterm(server):
    batch = server.batch()
    # sh as the container's pid 1 ignores SIGTERM: only the kill after the grace period ends it.
    container_job(batch, "stubborn", ["sh", "-c", "while true; do sleep 0.1; done"],
                  timeout={"attemptDurationSeconds": 1})
    job_id = submit(batch, "stubborn")
    job = wait_for(batch, [job_id], deadline_s=60)[job_id]
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "Job attempt duration exceeded timeout"
    assert job["container"]["exitCode"] == 137
    assert "reason" not in job["container"] or not job["container"]["reason"].startswith("OutOfMemory")
    poll_until(lambda: not containers_of(job_id), "the timed-out container is removed")


def test_a_running_container_survives_kill9_of_the_server_and_reports_its_true_exit(workdir):
    data = os.path.join(workdir, "data")
    control = os.path.join(workdir, "control")
    os.makedirs(control)
    server = Server(data, extra_args=PODMAN_ARGS).start()
    try:
        batch = server.batch()
        container_job(batch, "waiter", ["sh", "-c", "echo started >> /control/ledger; "
                                                    "while [ ! -e /control/go ]; do sleep 0.05; done; exit 7"],
                      volumes=[{"name": "control", "host": {"sourcePath": control}}],
                      mountPoints=[{"sourceVolume": "control", "containerPath": "/control"}])
        job_id = submit(batch, "waiter")
        poll_until(lambda: os.path.exists(os.path.join(control, "ledger")), "the container has started")
        server.kill9()
        assert containers_of(job_id), "the container must outlive the server"

        server = Server(data, extra_args=PODMAN_ARGS).start()
        batch = server.batch()
        assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "RUNNING"
        open(os.path.join(control, "go"), "w").close()
        job = wait_for(batch, [job_id], deadline_s=60)[job_id]
        assert job["status"] == "FAILED"
        assert job["container"]["exitCode"] == 7
        with open(os.path.join(control, "ledger")) as f:
            assert f.read().splitlines() == ["started"], "the container ran once"
        poll_until(lambda: not containers_of(job_id), "the container is removed")
    finally:
        server.stop()


def test_an_orphaned_container_is_removed_when_the_server_starts_launching(workdir):
    data = os.path.join(workdir, "data")
    root = os.path.join(data, "jobs")
    name = "nightshift-orphan-1"
    created = podman("create", "--name", name, "--label", f"nightshift.owner={root}", "--label",
                     "nightshift.attempt=1", "--label", "nightshift.job=orphan", IMAGE, "true")
    assert created.returncode == 0, created.stderr
    server = Server(data, extra_args=PODMAN_ARGS).start()
    try:
        batch = server.batch()
        container_job(batch, "noop", ["true"])
        job_id = submit(batch, "noop")
        assert wait_for(batch, [job_id], deadline_s=60)[job_id]["status"] == "SUCCEEDED"
        assert podman("container", "exists", name).returncode == 1, "the orphan is removed"
    finally:
        server.stop()
        podman("rm", "--force", name)


@pytest.mark.parametrize("props, reason", [
    ({"image": "localhost/NotLowercase:latest"}, "CannotPullContainerError: repository name must be lowercase"),
    ({"image": "localhost/no-such-image:latest"}, "CannotPullContainerError: localhost/no-such-image:latest: image not known"),
    ({"user": "nosuchuser"}, "CannotStartContainerError: unable to find user nosuchuser"),
    ({"volumes": [{"name": "v", "host": {"sourcePath": "/nonexistent/nightshift-source"}}],
      "mountPoints": [{"sourceVolume": "v", "containerPath": "/v"}]},
     "CannotStartContainerError: volume 'v': source path /nonexistent/nightshift-source does not exist on the host"),
])
def test_bad_container_input_fails_the_job_with_a_clear_reason(server, props, reason):
    batch = server.batch()
    register(batch, "bad", ["true"], container=dict({"image": IMAGE}, **props))
    job_id = submit(batch, "bad")
    job = wait_for(batch, [job_id], deadline_s=60)[job_id]
    assert job["status"] == "FAILED"
    assert job["attempts"][0]["container"]["reason"].startswith(reason), job["attempts"][0]["container"]
    assert job["statusReason"] != "Essential container in task exited"
    # The server is unaffected: the next container job runs.
    container_job(batch, "good", ["true"])
    good = submit(batch, "good")
    assert wait_for(batch, [good], deadline_s=60)[good]["status"] == "SUCCEEDED"


@pytest.mark.parametrize("props, message", [
    ({"image": "busy box"}, "containerProperties.image: invalid character ' '"),
    ({"image": IMAGE, "mountPoints": [{"sourceVolume": "nope", "containerPath": "/x"}]},
     "containerProperties.mountPoints[0].sourceVolume: no volume named 'nope'"),
    ({"image": IMAGE, "volumes": [{"name": "v", "host": {"sourcePath": "relative"}}]},
     "containerProperties.volumes[0].host.sourcePath must be an absolute path"),
    ({"image": IMAGE, "ulimits": [{"name": "nofiles", "softLimit": 1, "hardLimit": 1}]},
     "containerProperties.ulimits[0].name: unknown ulimit 'nofiles'"),
    ({"volumes": [{"name": "v", "host": {"sourcePath": "/tmp"}}]}, "containerProperties.image is required"),
])
def test_a_definition_that_cannot_start_a_container_is_refused(server, props, message):
    code, text, status = error_of(lambda: register(server.batch(), "refused", ["true"], container=props))
    assert (code, status) == ("ClientException", 400)
    assert message in text, text


def test_describe_job_definitions_shows_the_container_properties(server, workdir):
    batch = server.batch()
    container_job(batch, "shown", ["true"], user="etl", privileged=False, readonlyRootFilesystem=True,
                  ulimits=[{"name": "nofile", "softLimit": 64, "hardLimit": 128}],
                  volumes=[{"name": "w", "host": {"sourcePath": workdir}}],
                  mountPoints=[{"sourceVolume": "w", "containerPath": "/w", "readOnly": True}])
    props = batch.describe_job_definitions(jobDefinitionName="shown")["jobDefinitions"][0]["containerProperties"]
    assert props["image"] == IMAGE
    assert props["readonlyRootFilesystem"] is True
    assert props["ulimits"] == [{"name": "nofile", "softLimit": 64, "hardLimit": 128}]
    assert props["mountPoints"] == [{"sourceVolume": "w", "containerPath": "/w", "readOnly": True}]
    assert props["volumes"] == [{"name": "w", "host": {"sourcePath": workdir}}]


def test_user_ulimits_and_working_directory_apply_inside_the_container(server):
    batch = server.batch()
    # workingDirectory is a nightshift extension that boto3 does not know: sent as raw JSON.
    body = {"jobDefinitionName": "who", "type": "container",
            "containerProperties": {"image": IMAGE, "command": ["sh", "-c", "id -u; ulimit -n; pwd"], "user": "etl",
                                    "ulimits": [{"name": "nofile", "softLimit": 64, "hardLimit": 128}],
                                    "workingDirectory": "/tmp"}}
    status, _, answer = server.raw("POST", "/v1/registerjobdefinition", json.dumps(body),
                                   {"Content-Type": "application/json"})
    assert status == 200, answer
    job_id = submit(batch, "who")
    job = wait_for(batch, [job_id], deadline_s=60)[job_id]
    assert job["status"] == "SUCCEEDED", job.get("statusReason")
    assert log_lines(server, job) == ["1000", "64", "/tmp"]


def test_a_pipeline_step_naming_a_container_definition_or_an_image_runs_in_podman(server, workdir):
    container_job(server.batch(), "packer", ["sh", "-c", "echo packed in a container; test -f /run/.containerenv"])
    spec = os.path.join(workdir, "p.yaml")
    with open(spec, "w") as f:
        f.write("name: boxed\nsteps:\n  prepare: {command: [\"true\"]}\n"
                "  pack: {definition: packer, depends_on: [prepare]}\n"
                f"  ship: {{image: \"{IMAGE}\", depends_on: [pack],\n"
                "         command: \"test -f /run/.containerenv && echo shipped from {{ run_id }}\"}\n")
    status, _, body = server.raw("POST", "/api/v1/pipelines", json.dumps({"source": open(spec).read(),
                                                                           "base_dir": workdir}),
                                 {"Content-Type": "application/json"})
    assert status in (200, 201), body
    status, _, run = server.raw("POST", "/api/v1/pipelines/boxed/runs", "{}", {"Content-Type": "application/json"})
    assert status in (200, 201), run

    def ended():
        return server.raw("GET", f"/api/v1/runs/{run['id']}")[2]["state"] in ("SUCCEEDED", "FAILED")
    poll_until(ended, "the run ended", deadline_s=60)
    done = server.raw("GET", f"/api/v1/runs/{run['id']}")[2]
    assert done["state"] == "SUCCEEDED", json.dumps(done["steps"])
    pack = next(s for s in done["steps"] if s["name"] == "pack")
    job = server.batch().describe_jobs(jobs=[pack["job_id"]])["jobs"][0]
    assert job["container"]["image"] == IMAGE
    assert any(line.startswith("packed in ") for line in log_lines(server, job)), log_lines(server, job)
    status, _, shown = server.raw("GET", "/api/v1/pipelines/boxed")
    assert status == 200 and next(s for s in shown["steps"] if s["name"] == "ship")["image"] == IMAGE, shown
    ship = next(s for s in done["steps"] if s["name"] == "ship")
    job = server.batch().describe_jobs(jobs=[ship["job_id"]])["jobs"][0]
    assert job["container"]["image"] == IMAGE
    assert log_lines(server, job) == [f"shipped from {run['id']}"], log_lines(server, job)
