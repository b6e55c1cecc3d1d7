"""Schedules end to end: EventBridge Scheduler's API through boto3 and the aws CLI, the native
/api/v1/schedules routes and the `nightshift schedule` CLI, against a real server whose fires
submit real jobs."""
import datetime
import json
import os
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from conftest import BINARY, Server, register, wait_for

SUBMIT_JOB = "arn:aws:scheduler:::aws-sdk:batch:submitJob"
ROLE = "arn:aws:iam::123456789012:role/scheduler"


def target(job_name="fired", definition="stamp", queue="default"):
    return {"Arn": SUBMIT_JOB, "RoleArn": ROLE,
            "Input": json.dumps({"JobName": job_name, "JobQueue": queue, "JobDefinition": definition})}


def register_stamp(server):
    """A job that prints which fire it serves."""
    register(server.batch(), "stamp", ["sh", "-c", "echo fire $NIGHTSHIFT_SCHEDULE $NIGHTSHIFT_LOGICAL_TIME $NIGHTSHIFT_FIRE_TRIGGER"])


def at_in(seconds):
    """An at() expression `seconds` from now (UTC, whole seconds) and its instant."""
    t = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=seconds + 1)
    return f"at({t.strftime('%Y-%m-%dT%H:%M:%S')})", t


def wait_until(instant):
    """Waits for the wall clock to pass `instant` (the event these tests are about)."""
    while datetime.datetime.now(datetime.timezone.utc) <= instant:
        time.sleep(0.05)


def jobs_named(server, name, deadline_s=20, at_least=1):
    """The jobs called `name` in the default queue, polled until `at_least` exist (deadline).
    One status is listed at a time, so a job that moves on between two calls is seen twice: each
    counts once."""
    batch = server.batch()
    deadline = time.monotonic() + deadline_s
    while True:
        by_id = {}
        for status in ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"):
            for j in batch.list_jobs(jobQueue="default", jobStatus=status)["jobSummaryList"]:
                if j["jobName"] == name:
                    by_id[j["jobId"]] = j
        found = list(by_id.values())
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def fires(server, name):
    status, _, body = server.raw("GET", f"/api/v1/schedules/{name}/fires")
    assert status == 200, body
    return body["fires"]


def native(server, method, path, body=None):
    status, _, answer = server.raw(method, path, json.dumps(body) if body is not None else None,
                                   {"Content-Type": "application/json"} if body is not None else None)
    return status, answer


# --- EventBridge Scheduler API

def test_schedule_crud_through_boto3(server):
    register_stamp(server)
    sch = server.scheduler()
    arn = sch.create_schedule(Name="nightly", ScheduleExpression="cron(0 2 * * ? *)",
                              ScheduleExpressionTimezone="Europe/Berlin", FlexibleTimeWindow={"Mode": "OFF"},
                              Target=target(), Description="the ETL")["ScheduleArn"]
    assert arn.endswith(":schedule/default/nightly")
    got = sch.get_schedule(Name="nightly")
    assert got["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert got["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert got["State"] == "ENABLED" and got["GroupName"] == "default" and got["Description"] == "the ETL"
    assert isinstance(got["CreationDate"], datetime.datetime)
    assert json.loads(got["Target"]["Input"])["JobDefinition"] == "stamp"

    with pytest.raises(ClientError) as e:
        sch.create_schedule(Name="nightly", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
                            Target=target())
    assert e.value.response["Error"]["Code"] == "ConflictException"

    sch.update_schedule(Name="nightly", ScheduleExpression="cron(30 3 * * ? *)", State="DISABLED",
                        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}, Target=target())
    got = sch.get_schedule(Name="nightly")
    assert got["State"] == "DISABLED" and got["ScheduleExpression"] == "cron(30 3 * * ? *)"
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert got["ScheduleExpressionTimezone"] == "UTC", "UpdateSchedule replaces every member AWS defines"

    sch.create_schedule(Name="hourly", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
                        Target=target())
    names = [s["Name"] for s in sch.list_schedules()["Schedules"]]
    assert names == ["hourly", "nightly"]
    assert [s["Name"] for s in sch.list_schedules(State="DISABLED")["Schedules"]] == ["nightly"]
    assert [s["Name"] for s in sch.list_schedules(NamePrefix="hou")["Schedules"]] == ["hourly"]
    pages = list(sch.get_paginator("list_schedules").paginate(PaginationConfig={"PageSize": 1}))
    assert [s["Name"] for p in pages for s in p["Schedules"]] == ["hourly", "nightly"]
    assert sch.get_schedule_group(Name="default")["State"] == "ACTIVE"

    sch.delete_schedule(Name="nightly")
    with pytest.raises(ClientError) as e:
        sch.get_schedule(Name="nightly")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_an_at_schedule_created_with_the_aws_cli_fires_a_job(server):
    register_stamp(server)
    later, _ = at_in(3600)
    server.aws("scheduler", "create-schedule", "--name", "once", "--schedule-expression", later,
               "--flexible-time-window", "Mode=OFF", "--target", json.dumps(target(job_name="once-job")))
    # The CLI takes a while to start on a busy machine; boto3 moves the fire close in at once.
    expression, instant = at_in(1)
    server.scheduler().update_schedule(Name="once", ScheduleExpression=expression, FlexibleTimeWindow={"Mode": "OFF"},
                                       Target=target(job_name="once-job"))
    wait_until(instant)
    found = jobs_named(server, "once-job")
    assert len(found) == 1, found
    job = wait_for(server.batch(), [found[0]["jobId"]])[found[0]["jobId"]]
    assert job["status"] == "SUCCEEDED"
    stream = job["container"]["logStreamName"]
    events = server.logs().get_log_events(logGroupName="/aws/batch/job", logStreamName=stream)["events"]
    assert [e["message"] for e in events] == [f"fire once {instant.strftime('%Y-%m-%dT%H:%M:%S')}+00:00 schedule"]
    history = fires(server, "once")
    assert [(f["outcome"], f["trigger"], f["job_id"]) for f in history] == [("started", "schedule", found[0]["jobId"])]
    assert history[0]["logical_time"] == instant.strftime("%Y-%m-%dT%H:%M:%S") + "+00:00"
    # at() has no second fire.
    assert server.scheduler().get_schedule(Name="once")["ScheduleExpression"] == expression
    status, body = native(server, "GET", "/api/v1/schedules/once")
    assert status == 200 and body["next_fires"] == [] and body["next_due"] is None


