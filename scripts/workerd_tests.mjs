// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
//
// The Cloudflare Workers run of `npm test`: bundles mod.ts with esbuild, serves
// tests/workerd/worker.mjs with the standalone `workerd` binary (npm package
// `workerd`, whose platform package carries the binary, so no postinstall is
// needed) once per compatibility date, fetches /run from each, and prints
// every check and the lines
//
//   workerd (DATE): N passed, N failed     (one per compatibility date)
//   workerd: N passed, N failed, 0 skipped (all of them)
//
// Exits non-zero if a check fails, if no check ran, or if workerd does not
// start or answer. workerd is killed in every case (finally, signals, and a
// guard timer shorter than run_tests.mjs's outer timeout).
//
// Usage: node scripts/workerd_tests.mjs [--verbose]   (--verbose prints workerd's log)

import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const sourceDir = join(root, "tests", "workerd");
const workDir = join(root, ".tmp", "workerd");
const verbose = process.argv.includes("--verbose");

/**
 * The compatibility dates, each with the platform semantics it is meant to
 * cover (the worker's "platform" check fails if the date no longer has them):
 * - abortThrows: `abort()` rethrows a listener's error to its caller and skips
 *   the remaining listeners (before 2026-09-15, when the compat flag
 *   `spec_compliant_dispatch_exceptions` becomes the default);
 * - weakRef: `WeakRef` is defined (not at 2024 dates);
 * - nativeReason: how `scheduler.wait`/`fetch` reject after `abort(reason)`:
 *   "rewrapped" (a new Error whose message is String(reason)) or "cloned"
 *   (from 2026-04-21, the compat flag `enhanced_error_serialization`).
 */
const DATES = [
  {
    date: "2024-01-01",
    abortThrows: true,
    weakRef: false,
    nativeReason: "rewrapped",
  },
  {
    date: "2026-05-01",
    abortThrows: true,
    weakRef: true,
    nativeReason: "cloned",
  },
  {
    date: "2026-11-01",
    abortThrows: false,
    weakRef: true,
    nativeReason: "cloned",
  },
];
const MODULES = [
  "worker.mjs",
  "probe_start.mjs",
  "probe_end.mjs",
  "await_using.mjs",
  // Shared with the Chromium checks (tests/browser/ loads them from here).
  "_check.mjs",
  "_common_checks.mjs",
];
/** Kill everything after this long: before run_tests.mjs's outer limit kills us. */
const GUARD_MS = Math.min(
  Number(process.env.WORKERD_TEST_TIMEOUT_MS ?? 120_000),
  Number(process.env.TEST_TIMEOUT_MS ?? 180_000) - 10_000,
);
const READY_MS = 30_000;
const REQUEST_MS = 60_000;

let workerd;
let log = "";

function killWorkerd() {
  if (workerd && workerd.exitCode === null && workerd.signalCode === null) {
    workerd.kill("SIGKILL");
  }
}

process.on("exit", killWorkerd);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    killWorkerd();
    console.log(`workerd: 0 passed, 0 failed  (interrupted by ${signal})`);
    process.exit(1);
  });
}
const guard = setTimeout(() => {
  killWorkerd();
  if (log) console.log(`--- workerd log\n${log}`);
  console.log(`workerd: 0 passed, 0 failed  (gave up after ${GUARD_MS} ms)`);
  process.exit(1);
}, GUARD_MS);

/** The workerd binary of the installed `workerd` package (its lib resolves the platform package). */
function workerdBinary() {
  try {
    return require("workerd").default;
  } catch (error) {
    throw new Error(
      `the workerd package is missing or broken (run npm install): ${error.message}`,
    );
  }
}

