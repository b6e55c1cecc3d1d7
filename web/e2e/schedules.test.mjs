// A schedule paused in the UI stops firing: its fire comes due while an unpaused twin fires, and
// is recorded as skipped, with the pause's note as the reason, once it is resumed (as the fire
// planner records paused fires). Resumed and run now from the UI, it fires.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { api, launchBrowser, openPage, pollUntil, screenshot, startServer } from "./harness.mjs";

let server, browser;

// An at() expression `seconds` from now (UTC, whole seconds), and that instant in epoch ms.
function atIn(seconds) {
  const t = new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000);
  return { expression: `at(${t.toISOString().slice(0, 19)})`, ms: t.getTime() };
}

async function fires(name) {
  return (await api(server, "GET", `/api/v1/schedules/${name}/fires`)).fires;
}

before(async () => {
  server = await startServer();
  await api(server, "POST", "/v1/registerjobdefinition", {
    jobDefinitionName: "tick", type: "container", containerProperties: { command: ["true"] },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a schedule paused in the UI stops firing; resumed and run now, it fires", async () => {
  // Time to open the page and pause before the fire comes due: 6 s was too short once, on a
  // machine busy with the other suites.
  const due = atIn(15);
  for (const name of ["paused-one", "control"]) {
    await api(server, "POST", "/api/v1/schedules", {
      name, expression: due.expression, timezone: "UTC",
      submit_job: { jobName: name, jobQueue: "default", jobDefinition: "tick" },
    });
  }
  const page = await openPage(browser);
  await page.goto(server.url + "/ui/schedules/default/paused-one");
  await page.waitForSelector('[data-testid="schedule"][data-schedule-state="ENABLED"]');
  await page.fill(".note input", "maintenance window");
  await page.click('[data-testid="pause"]');
  await page.waitForSelector('[data-testid="schedule"][data-schedule-state="DISABLED"]');
  const paused = await api(server, "GET", "/api/v1/schedules/paused-one");
  assert.equal(paused.state, "DISABLED");
  assert.match(paused.note, /maintenance window/);
  assert.ok(Date.now() < due.ms, "the schedule was paused before its fire came due");

  // The twin fires at the due time; the paused one does not.
  await pollUntil(async () => (await fires("control")).some((f) => f.outcome === "started"), "the control schedule fired");
  assert.equal((await fires("paused-one")).filter((f) => f.outcome === "started").length, 0, "a paused schedule did not fire");

  // Resumed, the fire that came due while paused is recorded as skipped, with the reason.
  await page.click('[data-testid="resume"]');
  await page.waitForSelector('[data-testid="schedule"][data-schedule-state="ENABLED"]');
  const skipped = await pollUntil(
    async () => (await fires("paused-one")).find((f) => f.outcome === "skipped"),
    "the paused schedule's fire is recorded as skipped",
  );
  assert.match(skipped.reason, /paused \(maintenance window\)/);
  assert.equal((await fires("paused-one")).filter((f) => f.outcome === "started").length, 0, "resuming did not fire it late");
  await page.waitForSelector('[data-testid="fires"] tr[data-outcome="skipped"]');
  assert.match(await page.textContent('[data-testid="fires"] tr[data-outcome="skipped"]'), /maintenance window/);
  await screenshot(page, "schedule");

  await page.click('[data-testid="trigger"]');
  await pollUntil(async () => (await fires("paused-one")).some((f) => f.outcome === "started" && f.trigger === "manual"), "run now fired");
  await page.waitForSelector('[data-testid="fires"] tr[data-outcome="started"]');
  assert.deepEqual(page.errors, []);
});