BAD = [
    ("cron(0 25 * * ? *)", "UTC", None, None, "hour"),
    ("cron(0 12 * * * *)", "UTC", None, None, "?"),
    ("0 0 30 2 *", "UTC", None, None, "never"),
    ("at(2027-02-30T00:00:00)", "UTC", None, None, "2027-02-30"),
    ("at(2001-01-01T00:00:00)", "UTC", None, None, "must be in the future"),
    ("rate(0 minutes)", "UTC", None, None, "rate"),
    ("cron(0 12 * * ? *)", "Mars/Olympus_Mons", None, None, "Mars/Olympus_Mons"),
    ("cron(0 12 * * ? *)", "UTC", 1924992000, 1893456000, "EndDate"),
]


@pytest.mark.parametrize("expression,zone,start,end,needle", BAD)
def test_invalid_schedules_are_refused_and_nothing_is_stored(server, expression, zone, start, end, needle):
    register_stamp(server)
    body = {"ScheduleExpression": expression, "ScheduleExpressionTimezone": zone,
            "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": target()}
    if start:
        body["StartDate"] = start
    if end:
        body["EndDate"] = end
    status, headers, answer = server.raw("POST", "/schedules/bad", json.dumps(body), {"Content-Type": "application/json"})
    assert status == 400, answer
    assert headers["x-amzn-ErrorType"] == "ValidationException"
    assert needle in answer["message"], answer["message"]
    assert server.scheduler().list_schedules()["Schedules"] == []


@pytest.mark.parametrize("tgt,needle", [
    ({"Arn": "arn:aws:scheduler:::aws-sdk:sqs:sendMessage", "RoleArn": ROLE, "Input": "{}"}, "unsupported target"),
    ({"Arn": SUBMIT_JOB, "RoleArn": ROLE, "Input": "{not json"}, "JSON object"),
    ({"Arn": SUBMIT_JOB, "RoleArn": ROLE, "Input": json.dumps({"JobName": "x", "JobQueue": "nope", "JobDefinition": "stamp"})},
     "job queue nope does not exist"),
    ({"Arn": SUBMIT_JOB, "RoleArn": ROLE, "Input": json.dumps({"JobName": "x", "JobQueue": "default", "JobDefinition": "stamp",
                                                                "Colour": "red"})}, "colour"),
    ({"Arn": SUBMIT_JOB, "RoleArn": ROLE}, "Target.Input is required"),
])
def test_unusable_targets_are_refused(server, tgt, needle):
    register_stamp(server)
    body = {"ScheduleExpression": "rate(5 minutes)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": tgt}
    status, headers, answer = server.raw("POST", "/schedules/bad", json.dumps(body), {"Content-Type": "application/json"})
    assert status == 400 and headers["x-amzn-ErrorType"] == "ValidationException", answer
    assert needle in answer["message"], answer["message"]
    assert server.scheduler().list_schedules()["Schedules"] == []


