// With access control on, the UI asks for an API token, refuses a wrong one, and shows a
// viewer no actions; an operator gets them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { api, applyPipeline, launchBrowser, openPage, screenshot, scratchDir, startServer, waitForRun } from "./harness.mjs";

let server, browser, runId;
const tokens = {};

before(async () => {
  server = await startServer({ auth: true });
  for (const role of ["viewer", "operator"]) {
    tokens[role] = (await api(server, "POST", "/api/v1/tokens", { role, name: `ui-${role}` })).token;
  }
  await applyPipeline(server, 'name: failing\nschedule: {expression: "0 3 * * *"}\nsteps:\n  only: {command: "exit 2"}\n', scratchDir());
  runId = (await api(server, "POST", "/api/v1/pipelines/failing/runs", {})).id;
  assert.equal((await waitForRun(server, runId)).state, "FAILED");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function logIn(page, token) {
  await page.goto(server.url + "/ui/");
  await page.waitForSelector('[data-testid="login"]');
  await page.fill('[data-testid="token"]', token);
  await page.click('button[type="submit"]');
}

test("a wrong token is refused and a viewer sees no actions", async () => {
  const page = await openPage(browser);
  await logIn(page, "nst_0000000000000000_wrong");
  await page.waitForSelector('[data-testid="login"] [role="alert"]');
  await screenshot(page, "login");
  await page.fill('[data-testid="token"]', tokens.viewer);
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-testid="overview"]');
  assert.match(await page.textContent('[data-testid="who"]'), /viewer/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("nightshift.token")), tokens.viewer);

  await page.goto(`${server.url}/ui/runs/${runId}`);
  await page.waitForSelector('[data-testid="run"][data-run-state="FAILED"]');
  assert.equal(await page.locator('[data-testid="rerun"]').count(), 0);
  await page.goto(server.url + "/ui/pipelines/failing");
  await page.waitForSelector('.graph [data-step="only"]');
  assert.equal(await page.locator('[data-testid="start-run"]').count(), 0);
  await page.goto(server.url + "/ui/schedules/pipelines/failing");
  await page.waitForSelector('[data-testid="schedule"]');
  assert.equal(await page.locator('[data-testid="pause"]').count(), 0);
  assert.equal(await page.locator('[data-testid="trigger"]').count(), 0);
});

test("an operator sees the actions, and they work with the token", async () => {
  const page = await openPage(browser);
  await logIn(page, tokens.operator);
  await page.waitForSelector('[data-testid="overview"]');
  await page.goto(server.url + "/ui/schedules/pipelines/failing");
  await page.click('[data-testid="pause"]');
  await page.waitForSelector('[data-testid="schedule"][data-schedule-state="DISABLED"]');
  assert.equal((await api(server, "GET", "/api/v1/schedules/failing?group=pipelines")).state, "DISABLED");
  await page.goto(`${server.url}/ui/runs/${runId}`);
  await page.waitForSelector('[data-testid="rerun"]');
  assert.deepEqual(page.errors, []);
});

test("without a token the API refuses, and the UI's files stay open", async () => {
  assert.equal((await fetch(server.url + "/api/v1/overview")).status, 401);
  assert.equal((await fetch(server.url + "/ui/")).status, 200);
  const who = await api(server, "GET", "/api/v1/whoami", undefined, tokens.viewer);
  assert.deepEqual([who.authentication, who.role, who.kind], [true, "viewer", "token"]);
});
