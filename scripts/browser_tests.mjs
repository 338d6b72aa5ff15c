// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
//
// The Chromium run of `npm test`: bundles the BUILT npm package (the one
// build_npm.ts installed into .tmp/built/node_modules/goroutine-manager) with
// esbuild, serves it and tests/browser/ from a node:http server on 127.0.0.1
// (an ephemeral port; nothing leaves the machine), launches the headless
// Chromium of `@sparticuz/chromium` with `puppeteer-core`, and runs:
//
// - tests/browser/index.html: the behaviour checks in a page (checks.mjs),
//   including a manager in a dedicated module Worker stopped through
//   postMessage;
// - tests/browser/lifecycle.html: `visibilitychange` (hidden) and `pagehide`
//   stopping a manager, driven by the real page lifecycle (a freeze through the
//   DevTools protocol; a navigation away, reported through sendBeacon);
// - on every page: no `pageerror`, no console error, no uncaught error or
//   unhandled rejection reported on its global scope.
//
// Prints every check and the line
//
//   chromium: N passed, N failed, N skipped
//
// Exits non-zero if a check fails, if no check ran, or if Chromium cannot
// start (the message says why: a sandbox, a missing shared library, ...).
// Chromium and the server are closed in every case (finally, signals, and a
// guard timer shorter than run_tests.mjs's outer timeout).
//
// Usage: node scripts/browser_tests.mjs [--verbose]   (after `npm run build`)

import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const BUILT_DIR = join(root, ".tmp", "built");
const PACKAGE_DIR = join(BUILT_DIR, "node_modules", "goroutine-manager");
const verbose = process.argv.includes("--verbose");

/** The flags Chromium runs with: headless, no sandbox (root), nothing that calls out. */
const CHROMIUM_ARGS = [
  "--no-sandbox", // the setuid/namespace sandbox is unavailable as root and in most containers
  "--no-zygote",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-quic",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--metrics-recording-only",
  "--no-pings",
];
/** Kill everything after this long: before run_tests.mjs's outer limit kills us. */
const GUARD_MS = Math.min(
  Number(process.env.BROWSER_TEST_TIMEOUT_MS ?? 120_000),
  Number(process.env.TEST_TIMEOUT_MS ?? 180_000) - 10_000,
);
const LAUNCH_MS = 60_000;
const CHECKS_MS = 60_000;
const BEACON_MS = 5_000;

let browser;
let server;

function killBrowser() {
  const child = browser?.process();
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
  }
}

process.on("exit", killBrowser);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    killBrowser();
    console.log(
      `chromium: 0 passed, 1 failed, 0 skipped  (interrupted by ${signal})`,
    );
    process.exit(1);
  });
}
const guard = setTimeout(() => {
  killBrowser();
  console.log(
    `chromium: 0 passed, 1 failed, 0 skipped  (gave up after ${GUARD_MS} ms)`,
  );
  process.exit(1);
}, GUARD_MS);

/** The built package as one ES module, bundled as a browser app would bundle it. */
async function bundleBuiltPackage() {
  if (!existsSync(join(PACKAGE_DIR, "package.json"))) {
    throw new Error(
      `the built package is missing (${PACKAGE_DIR}): run \`npm run build\` first (npm test builds it)`,
    );
  }
  const esbuild = require("esbuild");
  const { outputFiles } = await esbuild.build({
    stdin: {
      contents: 'export * from "goroutine-manager";',
      resolveDir: BUILT_DIR, // resolved through the package's `exports`
      sourcefile: "browser-entry.mjs",
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "error",
  });
  const { version } = JSON.parse(
    readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"),
  );
  return { code: outputFiles[0].text, version };
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
};

/**
 * Serves tests/browser/ at /, the workerd checks' shared modules at
 * /workerd/, the bundle at /goroutine-manager.mjs, and test endpoints:
 * /hang (answers after 2 s), /drip (headers, then a body that never ends
 * before 2 s), POST /beacon (lifecycle reports).
 */
function serve(bundle, beacons) {
  const open = new Set();
  const handler = (request, response) => {
    const url = new URL(request.url, "http://127.0.0.1");
    const send = (status, type, body) => {
      response.writeHead(status, {
        "content-type": type,
        "cache-control": "no-store",
      });
      response.end(body);
    };
    if (url.pathname === "/goroutine-manager.mjs") {
      return send(200, TYPES[".mjs"], bundle);
    }
    if (url.pathname === "/beacon" && request.method === "POST") {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk) => body += chunk);
      request.on("end", () => {
        beacons.push({ moment: url.searchParams.get("moment"), body });
        send(204, "text/plain", "");
      });
      return;
    }
    if (url.pathname === "/hang" || url.pathname === "/drip") {
      const drip = url.pathname === "/drip";
      if (drip) {
        response.writeHead(200, { "content-type": "text/plain" });
        response.write("first chunk\n");
      }
      const timer = setTimeout(() => {
        if (drip) response.end("late\n");
        else send(200, "text/plain", "late\n");
      }, 2000);
      open.add(timer);
      response.on("close", () => {
        clearTimeout(timer);
        open.delete(timer);
      });
      return;
    }
    let file;
    if (url.pathname === "/" || url.pathname === "/index.html") {
      file = join(root, "tests", "browser", "index.html");
    } else if (/^\/workerd\/[\w-]+\.mjs$/.test(url.pathname)) {
      file = join(root, "tests", url.pathname);
    } else if (/^\/[\w-]+\.(?:mjs|html)$/.test(url.pathname)) {
      file = join(root, "tests", "browser", url.pathname);
    }
    if (file && existsSync(file)) {
      return send(200, TYPES[extname(file)], readFileSync(file));
    }
    send(404, "text/plain", `not found: ${url.pathname}`);
  };
  return new Promise((resolve, reject) => {
    const instance = createServer(handler);
    instance.on("error", reject);
    instance.listen(0, "127.0.0.1", () => {
      instance.closeTimers = () => {
        for (const timer of open) clearTimeout(timer);
        open.clear();
      };
      resolve(instance);
    });
  });
}