def test_the_aws_cli_shows_validation_errors_as_against_aws(server):
    register_stamp(server)
    p = server.aws("scheduler", "create-schedule", "--name", "bad", "--schedule-expression", "cron(61 * * * ? *)",
                   "--flexible-time-window", "Mode=OFF", "--target", json.dumps(target()), check=False)
    assert p.returncode != 0
    assert "An error occurred (ValidationException) when calling the CreateSchedule operation" in p.stderr
    assert "minute" in p.stderr
    p = server.aws("scheduler", "get-schedule", "--name", "missing", check=False)
    assert "(ResourceNotFoundException)" in p.stderr and "Schedule missing does not exist." in p.stderr


# --- Native API: policies, previews, run now, pause, backfill, history

def test_native_schedule_shows_dst_aware_next_fires_in_its_zone(server):
    register_stamp(server)
    status, body = native(server, "POST", "/api/v1/schedules", {
        "name": "berlin", "expression": "30 2 * * *", "timezone": "Europe/Berlin",
        "start": "2027-03-27T12:00:00+01:00", "dst": {"gap": "shift", "repeat": "first"},
        "overlap": "buffer_one", "catch_up": {"policy": "all", "window_seconds": 3600},
        "submit_job": {"jobName": "berlin", "jobQueue": "default", "jobDefinition": "stamp"}})
    assert status == 200, body
    assert body["next_fires"][:3] == ["2027-03-28T03:00:00+02:00", "2027-03-29T02:30:00+02:00",
                                      "2027-03-30T02:30:00+02:00"]
    assert body["overlap"] == "buffer_one" and body["catch_up"] == {"policy": "all", "window_seconds": 3600}
    status, skip = native(server, "PUT", "/api/v1/schedules/berlin", {
        "expression": "30 2 * * *", "timezone": "Europe/Berlin", "start": "2027-03-27T12:00:00+01:00",
        "dst": {"gap": "skip"}, "submit_job": {"jobName": "berlin", "jobQueue": "default", "jobDefinition": "stamp"}})
    assert status == 200, skip
    assert skip["next_fires"][0] == "2027-03-29T02:30:00+02:00"
    # boto3 sees the same schedule.
    assert server.scheduler().get_schedule(Name="berlin")["ScheduleExpression"] == "30 2 * * *"


def test_trigger_goes_through_the_overlap_policy_and_history_says_why(server):
    batch = server.batch()
    register(batch, "slow", ["sleep", "300"])
    status, body = native(server, "POST", "/api/v1/schedules", {
        "name": "slowly", "expression": "0 3 * * *",
        "submit_job": {"jobName": "slow-run", "jobQueue": "default", "jobDefinition": "slow"}})
    assert status == 200, body
    status, first = native(server, "POST", "/api/v1/schedules/slowly/trigger", {})
    assert status == 200 and [f["outcome"] for f in first["fires"]] == ["started"], first
    job_id = first["fires"][0]["job_id"]
    wait_for(batch, [job_id], states=("RUNNING",))
    status, second = native(server, "POST", "/api/v1/schedules/slowly/trigger", {})
    assert [f["outcome"] for f in second["fires"]] == ["skipped"], second
    assert job_id in second["fires"][0]["reason"] and "overlap skip" in second["fires"][0]["reason"]
    status, third = native(server, "POST", "/api/v1/schedules/slowly/trigger", {"overlap": "terminate_other"})
    assert [f["outcome"] for f in third["fires"]] == ["started"], third
    assert wait_for(batch, [job_id])[job_id]["status"] == "FAILED", "terminate_other stops the running job"
    history = fires(server, "slowly")
    assert sorted(f["outcome"] for f in history) == ["skipped", "started", "started"]
    assert all(f["trigger"] == "manual" for f in history)
    batch.terminate_job(jobId=third["fires"][0]["job_id"], reason="test over")


def test_pause_resume_and_backfill(server):
    batch = server.batch()
    register_stamp(server)
    status, body = native(server, "POST", "/api/v1/schedules", {
        "name": "hourly", "expression": "0 * * * *",
        "submit_job": {"jobName": "hourly", "jobQueue": "default", "jobDefinition": "stamp"}})
    assert status == 200, body
    status, paused = native(server, "POST", "/api/v1/schedules/hourly/pause", {"note": "db migration"})
    assert status == 200 and paused["state"] == "DISABLED" and paused["note"] == "db migration"
    assert paused["next_due"] is None
    status, resumed = native(server, "POST", "/api/v1/schedules/hourly/resume", {"note": "done"})
    assert resumed["state"] == "ENABLED" and resumed["next_due"] is not None

    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
    frm = (now - datetime.timedelta(hours=3)).isoformat()
    to = (now - datetime.timedelta(hours=1)).isoformat()
    status, backfill = native(server, "POST", "/api/v1/schedules/hourly/backfill",
                              {"from": frm, "to": to, "overlap": "allow_all"})
    assert status == 200, backfill
    assert [f["outcome"] for f in backfill["fires"]] == ["started"] * 3
    assert all(f["trigger"] == "backfill" for f in backfill["fires"])
    jobs = wait_for(batch, [f["job_id"] for f in backfill["fires"]])
    assert {j["status"] for j in jobs.values()} == {"SUCCEEDED"}, [
        (j["status"], j.get("statusReason"), j.get("attempts")) for j in jobs.values()]
    status, again = native(server, "POST", "/api/v1/schedules/hourly/backfill", {"from": frm, "to": to})
    assert again["fires"] == [] and len(again["already_fired"]) == 3, "a backfill never repeats a fire"
    status, bad = native(server, "POST", "/api/v1/schedules/hourly/backfill", {"from": to, "to": frm})
    assert status == 400 and "before its start" in bad["message"]


