// A running pipeline's graph changes colour as its steps finish, live from the event stream
// (no reload), and the run page follows a running step's log.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { api, applyPipeline, launchBrowser, openPage, screenshot, scratchDir, startServer, waitForRun } from "./harness.mjs";

let server, browser, work;

// Each gated step runs until the test creates its gate file.
const PIPELINE = `
name: gated
steps:
  first: {command: "echo first-started; while [ ! -e gate-first ]; do sleep 0.05; done; echo first-done"}
  second: {command: "echo second-started; while [ ! -e gate-second ]; do sleep 0.05; done; echo second-done", depends_on: [first]}
  third: {command: "echo third", depends_on: [second]}
`;

before(async () => {
  work = scratchDir();
  server = await startServer();
  await applyPipeline(server, PIPELINE, work);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const fillOf = (page, step) =>
  page.evaluate((s) => getComputedStyle(document.querySelector(`.graph [data-step="${s}"] rect`)).fill, step);

test("the graph's boxes change colour as the steps finish, without a reload", async () => {
  const run = await api(server, "POST", "/api/v1/pipelines/gated/runs", {});
  const page = await openPage(browser);
  await page.goto(server.url + "/ui/pipelines/gated");
  await page.waitForSelector('.graph [data-step="first"][data-state="RUNNING"]');
  await page.waitForSelector('.graph [data-step="second"][data-state="PENDING"]');
  await page.evaluate(() => (window.__notReloaded = true));
  const runningFill = await fillOf(page, "first");
  const pendingFill = await fillOf(page, "second");
  await screenshot(page, "live-1-first-running");

  writeFileSync(join(work, "gate-first"), "");
  await page.waitForSelector('.graph [data-step="first"][data-state="SUCCEEDED"]');
  await page.waitForSelector('.graph [data-step="second"][data-state="RUNNING"]');
  assert.notEqual(await fillOf(page, "first"), runningFill, "first changed colour when it succeeded");
  assert.notEqual(await fillOf(page, "second"), pendingFill, "second changed colour when it started");
  assert.equal(await fillOf(page, "second"), runningFill);
  await screenshot(page, "live-2-second-running");

  // The run page follows the running step's log.
  const runPage = await openPage(browser);
  await runPage.goto(`${server.url}/ui/runs/${run.id}?step=second`);
  await runPage.waitForSelector('.log-line:has-text("second-started")');
  await runPage.waitForSelector('[data-testid="log-status"]:has-text("following")');

  writeFileSync(join(work, "gate-second"), "");
  await page.waitForSelector('.graph [data-step="third"][data-state="SUCCEEDED"]');
  await page.waitForSelector('.graph [data-step="second"][data-state="SUCCEEDED"]');
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was updated in place");
  await runPage.waitForSelector('.log-line:has-text("second-done")');
  await runPage.waitForSelector('[data-testid="run"][data-run-state="SUCCEEDED"]');
  assert.equal((await waitForRun(server, run.id)).state, "SUCCEEDED");
  await screenshot(page, "live-3-done");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(runPage.errors, []);
});
