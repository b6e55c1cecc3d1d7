"""AWS Batch semantics against a real server, through boto3."""
import json
import os

import botocore.exceptions
import pytest

from conftest import register, wait_for


def submit(batch, name, definition, **kwargs):
    return batch.submit_job(jobName=name, jobQueue="default", jobDefinition=definition, **kwargs)["jobId"]


def test_default_queue_and_compute_environment_exist_on_first_start(server):
    batch = server.batch()
    queues = batch.describe_job_queues()["jobQueues"]
    assert [q["jobQueueName"] for q in queues] == ["default"]
    assert queues[0]["state"] == "ENABLED"
    ces = batch.describe_compute_environments()["computeEnvironments"]
    assert ces[0]["computeEnvironmentName"] == "default"
    assert ces[0]["type"] == "UNMANAGED"


def test_three_step_chain_runs_in_order(server, workdir):
    batch = server.batch()
    out = os.path.join(workdir, "order.txt")
    register(batch, "step", ["sh", "-c", f'echo "$1" >> {out}', "sh", "Ref::step"])
    a = submit(batch, "analyzer", "step", parameters={"step": "analyzer"})
    b = submit(batch, "aggregator", "step", parameters={"step": "aggregator"}, dependsOn=[{"jobId": a}])
    c = submit(batch, "deployer", "step", parameters={"step": "deployer"}, dependsOn=[{"jobId": b}])
    jobs = wait_for(batch, [a, b, c])
    assert [jobs[j]["status"] for j in (a, b, c)] == ["SUCCEEDED"] * 3
    with open(out) as f:
        assert f.read().split() == ["analyzer", "aggregator", "deployer"]
    assert jobs[a]["stoppedAt"] <= jobs[b]["startedAt"] <= jobs[b]["stoppedAt"] <= jobs[c]["startedAt"]
    assert jobs[c]["attempts"][0]["container"]["exitCode"] == 0
    assert jobs[b]["dependsOn"] == [{"jobId": a}]


def test_failure_cascades_with_reason_naming_the_parent(server):
    batch = server.batch()
    register(batch, "fail", ["sh", "-c", "exit 3"])
    register(batch, "ok", ["true"])
    a = submit(batch, "a", "fail")
    b = submit(batch, "b", "ok", dependsOn=[{"jobId": a}])
    c = submit(batch, "c", "ok", dependsOn=[{"jobId": b}])
    jobs = wait_for(batch, [a, b, c])
    assert jobs[a]["status"] == "FAILED"
    assert jobs[a]["attempts"][0]["container"]["exitCode"] == 3
    assert jobs[b]["status"] == "FAILED" and a in jobs[b]["statusReason"]
    assert jobs[c]["status"] == "FAILED" and b in jobs[c]["statusReason"]
    assert jobs[b]["attempts"] == [] and jobs[c]["attempts"] == []


def test_retry_on_matching_exit_code_then_success(server):
    batch = server.batch()
    register(batch, "flaky", ["sh", "-c", 'test "$AWS_BATCH_JOB_ATTEMPT" -ge 2 || exit 42'],
             retryStrategy={"attempts": 3, "evaluateOnExit": [
                 {"onExitCode": "42", "action": "RETRY"}, {"onExitCode": "*", "action": "EXIT"}]})
    j = submit(batch, "flaky", "flaky")
    job = wait_for(batch, [j])[j]
    assert job["status"] == "SUCCEEDED"
    assert [a["container"]["exitCode"] for a in job["attempts"]] == [42, 0]


def test_exit_rule_stops_retries(server):
    batch = server.batch()
    register(batch, "hard-fail", ["sh", "-c", "exit 7"],
             retryStrategy={"attempts": 3, "evaluateOnExit": [{"onExitCode": "7", "action": "exit"}]})
    j = submit(batch, "hard", "hard-fail")
    job = wait_for(batch, [j])[j]
    assert job["status"] == "FAILED"
    assert len(job["attempts"]) == 1


def test_timeout_fails_the_attempt_and_is_not_retried(server):
    batch = server.batch()
    register(batch, "slow", ["sh", "-c", "sleep 60 & sleep 60"],
             timeout={"attemptDurationSeconds": 1}, retryStrategy={"attempts": 2})
    j = submit(batch, "slow", "slow")
    job = wait_for(batch, [j], deadline_s=40)[j]
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "Job attempt duration exceeded timeout"
    assert len(job["attempts"]) == 1
    assert job["attempts"][0]["stoppedAt"] - job["attempts"][0]["startedAt"] < 15000


