// Actions taken in the UI take effect, as the API then reports: rerun from failure, cancel a
// run, cancel a waiting job, terminate a running one.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  api, applyPipeline, describeJob, launchBrowser, openPage, pollUntil, screenshot, scratchDir, startServer, waitForRun,
} from "./harness.mjs";

let server, browser, work;

const FLAKY = `
name: flaky
steps:
  prepare: {command: "echo prepared"}
  flaky: {command: "test -e ok-flag || { echo not yet; exit 1; }", depends_on: [prepare]}
  finish: {command: "echo finished", depends_on: [flaky]}
`;

const SLOW = `
name: slow
steps:
  wait: {command: "while [ ! -e never ]; do sleep 0.05; done"}
  after: {command: "echo after", depends_on: [wait]}
`;

before(async () => {
  work = scratchDir();
  server = await startServer();
  await applyPipeline(server, FLAKY, work);
  await applyPipeline(server, SLOW, work);
  await api(server, "POST", "/v1/registerjobdefinition", {
    jobDefinitionName: "gate", type: "container",
    containerProperties: { command: ["sh", "-c", `echo waiting; while [ ! -e ${join(work, "never")} ]; do sleep 0.05; done`] },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("rerun from failure in the UI re-runs only the failed and skipped steps", async () => {
  const run = await api(server, "POST", "/api/v1/pipelines/flaky/runs", {});
  const failed = await waitForRun(server, run.id);
  assert.equal(failed.state, "FAILED");
  const prepareJob = failed.steps.find((s) => s.name === "prepare").job_id;

  const page = await openPage(browser);
  await page.goto(`${server.url}/ui/runs/${run.id}`);
  await page.waitForSelector('[data-testid="run"][data-run-state="FAILED"]');
  await page.waitForSelector('.graph [data-step="flaky"][data-state="FAILED"]');
  await screenshot(page, "run-failed");
  writeFileSync(join(work, "ok-flag"), "");
  await page.click('[data-testid="rerun"]');
  await page.waitForSelector('[data-testid="run"][data-run-state="SUCCEEDED"]');
  await page.waitForSelector('.graph [data-step="finish"][data-state="SUCCEEDED"]');

  const rerun = await waitForRun(server, run.id);
  assert.equal(rerun.state, "SUCCEEDED");
  const prepare = rerun.steps.find((s) => s.name === "prepare");
  assert.equal(prepare.job_id, prepareJob, "the succeeded step was kept");
  assert.equal(prepare.tries, 1);
  assert.ok(rerun.steps.find((s) => s.name === "flaky").tries >= 2);
  assert.deepEqual(page.errors, []);
});

test("cancel in the UI cancels a running run", async () => {
  const run = await api(server, "POST", "/api/v1/pipelines/slow/runs", {});
  const page = await openPage(browser);
  page.on("dialog", (d) => d.accept());
  await page.goto(`${server.url}/ui/runs/${run.id}`);
  await page.waitForSelector('.graph [data-step="wait"][data-state="RUNNING"]');
  await page.click('[data-testid="cancel-run"]');
  await page.waitForSelector('[data-testid="run"][data-run-state="CANCELLED"]');
  const cancelled = await waitForRun(server, run.id);
  assert.equal(cancelled.state, "CANCELLED");
  assert.notEqual(cancelled.steps.find((s) => s.name === "after").state, "SUCCEEDED");
});

test("cancel and terminate in the UI stop a waiting and a running job", async () => {
  const running = (await api(server, "POST", "/v1/submitjob", { jobName: "long", jobQueue: "default", jobDefinition: "gate" })).jobId;
  const waiting = (await api(server, "POST", "/v1/submitjob", {
    jobName: "after-long", jobQueue: "default", jobDefinition: "gate", dependsOn: [{ jobId: running }],
  })).jobId;
  await pollUntil(async () => (await describeJob(server, running)).status === "RUNNING", "the long job runs");

  const page = await openPage(browser);
  page.on("dialog", (d) => d.accept());
  await page.goto(`${server.url}/ui/jobs/${waiting}`);
  await page.waitForSelector('[data-testid="job"][data-job-state="PENDING"]');
  await page.waitForSelector('[data-testid="why"]:has-text("Waiting for job")');
  await screenshot(page, "job-pending");
  await page.click('[data-testid="cancel-job"]');
  await page.waitForSelector('[data-testid="job"][data-job-state="FAILED"]');
  const cancelled = await describeJob(server, waiting);
  assert.equal(cancelled.status, "FAILED");
  assert.equal(cancelled.isCancelled, true);

  await page.goto(`${server.url}/ui/jobs/${running}`);
  await page.waitForSelector('[data-testid="job"][data-job-state="RUNNING"]');
  await page.waitForSelector('.log-line:has-text("waiting")');
  assert.equal(await page.locator('[data-testid="cancel-job"]').count(), 0, "a running job offers terminate only");
  await page.click('[data-testid="terminate-job"]');
  await page.waitForSelector('[data-testid="job"][data-job-state="FAILED"]');
  const terminated = await describeJob(server, running);
  assert.equal(terminated.status, "FAILED");
  assert.equal(terminated.isTerminated, true);
  assert.deepEqual(page.errors, []);
});
