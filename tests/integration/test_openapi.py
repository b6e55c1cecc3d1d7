"""The OpenAPI document of the native API against a real server: it is a valid OpenAPI 3.0
document (checked with the OpenAPI Initiative's JSON Schema for 3.0 and by hand), every $ref
resolves, and every documented GET route without path parameters answers 200 with the members
its schema requires."""
import http.client
import json
import os
import time

import pytest

from conftest import register

SCHEMA_3_0 = "/usr/share/openapi-specification/schemas/v3.0/schema.json"

PIPELINE = """
name: hello
steps:
  greet: {command: [sh, -c, "echo hello"]}
"""


def document(server):
    status, headers, doc = server.raw("GET", "/api/v1/openapi.json")
    assert status == 200, doc
    assert headers["Content-Type"].startswith("application/json")
    return doc


def resolve(doc, schema):
    """The schema a {"$ref": "#/..."} points to (followed until it is not a reference)."""
    while "$ref" in schema:
        node = doc
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def refs(node):
    """Every $ref in a JSON value."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def missing_members(doc, schema, value, where="answer"):
    """The required members absent from `value`, per `schema`, at any depth."""
    schema = resolve(doc, schema)
    if value is None:
        return [] if schema.get("nullable") else [where + " is null"]
    problems = []
    for part in schema.get("allOf", []):
        problems += missing_members(doc, part, value, where)
    if isinstance(value, dict):
        problems += [f"{where}.{name}" for name in schema.get("required", []) if name not in value]
        for name, member in schema.get("properties", {}).items():
            if name in value:
                problems += missing_members(doc, member, value[name], f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += missing_members(doc, schema["items"], item, f"{where}[{i}]")
    return problems


def populate(server, workdir):
    """Something in every list: a job definition, a schedule, a pipeline with a run, a webhook."""
    register(server.batch(), "stamp", ["true"])
    status, body = post(server, "/api/v1/schedules", {
        "name": "daily", "expression": "0 3 * * *", "timezone": "Europe/Paris",
        "submit_job": {"jobName": "daily", "jobQueue": "default", "jobDefinition": "stamp"}})
    assert status == 200, body
    status, body = post(server, "/api/v1/pipelines", {"source": PIPELINE, "base_dir": workdir})
    assert status == 200, body
    status, run = post(server, "/api/v1/pipelines/hello/runs", {})
    assert status == 200, run
    deadline = time.monotonic() + 30
    while run["state"] == "RUNNING":
        assert time.monotonic() < deadline, run
        time.sleep(0.02)
        run = server.raw("GET", f"/api/v1/runs/{run['id']}")[2]
    status, body = post(server, "/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "secret": "s"})
    assert status == 200, body


def post(server, path, body):
    status, _, answer = server.raw("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    return status, answer


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_the_document_is_valid_openapi_3_0(server):
    doc = document(server)
    jsonschema = pytest.importorskip("jsonschema")
    with open(SCHEMA_3_0) as f:
        jsonschema.validate(doc, json.load(f))
    assert doc["openapi"].startswith("3.0.")
    assert doc["info"]["title"] == "nightshift" and doc["info"]["version"]
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids)), "operationIds are unique"
    for path, method, op in operations(doc):
        assert op["responses"]["200"], (method, path)
        declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
        assert declared == {s[1:-1] for s in path.split("/") if s.startswith("{")}, (method, path)
    for ref in refs(doc):
        assert ref.startswith("#/"), ref
        resolve(doc, {"$ref": ref})  # raises KeyError if it does not resolve
    for name in ("Job", "Run", "Schedule", "Event", "Error"):
        assert name in doc["components"]["schemas"]


def test_aws_apis_are_pointed_to_not_described(server):
    doc = document(server)
    assert all(p.startswith("/api/v1/") or p in ("/metrics", "/healthz") for p in doc["paths"])
    assert "/api/v1/openapi.json" in doc["paths"]
    for service in ("batch", "scheduler", "AmazonCloudWatchLogs"):
        assert f"https://docs.aws.amazon.com/{service}/" in doc["info"]["description"]


def test_every_get_route_without_path_parameters_answers_as_documented(server, workdir):
    populate(server, workdir)
    doc = document(server)
    checked = []
    for path, method, op in operations(doc):
        if method != "get" or "{" in path:
            continue
        (media_type, content), = op["responses"]["200"]["content"].items()
        if media_type == "text/event-stream":
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("GET", path)
            r = conn.getresponse()
            assert r.status == 200 and r.getheader("Content-Type").startswith(media_type), path
            conn.close()
        else:
            status, headers, answer = server.raw("GET", path)
            assert status == 200, (path, answer)
            assert headers["Content-Type"].split(";")[0] == media_type.split(";")[0], path
            if media_type == "application/json":
                assert missing_members(doc, content["schema"], answer) == [], path
        checked.append(path)
    assert {"/api/v1/pipelines", "/api/v1/schedules", "/api/v1/webhooks", "/api/v1/events",
            "/metrics", "/healthz", "/api/v1/openapi.json"} <= set(checked)


def test_routes_not_documented_are_not_served(server):
    status, _, body = server.raw("GET", "/api/v1/nonsense")
    assert status == 404 and body["__type"] == "NotFoundException", body
    status, headers, body = server.raw("DELETE", "/api/v1/runs/x")
    assert status == 405 and headers["Allow"] == "GET", body