def test_cancel_affects_only_jobs_not_started_and_terminate_stops_running(server):
    batch = server.batch()
    register(batch, "sleeper", ["sleep", "60"])
    running = submit(batch, "running", "sleeper")
    wait_for(batch, [running], states=("RUNNING",))
    waiting = submit(batch, "waiting", "sleeper", dependsOn=[{"jobId": running}])
    batch.cancel_job(jobId=waiting, reason="not needed")
    batch.cancel_job(jobId=running, reason="cancel does not stop running jobs")
    jobs = wait_for(batch, [waiting])
    assert jobs[waiting]["status"] == "FAILED"
    assert jobs[waiting]["statusReason"] == "not needed"
    # isCancelled/isTerminated are newer than Debian's botocore model, which drops them: read raw.
    assert server.raw("POST", "/v1/describejobs", json.dumps({"jobs": [waiting]}))[2]["jobs"][0]["isCancelled"] is True
    assert batch.describe_jobs(jobs=[running])["jobs"][0]["status"] == "RUNNING"
    batch.terminate_job(jobId=running, reason="operator stop")
    job = wait_for(batch, [running], deadline_s=20)[running]
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "operator stop"
    assert server.raw("POST", "/v1/describejobs", json.dumps({"jobs": [running]}))[2]["jobs"][0]["isTerminated"] is True


def test_array_job_children_see_their_index_and_parent_summarises(server, workdir):
    batch = server.batch()
    out = os.path.join(workdir, "indices")
    register(batch, "fan", ["sh", "-c", f'echo "$AWS_BATCH_JOB_ARRAY_INDEX/$AWS_BATCH_JOB_ARRAY_SIZE" >> {out}'])
    parent = submit(batch, "fan", "fan", arrayProperties={"size": 5})
    job = wait_for(batch, [parent])[parent]
    assert job["status"] == "SUCCEEDED"
    assert job["arrayProperties"]["size"] == 5
    assert job["arrayProperties"]["statusSummary"]["SUCCEEDED"] == 5
    with open(out) as f:
        assert sorted(f.read().split()) == [f"{i}/5" for i in range(5)]
    children = batch.list_jobs(arrayJobId=parent, jobStatus="SUCCEEDED")["jobSummaryList"]
    assert sorted(c["jobId"] for c in children) == sorted(f"{parent}:{i}" for i in range(5))
    assert {c["arrayProperties"]["index"] for c in children} == set(range(5))


def test_n_to_n_dependency_pairs_children_by_index(server):
    batch = server.batch()
    register(batch, "idx-fail", ["sh", "-c", 'test "$AWS_BATCH_JOB_ARRAY_INDEX" != 1'])
    register(batch, "ok", ["true"])
    first = submit(batch, "first", "idx-fail", arrayProperties={"size": 3})
    second = submit(batch, "second", "ok", arrayProperties={"size": 3},
                    dependsOn=[{"jobId": first, "type": "N_TO_N"}])
    wait_for(batch, [first, second])
    children = wait_for(batch, [f"{second}:{i}" for i in range(3)])
    assert children[f"{second}:0"]["status"] == "SUCCEEDED"
    assert children[f"{second}:1"]["status"] == "FAILED"
    assert f"{first}:1" in children[f"{second}:1"]["statusReason"]
    assert children[f"{second}:2"]["status"] == "SUCCEEDED"


def test_sequential_array_runs_children_one_after_another(server):
    batch = server.batch()
    register(batch, "seq", ["true"])
    parent = submit(batch, "seq", "seq", arrayProperties={"size": 4}, dependsOn=[{"type": "SEQUENTIAL"}])
    wait_for(batch, [parent])
    children = wait_for(batch, [f"{parent}:{i}" for i in range(4)])
    for i in range(1, 4):
        assert children[f"{parent}:{i - 1}"]["stoppedAt"] <= children[f"{parent}:{i}"]["startedAt"]


def test_job_that_can_never_fit_fails_at_once_with_reason(server):
    batch = server.batch()
    register(batch, "huge", ["true"], container={"resourceRequirements": [{"type": "VCPU", "value": "4096"}]})
    j = submit(batch, "huge", "huge")
    job = wait_for(batch, [j], deadline_s=5)[j]
    assert job["status"] == "FAILED"
    assert "needs 4096 vCPU" in job["statusReason"]


def test_waiting_job_says_what_it_waits_for(server):
    batch = server.batch()
    register(batch, "sleeper", ["sleep", "30"])
    register(batch, "ok", ["true"])
    parent = submit(batch, "parent", "sleeper")
    child = submit(batch, "child", "ok", dependsOn=[{"jobId": parent}])
    job = batch.describe_jobs(jobs=[child])["jobs"][0]
    assert job["status"] == "PENDING"
    assert parent in job["statusReason"]
    batch.terminate_job(jobId=parent, reason="done")
    wait_for(batch, [parent, child])


