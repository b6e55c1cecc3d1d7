// End-to-end test harness: a real `nightshift server` (from the build dir) serving the built UI,
// its API, and Debian's chromium driven by playwright-core. Nothing here sleeps to wait for
// something: it waits for a log line, a selector, or polls with a deadline.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const BUILD_DIR = resolve(process.env.NIGHTSHIFT_BUILD_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "../../build"));
export const BINARY = join(BUILD_DIR, "nightshift");
export const UI_DIR = process.env.NIGHTSHIFT_UI_DIR ?? join(BUILD_DIR, "ui");
export const SHOTS = join(BUILD_DIR, "ui-screenshots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function checkPrerequisites() {
  for (const [path, what] of [
    [BINARY, "the nightshift binary (scripts/build.sh)"],
    [join(UI_DIR, "index.html"), "the built web UI (scripts/build.sh copies web/dist there)"],
    [CHROMIUM, "Debian's chromium (scripts/install-deps.sh installs it)"],
  ]) {
    if (!existsSync(path)) throw new Error(`missing ${what}: ${path}`);
  }
}

// Starts a server on an ephemeral port; resolves once it reports its port (and, with auth, the
// first admin token it prints).
export async function startServer({ auth = false, extraArgs = [] } = {}) {
  checkPrerequisites();
  const dir = mkdtempSync(join(tmpdir(), "nightshift-ui-"));
  const args = ["server", "--listen", "127.0.0.1:0", "--data-dir", join(dir, "data"), "--ui-dir", UI_DIR];
  if (auth) args.push("--auth");
  if (process.getuid?.() === 0) args.push("--allow-root-jobs");
  args.push(...extraArgs);
  const proc = spawn(BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const server = await new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start in 20 s:\n" + log)), 20_000);
    let port = null;
    let token = null;
    const check = () => {
      if (port && (!auth || token)) {
        clearTimeout(timer);
        resolveStart({ url: `http://127.0.0.1:${port}`, adminToken: token });
      }
    };
    const onData = (chunk) => {
      log += chunk.toString();
      port ??= log.match(/listening on https?:\/\/\S+:(\d+) /)?.[1] ?? null;
      token ??= log.match(/NIGHTSHIFT_TOKEN=(nst_\S+)/)?.[1] ?? null;
      check();
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.on("exit", (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
  return {
    ...server,
    dir,
    log: () => log,
    token: server.adminToken,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// One API call; throws with the server's message on an error status.
export async function api(server, method, path, body, token = server.token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return data;
}

export async function pollUntil(check, what, deadlineMs = 30_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function applyPipeline(server, source, baseDir) {
  return api(server, "POST", "/api/v1/pipelines", { source, base_dir: baseDir });
}

export async function waitForRun(server, id, states = ["SUCCEEDED", "FAILED", "CANCELLED"], deadlineMs = 30_000) {
  return pollUntil(async () => {
    const run = await api(server, "GET", `/api/v1/runs/${encodeURIComponent(id)}`);
    return states.includes(run.state) ? run : null;
  }, `run ${id} is ${states.join(" or ")}`, deadlineMs);
}

export async function describeJob(server, id) {
  return (await api(server, "POST", "/v1/describejobs", { jobs: [id] })).jobs[0];
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// A page of a fresh browser context (its own session storage), failing the test on any error
// the page itself reports.
export async function openPage(browser, { colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !/401|403|Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// A directory for pipeline files and the gate files their steps wait for.
export function scratchDir() {
  return mkdtempSync(join(tmpdir(), "nightshift-ui-work-"));
}
