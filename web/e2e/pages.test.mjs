// Every page of the UI loads with real data from a real server: pipelines and their runs, jobs
// (one failed, one array), schedules, queues. Also: how the server serves the UI's files.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  api, applyPipeline, describeJob, launchBrowser, openPage, pollUntil, screenshot, scratchDir, startServer, waitForRun,
} from "./harness.mjs";

let server, browser, work;
const ids = {};

const PIPELINE = `
name: nightly-etl
description: Analyzer, then Aggregator, then Deployer
schedule: {expression: "0 2 * * *", timezone: Europe/Berlin}
steps:
  analyzer: {command: "echo analyzing; echo rows=42"}
  aggregator: {command: "echo aggregating", depends_on: [analyzer]}
  report: {command: "echo report", depends_on: [analyzer]}
  deployer: {command: "echo deploying", depends_on: [aggregator, report]}
`;

before(async () => {
  work = scratchDir();
  server = await startServer();
  await applyPipeline(server, PIPELINE, work);
  for (let i = 0; i < 2; i++) {
    const run = await api(server, "POST", "/api/v1/pipelines/nightly-etl/runs", {});
    ids.run = run.id;
    await waitForRun(server, run.id);
  }
  await api(server, "POST", "/v1/registerjobdefinition", {
    jobDefinitionName: "hello", type: "container",
    containerProperties: { command: ["sh", "-c", "echo hello from the job; echo oops >&2"] },
  });
  await api(server, "POST", "/v1/registerjobdefinition", {
    jobDefinitionName: "broken", type: "container", containerProperties: { command: ["sh", "-c", "echo failing; exit 3"] },
  });
  ids.ok = (await api(server, "POST", "/v1/submitjob", { jobName: "hello-1", jobQueue: "default", jobDefinition: "hello" })).jobId;
  ids.failed = (await api(server, "POST", "/v1/submitjob", { jobName: "broken-1", jobQueue: "default", jobDefinition: "broken" })).jobId;
  ids.array = (await api(server, "POST", "/v1/submitjob", {
    jobName: "fan-out", jobQueue: "default", jobDefinition: "hello", arrayProperties: { size: 3 },
  })).jobId;
  await pollUntil(async () => {
    const states = await Promise.all([ids.ok, ids.failed, ids.array].map(async (id) => (await describeJob(server, id)).status));
    return states.every((s) => s === "SUCCEEDED" || s === "FAILED");
  }, "the jobs have ended");
  await api(server, "POST", "/api/v1/schedules", {
    name: "hourly-report", expression: "17 * * * *", timezone: "America/New_York",
    submit_job: { jobName: "report", jobQueue: "default", jobDefinition: "hello" },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the overview shows jobs by state, queues, failures, upcoming fires and throughput", async () => {
  const page = await openPage(browser);
  await page.goto(server.url + "/");
  assert.equal(new URL(page.url()).pathname, "/ui/");
  await page.waitForSelector('[data-testid="overview"]');
  const failed = Number((await page.textContent('[data-testid="count-FAILED"] .tile-number')).replace(/,/g, ""));
  assert.ok(failed >= 1, `failed count ${failed}`);
  const succeeded = Number((await page.textContent('[data-testid="count-SUCCEEDED"] .tile-number')).replace(/,/g, ""));
  assert.ok(succeeded >= 2, `succeeded count ${succeeded}`);
  await page.waitForSelector(`a[href="/ui/jobs/${ids.failed}"]`);
  await page.waitForSelector('a[href="/ui/schedules/default/hourly-report"]');
  await page.waitForSelector('a[href="/ui/schedules/pipelines/nightly-etl"]');
  assert.ok((await page.locator(".chart rect.state-SUCCEEDED").count()) >= 1);
  assert.match(await page.textContent("main"), /default/);
  await screenshot(page, "overview");
  assert.deepEqual(page.errors, []);
});

test("the pipelines list shows the last runs as squares and the next fire", async () => {
  const page = await openPage(browser);
  await page.goto(server.url + "/ui/pipelines");
  const row = page.locator('tr[data-pipeline="nightly-etl"]');
  await row.waitFor();
  assert.equal(await row.locator(".dot.state-SUCCEEDED").count(), 2);
  assert.match(await row.textContent(), /0 2 \* \* \*/);
  assert.match(await row.textContent(), /in \d/);
  await screenshot(page, "pipelines");
});

test("the pipeline page draws the DAG, the runs x steps grid and a duration trend", async () => {
  const page = await openPage(browser);
  await page.goto(server.url + "/ui/pipelines/nightly-etl");
  for (const step of ["analyzer", "aggregator", "report", "deployer"]) {
    await page.waitForSelector(`.graph [data-step="${step}"][data-state="SUCCEEDED"]`);
  }
  assert.equal(await page.locator(".graph path.edge").count(), 4);
  assert.equal(await page.locator('[data-testid="run-grid"] tbody a.cell.state-SUCCEEDED').count(), 8);
  assert.equal(await page.locator(".chart circle.trend-dot").count(), 2);
  await screenshot(page, "pipeline");
  const dark = await openPage(browser, { colorScheme: "dark" });
  await dark.goto(server.url + "/ui/pipelines/nightly-etl");
  await dark.waitForSelector('.graph [data-step="deployer"][data-state="SUCCEEDED"]');
  const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, "rgb(15, 20, 25)");
  await screenshot(dark, "pipeline-dark");
});

test("the run page shows the graph, a Gantt timeline and each step's log", async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/ui/runs/${ids.run}?step=analyzer`);
  await page.waitForSelector('[data-testid="run"][data-run-state="SUCCEEDED"]');
  assert.equal(await page.locator(".gantt rect.span-run").count(), 4);
  await page.waitForSelector('.log-line:has-text("rows=42")');
  await page.click('[data-step="deployer"]');
  await page.waitForSelector('.log-line:has-text("deploying")');
  await screenshot(page, "run");
  assert.deepEqual(page.errors, []);
});

test("the jobs list filters by state and name, and a job page explains it", async () => {
  const page = await openPage(browser);
  await page.goto(server.url + "/ui/jobs?queue=default");
  await page.waitForSelector(`[data-job-id="${ids.failed}"]`);
  await page.waitForSelector(`[data-job-id="${ids.ok}"]`);
  await screenshot(page, "jobs");
  await page.selectOption('[data-testid="filter-state"]', "FAILED");
  await page.waitForSelector(`[data-job-id="${ids.ok}"]`, { state: "detached" });
  await page.waitForSelector(`[data-job-id="${ids.failed}"]`);
  await page.selectOption('[data-testid="filter-state"]', "");
  await page.waitForSelector(`[data-job-id="${ids.ok}"]`);  // the list of every state is back
  await page.fill('[data-testid="filter-name"]', "hello*");
  await page.press('[data-testid="filter-name"]', "Enter");
  await page.waitForSelector(`[data-job-id="${ids.failed}"]`, { state: "detached" });
  await page.waitForSelector(`[data-job-id="${ids.ok}"]`);

  // Sorting by name: descending, then ascending (the rows' order follows).
  await page.goto(server.url + "/ui/jobs?queue=default");
  await page.waitForSelector(`[data-job-id="${ids.failed}"]`);
  const names = async () => page.$$eval('.jobs-row:not(.jobs-header) [role="cell"]:first-child a', (as) => as.map((a) => a.textContent));
  await page.click('[data-testid="sort-name"]');
  await page.waitForSelector('[role="columnheader"][aria-sort="descending"]');
  const descending = await names();
  assert.deepEqual(descending, [...descending].sort().reverse());
  await page.click('[data-testid="sort-name"]');
  await page.waitForSelector('[role="columnheader"][aria-sort="ascending"]');
  const ascending = await names();
  assert.deepEqual(ascending, [...descending].reverse());
  assert.ok(ascending.length >= 3, `rows: ${ascending}`);

  await page.goto(`${server.url}/ui/jobs/${ids.failed}`);
  await page.waitForSelector('[data-testid="job"][data-job-state="FAILED"]');
  assert.equal((await page.textContent('[data-testid="exit-1"]')).trim(), "3");
  assert.match(await page.textContent('[data-testid="why"]'), /exit|3/i);
  await page.waitForSelector('.log-line:has-text("failing")');
  await screenshot(page, "job");

  await page.goto(`${server.url}/ui/jobs/${ids.array}`);
  await page.waitForSelector('h2:has-text("Array children (3)")');
  await page.waitForSelector(`a[href="/ui/jobs/${encodeURIComponent(ids.array + ":2")}"]`);
});

test("the schedules pages show next fires in both zones", async () => {
  const page = await openPage(browser);
  await page.goto(server.url + "/ui/schedules");
  await page.waitForSelector('tr[data-schedule="hourly-report"]');
  await page.waitForSelector('tr[data-schedule="nightly-etl"]');
  await screenshot(page, "schedules");
  await page.click('a:has-text("hourly-report")');
  await page.waitForSelector('[data-testid="next-fires"] tbody tr');
  const first = await page.textContent('[data-testid="next-fires"] tbody tr td');
  assert.match(first, /:17:00/);
  assert.match(await page.textContent('[data-testid="next-fires"] thead'), /America\/New_York/);
});

test("the queues page shows queues and compute environments with capacity", async () => {
  const page = await openPage(browser);
  await page.goto(server.url + "/ui/queues");
  await page.waitForSelector('tr[data-queue="default"] [role="meter"]');
  await page.waitForSelector('tr[data-ce="default"] [role="meter"]');
  await screenshot(page, "queues");
});

// A raw request, so that nothing normalizes the path before the server sees it.
function rawGet(url, path) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    });
    let data = "";
    socket.on("data", (d) => (data += d));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
  });
}

test("the server serves the UI's files with types and caching, client routes, and nothing outside", async () => {
  const index = await fetch(server.url + "/ui/");
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-type"), /text\/html/);
  assert.equal(index.headers.get("cache-control"), "no-cache");
  const html = await index.text();
  const script = html.match(/src="(\/ui\/assets\/[^"]+\.js)"/)[1];
  const js = await fetch(server.url + script);
  assert.match(js.headers.get("content-type"), /text\/javascript/);
  assert.match(js.headers.get("cache-control"), /immutable/);
  const route = await fetch(server.url + "/ui/pipelines/nightly-etl");
  assert.equal(route.status, 200);
  assert.equal(await route.text(), html);
  assert.equal((await fetch(server.url + "/ui/assets/nope-123.js")).status, 404);
  writeFileSync(join(server.dir, "secret.txt"), "top secret");
  for (const path of ["/ui/../../secret.txt", "/ui/..%2f..%2fsecret.txt", "/ui/%2e%2e/%2e%2e/secret.txt", "/ui/../../../../etc/passwd"]) {
    const answer = await rawGet(server.url, path);
    assert.doesNotMatch(answer, /top secret|root:/, path);
    assert.match(answer, /^HTTP\/1\.1 404/, path);
  }
  // The API is not shadowed by the UI.
  assert.equal((await fetch(server.url + "/api/v1/pipelines")).status, 200);
  assert.equal((await fetch(server.url + "/api/v1/nope")).status, 404);
});