def test_list_jobs_filters_and_paginates_newest_first(server):
    batch = server.batch()
    register(batch, "ok", ["true"])
    ids = [submit(batch, f"list-{i}", "ok") for i in range(7)]
    wait_for(batch, ids)
    paginator = batch.get_paginator("list_jobs")
    pages = list(paginator.paginate(jobQueue="default", jobStatus="SUCCEEDED", PaginationConfig={"PageSize": 3}))
    listed = [j["jobId"] for p in pages for j in p["jobSummaryList"]]
    assert len(pages) == 3
    assert listed == list(reversed(ids))
    by_name = batch.list_jobs(jobQueue="default", filters=[{"name": "JOB_NAME", "values": ["LIST-1*"]}])
    assert {j["jobName"] for j in by_name["jobSummaryList"]} == {"list-1"}


def test_parameters_and_environment_reach_the_process(server, workdir):
    batch = server.batch()
    out = os.path.join(workdir, "env")
    register(batch, "env", ["sh", "-c", f'echo "$1 $GREETING $AWS_BATCH_JQ_NAME $AWS_BATCH_CE_NAME" > {out}', "sh", "Ref::who"],
             parameters={"who": "default-who"}, container={"environment": [{"name": "GREETING", "value": "hello"}]})
    j = submit(batch, "env", "env", parameters={"who": "world"},
               containerOverrides={"environment": [{"name": "GREETING", "value": "hi"}]})
    assert wait_for(batch, [j])[j]["status"] == "SUCCEEDED"
    with open(out) as f:
        assert f.read().split() == ["world", "hi", "default", "default"]


def test_job_definition_revisions_and_deregister(server):
    batch = server.batch()
    r1 = register(batch, "rev", ["true"])
    r2 = register(batch, "rev", ["false"])
    assert (r1["revision"], r2["revision"]) == (1, 2)
    batch.deregister_job_definition(jobDefinition="rev:2")
    defs = batch.describe_job_definitions(jobDefinitionName="rev")["jobDefinitions"]
    assert {d["revision"]: d["status"] for d in defs} == {1: "ACTIVE", 2: "INACTIVE"}
    j = submit(batch, "latest-active", "rev")  # resolves to the latest ACTIVE revision: 1
    assert wait_for(batch, [j])[j]["status"] == "SUCCEEDED"


def test_tags_on_queue_round_trip(server):
    batch = server.batch()
    arn = batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"]
    batch.tag_resource(resourceArn=arn, tags={"team": "etl", "env": "prod"})
    batch.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "etl"}


def test_queue_priority_and_compute_environment_lifecycle(server):
    batch = server.batch()
    batch.create_compute_environment(computeEnvironmentName="small", type="UNMANAGED", unmanagedvCpus=1)
    batch.create_job_queue(jobQueueName="urgent", priority=10,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "small"}])
    q = batch.describe_job_queues(jobQueues=["urgent"])["jobQueues"][0]
    assert q["priority"] == 10 and q["computeEnvironmentOrder"][0]["computeEnvironment"].endswith("/small")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        batch.delete_compute_environment(computeEnvironment="small")
    assert e.value.response["Error"]["Code"] == "ClientException"
    batch.update_job_queue(jobQueue="urgent", state="DISABLED")
    batch.delete_job_queue(jobQueue="urgent")
    batch.update_compute_environment(computeEnvironment="small", state="DISABLED")
    batch.delete_compute_environment(computeEnvironment="small")
    names = [c["computeEnvironmentName"] for c in batch.describe_compute_environments()["computeEnvironments"]]
    assert names == ["default"]


def test_n_to_n_onto_an_array_that_already_finished(server):
    batch = server.batch()
    register(batch, "idx-fail", ["sh", "-c", 'test "$AWS_BATCH_JOB_ARRAY_INDEX" != 0'])
    register(batch, "ok", ["true"])
    first = submit(batch, "first", "idx-fail", arrayProperties={"size": 2})
    wait_for(batch, [first])
    second = submit(batch, "second", "ok", arrayProperties={"size": 2}, dependsOn=[{"jobId": first, "type": "N_TO_N"}])
    children = wait_for(batch, [f"{second}:0", f"{second}:1"])
    assert children[f"{second}:0"]["status"] == "FAILED"
    assert children[f"{second}:1"]["status"] == "SUCCEEDED"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        submit(batch, "third", "ok", arrayProperties={"size": 3}, dependsOn=[{"jobId": first, "type": "N_TO_N"}])
    assert "size 3" in e.value.response["Error"]["Message"]