function closeServer() {
  if (!server) return Promise.resolve();
  server.closeTimers();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Launches @sparticuz/chromium's headless shell, or throws saying why it could not. */
async function launch() {
  let executablePath;
  let puppeteer;
  try {
    const chromium = (await import("@sparticuz/chromium")).default;
    executablePath = await chromium.executablePath();
    puppeteer = (await import("puppeteer-core")).default;
  } catch (error) {
    throw new Error(
      `could not unpack @sparticuz/chromium or load puppeteer-core (run npm install): ${error.message}`,
    );
  }
  try {
    return await puppeteer.launch({
      executablePath,
      headless: "shell", // @sparticuz/chromium ships chrome-headless-shell
      args: CHROMIUM_ARGS,
      timeout: LAUNCH_MS,
      protocolTimeout: CHECKS_MS,
      dumpio: verbose,
    });
  } catch (error) {
    const text = String(error?.message ?? error);
    const library = text.match(
      /error while loading shared libraries: ([^:\s]+)/,
    );
    const why = library
      ? `a shared library is missing on this machine: ${
        library[1]
      } (install the OS package that provides it)`
      : /sandbox|namespace|setuid/i.test(text)
      ? "the sandbox could not start (see the message below)"
      : "see the message below";
    throw new Error(
      `Chromium (${executablePath}) could not start: ${why}\n${text}`,
    );
  }
}

/** Records a page's errors: pageerror, console errors, crashes. */
function watch(page, name, problems) {
  page.on(
    "pageerror",
    (error) => problems.push(`${name}: pageerror: ${error?.message ?? error}`),
  );
  page.on(
    "error",
    (error) =>
      problems.push(`${name}: the page crashed: ${error?.message ?? error}`),
  );
  page.on("console", (message) => {
    if (verbose) {
      console.log(`  [${name} console.${message.type()}] ${message.text()}`);
    }
    if (message.type() === "error") {
      problems.push(`${name}: console.error: ${message.text()}`);
    }
  });
}

/** The `report` of lifecycle.html as a check result. */
function lifecycleResult(name, report, expectEvent) {
  const problems = [];
  if (!report) {
    return { name, ok: false, message: "no report from the page" };
  }
  if (!report.events.some((event) => event.startsWith(expectEvent))) {
    problems.push(
      `no ${expectEvent} event (events: ${report.events.join(", ")})`,
    );
  }
  if (report.aborted !== true) problems.push("the manager was not stopped");
  if (report.reasonIsOwn !== true) {
    problems.push("the stop reason is not the manager's own");
  }
  if (report.errors.length) {
    problems.push(`collected errors: ${JSON.stringify(report.errors)}`);
  }
  if (report.state.foreground !== "stopped") {
    problems.push("the foreground task did not stop");
  }
  if (report.state.background !== "stopped") {
    problems.push("the background task did not stop");
  }
  if (report.pending !== 0) problems.push(`pending is ${report.pending}`);
  if (report.reported.length) {
    problems.push(`reported on the page: ${report.reported.join("; ")}`);
  }
  return problems.length
    ? { name, ok: false, message: problems.join("; ") }
    : { name, ok: true, detail: `events: ${report.events.join(", ")}` };
}

/** `visibilitychange` to hidden, from a real freeze of the page. */
const VISIBILITY =
  "visibilitychange (hidden) stops the manager: Page.setWebLifecycleState frozen, then active";
async function visibilityCheck(page, base) {
  const name = VISIBILITY;
  await page.goto(`${base}/lifecycle.html?mode=visibility`, {
    waitUntil: "load",
  });
  await page.waitForFunction(() => globalThis.lifecycle?.mode === "visibility");
  const visible = await page.evaluate(() => document.visibilityState);
  const cdp = await page.createCDPSession();
  try {
    await cdp.send("Page.setWebLifecycleState", { state: "frozen" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await cdp.send("Page.setWebLifecycleState", { state: "active" });
  } finally {
    await cdp.detach().catch(() => {});
  }
  const report = await page.evaluate(() => globalThis.lifecycle.report());
  const result = lifecycleResult(name, report, "visibilitychange");
  if (result.ok) result.detail = `before: ${visible}; ${result.detail}`;
  return result;
}

/** `pagehide`, from a real navigation away; the page reports through sendBeacon. */
const PAGEHIDE =
  "pagehide stops the manager: a navigation away, reported through sendBeacon";
async function pagehideCheck(page, base, beacons) {
  const name = PAGEHIDE;
  beacons.length = 0;
  await page.goto(`${base}/lifecycle.html?mode=pagehide`, {
    waitUntil: "load",
  });
  await page.waitForFunction(() => globalThis.lifecycle?.mode === "pagehide");
  await page.goto(`${base}/index.html?after-pagehide`, { waitUntil: "load" });
  const deadline = Date.now() + BEACON_MS;
  while (beacons.length < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const byMoment = Object.fromEntries(
    beacons.map(({ moment, body }) => [moment, JSON.parse(body)]),
  );
  const sync = byMoment.sync;
  if (!sync) {
    return {
      name,
      ok: false,
      message: `no beacon from pagehide (got ${beacons.length})`,
    };
  }
  if (sync.aborted !== true || sync.reasonIsOwn !== true) {
    return {
      name,
      ok: false,
      message: `not stopped synchronously in pagehide: ${JSON.stringify(sync)}`,
    };
  }
  const result = lifecycleResult(name, byMoment.waited, "pagehide");
  if (!byMoment.waited) {
    result.message = "the beacon sent after wait() never arrived";
  }
  return result;
}

function print(results) {
  for (const { name, ok, ms, skipped, detail, message } of results) {
    const mark = skipped ? "skip" : ok ? "ok  " : "FAIL";
    const time = ms === undefined ? "" : ` (${ms} ms)`;
    const note = ok ? (detail ? `: ${detail}` : "") : `\n       ${message}`;
    console.log(`  ${mark} ${name}${time}${note}`);
  }
}

async function main() {
  const started = Date.now();
  const results = [];
  let problem;
  const problems = [];
  const beacons = [];
  try {
    const { code, version } = await bundleBuiltPackage();
    server = await serve(code, beacons);
    const base = `http://127.0.0.1:${server.address().port}`;
    browser = await launch();
    const puppeteerVersion = JSON.parse(
      readFileSync(require.resolve("puppeteer-core/package.json"), "utf8"),
    ).version;
    const chromiumPackage = JSON.parse(
      readFileSync(
        join(root, "node_modules", "@sparticuz", "chromium", "package.json"),
        "utf8",
      ),
    ).version;
    console.log(
      `chromium: ${await browser
        .version()} (@sparticuz/chromium ${chromiumPackage}, puppeteer-core ${puppeteerVersion}), goroutine-manager ${version} (built), launched in ${
        Date.now() - started
      } ms`,
    );

    const page = await browser.newPage();
    watch(page, "index.html", problems);
    await page.goto(`${base}/index.html`, { waitUntil: "load" });
    await page.waitForFunction(() => globalThis.checksReady === true, {
      timeout: 10_000,
    }).catch(() => {
      throw new Error(
        `checks.mjs did not load (${problems.join("; ") || "no page error"})`,
      );
    });
    const checks = await page.evaluate(() => globalThis.runChecks());
    results.push(...checks);
    await page.close();

    const lifecycle = await browser.newPage();
    watch(lifecycle, "lifecycle.html", problems);
    for (
      const [name, run] of [
        [VISIBILITY, visibilityCheck],
        [PAGEHIDE, pagehideCheck],
      ]
    ) {
      const started = performance.now();
      let result;
      try {
        result = await run(lifecycle, base, beacons);
      } catch (error) {
        result = { name, ok: false, message: String(error?.message ?? error) };
      }
      results.push({ ...result, ms: Math.round(performance.now() - started) });
    }
    await lifecycle.close();
    results.push(
      problems.length
        ? {
          name: "no pageerror or console error on any page",
          ok: false,
          message: problems.join("\n       "),
        }
        : { name: "no pageerror or console error on any page", ok: true },
    );
  } catch (error) {
    problem = String(error?.message ?? error);
  } finally {
    try {
      await Promise.race([
        browser?.close(),
        new Promise((resolve) => setTimeout(resolve, 5000)),
      ]);
    } catch {
      // killed below
    }
    killBrowser();
    await closeServer();
    clearTimeout(guard);
  }
  print(results);
  const skipped = results.filter((r) => r.skipped).length;
  const passed = results.filter((r) => r.ok && !r.skipped).length;
  let failed = results.filter((r) => !r.ok).length;
  if (problem) {
    console.log(`\nproblem: ${problem}`);
    failed++;
  }
  console.log(`(the Chromium run took ${Date.now() - started} ms)`);
  console.log(
    `chromium: ${passed} passed, ${failed} failed, ${skipped} skipped`,
  );
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

await main();