/** Writes the bundle, the worker modules and the capnp config into .tmp/workerd/. */
async function prepare() {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const esbuild = require("esbuild");
  await esbuild.build({
    entryPoints: [join(root, "mod.ts")],
    outfile: join(workDir, "goroutine-manager.mjs"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022", // what build_npm.ts ships
    logLevel: "error",
  });
  for (const name of MODULES) {
    copyFileSync(join(sourceDir, name), join(workDir, name));
  }
  const modules = [
    ...MODULES.map((name) => `(name = "${name}", esModule = embed "${name}")`),
    `(name = "goroutine-manager", esModule = embed "goroutine-manager.mjs")`,
  ].join(",\n        ");
  const services = DATES.map(({ date, ...expect }) => {
    const name = serviceName(date);
    return `(name = "${name}", worker = (
      modules = [
        ${modules}
      ],
      compatibilityDate = "${date}",
      bindings = [
        (name = "DATE", text = "${date}"),
        (name = "EXPECT", text = ${JSON.stringify(JSON.stringify(expect))}),
        (name = "SELF", service = "${name}"),
      ],
    ))`;
  });
  const sockets = DATES.map(({ date }) =>
    `(name = "${
      serviceName(date)
    }", address = "127.0.0.1:0", http = (), service = "${serviceName(date)}")`
  );
  writeFileSync(
    join(workDir, "config.capnp"),
    `# Generated by scripts/workerd_tests.mjs.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ${services.join(",\n    ")}
  ],
  sockets = [
    ${sockets.join(",\n    ")}
  ],
);
`,
  );
}

function serviceName(date) {
  return `d${date.replaceAll("-", "")}`;
}

/** Starts workerd on ephemeral ports; resolves with { service: port } once every socket listens. */
function start(binary) {
  return new Promise((resolve, reject) => {
    workerd = spawn(binary, ["serve", "config.capnp", "--control-fd=3"], {
      cwd: workDir,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    const ports = {};
    let control = "";
    const timer = setTimeout(
      () => reject(new Error(`workerd did not listen within ${READY_MS} ms`)),
      READY_MS,
    );
    const done = (error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(ports);
    };
    workerd.stdout.on("data", (chunk) => log += chunk);
    workerd.stderr.on("data", (chunk) => log += chunk);
    workerd.stdio[3].on("data", (chunk) => {
      control += chunk;
      const lines = control.split("\n");
      control = lines.pop();
      for (const line of lines) {
        try {
          const message = JSON.parse(line);
          if (message.event === "listen") ports[message.socket] = message.port;
        } catch {
          // not a control message
        }
      }
      if (DATES.every(({ date }) => ports[serviceName(date)])) done();
    });
    workerd.on(
      "error",
      (error) => done(new Error(`workerd could not start: ${error.message}`)),
    );
    workerd.on(
      "exit",
      (code, signal) =>
        done(
          new Error(
            `workerd exited (${signal ?? `code ${code}`}) before listening`,
          ),
        ),
    );
  });
}

async function runDate({ date }, port) {
  const response = await fetch(`http://127.0.0.1:${port}/run`, {
    signal: AbortSignal.timeout(REQUEST_MS),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`/run answered ${response.status}: ${text.slice(0, 2000)}`);
  }
  const { date: served, results } = JSON.parse(text);
  if (served !== date) {
    throw new Error(`/run answered for ${served}, not ${date}`);
  }
  return results;
}

async function main() {
  let passed = 0;
  let failed = 0;
  let problem;
  try {
    const binary = workerdBinary();
    await prepare();
    const ports = await start(binary);
    for (const entry of DATES) {
      const label = `workerd (${entry.date})`;
      let results = [];
      try {
        results = await runDate(entry, ports[serviceName(entry.date)]);
      } catch (error) {
        problem = `${label}: ${error.message}`;
      }
      let datePassed = 0;
      let dateFailed = 0;
      console.log(`\n${label}`);
      for (const { name, ok, detail, message } of results) {
        if (ok) datePassed++;
        else dateFailed++;
        const note = ok ? (detail ? `: ${detail}` : "") : `\n       ${message}`;
        console.log(`  ${ok ? "ok  " : "FAIL"} ${name}${note}`);
      }
      if (results.length === 0) dateFailed++;
      console.log(`${label}: ${datePassed} passed, ${dateFailed} failed`);
      passed += datePassed;
      failed += dateFailed;
    }
  } catch (error) {
    problem = error.message;
    failed++;
  } finally {
    killWorkerd();
    clearTimeout(guard);
  }
  if (problem) console.log(`\nproblem: ${problem}`);
  if (log && (verbose || problem || failed)) {
    console.log(`--- workerd log\n${log.trimEnd()}\n---`);
  }
  console.log(`workerd: ${passed} passed, ${failed} failed, 0 skipped`);
  process.exitCode = failed === 0 && passed > 0 && !problem ? 0 : 1;
}

await main();