# --- Durability

def test_a_fire_due_while_the_server_was_killed_runs_once_after_restart(workdir):
    srv = Server(os.path.join(workdir, "data")).start()
    try:
        register_stamp(srv)
        expression, instant = at_in(2)
        srv.scheduler().create_schedule(Name="survivor", ScheduleExpression=expression,
                                        FlexibleTimeWindow={"Mode": "OFF"}, Target=target(job_name="survivor"))
        srv.kill9()
        wait_until(instant)
        srv = Server(srv.data_dir).start()
        found = jobs_named(srv, "survivor")
        assert len(found) == 1
        wait_for(srv.batch(), [found[0]["jobId"]])
        srv.kill9()
        srv = Server(srv.data_dir).start()
        assert len(jobs_named(srv, "survivor", deadline_s=0)) == 1, "a restart does not fire it again"
        history = fires(srv, "survivor")
        assert [(f["outcome"], f["job_id"]) for f in history] == [("started", found[0]["jobId"])]
    finally:
        srv.stop()


# --- CLI

def cli(server, *args):
    return subprocess.run([BINARY, *args, "--server", server.url], capture_output=True, text=True, timeout=30)


def test_schedule_cli_verbs(server):
    register_stamp(server)
    p = cli(server, "schedule", "create", "etl", "-e", "0 2 * * *", "-z", "Europe/Berlin", "-d", "stamp",
            "--overlap", "buffer_all")
    assert p.returncode == 0, p.stderr
    assert "etl" in p.stdout and "Europe/Berlin" in p.stdout and "buffer_all" in p.stdout
    p = cli(server, "schedule", "list", "-o", "json")
    assert p.returncode == 0 and [s["name"] for s in json.loads(p.stdout)["schedules"]] == ["etl"]
    p = cli(server, "schedule", "pause", "etl", "-m", "holiday")
    assert p.returncode == 0 and "DISABLED" in p.stdout and "holiday" in p.stdout
    p = cli(server, "schedule", "trigger", "etl")
    assert p.returncode == 0 and "started" in p.stdout, p.stdout
    p = cli(server, "schedule", "history", "etl", "-o", "json")
    assert [f["trigger"] for f in json.loads(p.stdout)["fires"]] == ["manual"]
    p = cli(server, "schedule", "get", "nope")
    assert p.returncode == 2 and "Schedule nope does not exist." in p.stderr
    p = cli(server, "schedule", "create", "bad", "-e", "0 2 * * *", "-z", "Nowhere/City", "-d", "stamp")
    assert p.returncode == 2 and "Nowhere/City" in p.stderr
    p = cli(server, "schedule", "delete", "etl")
    assert p.returncode == 0
    assert json.loads(cli(server, "schedule", "list", "-o", "json").stdout)["schedules"] == []


def test_a_realtime_server_runs_its_jobs_at_normal_priority(workdir):
    """--realtime-priority keeps fires on time on a busy machine; jobs must not inherit it."""
    srv = Server(os.path.join(workdir, "data"), ["--realtime-priority", "5"]).start()
    try:
        policy = subprocess.run(["chrt", "-p", str(srv.proc.pid)], capture_output=True, text=True).stdout
        assert "SCHED_FIFO" in policy, policy
        batch = srv.batch()
        register(batch, "policy", ["sh", "-c", "chrt -p $$"])
        job_id = batch.submit_job(jobName="policy", jobQueue="default", jobDefinition="policy")["jobId"]
        job = wait_for(batch, [job_id])[job_id]
        assert job["status"] == "SUCCEEDED", job
        events = srv.logs().get_log_events(logGroupName="/aws/batch/job",
                                           logStreamName=job["container"]["logStreamName"])["events"]
        assert "SCHED_OTHER" in events[0]["message"], events
    finally:
        srv.stop()
