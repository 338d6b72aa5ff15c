// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console no-control-regex
//
// `npm test`: runs the whole suite under every runtime that package.json
// installs (Deno, Bun, Node 22, Node 24), streams each runner's output, and
// ends each run with a line `RUNTIME: N passed, N failed`. Exits non-zero if a
// runtime fails, times out, or runs no test. Runs on the machine's own Node
// (20 or newer): it only spawns the installed runtimes.
//
// Then the package runs of scripts/package_runs.mjs: the same suite against
// the built npm package (node22/node24/bun "(built)", after building it with
// build_npm.ts), the JSDoc examples, and the static gates (CHECKS: deno
// check/lint/fmt/doc --lint, publint, attw, consumer type-checks, size).
//
// Usage: node scripts/run_tests.mjs [label ...]   (default: every run)
//        node scripts/run_tests.mjs --checks      (the static gates only: npm run check)

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { builtRuns, CHECKS, lastMatch } from "./package_runs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (...parts) => join(root, "node_modules", ...parts);

/**
 * Every run: a label, a command, and how to read its counts (from its output
 * and exit code); optionally a `cwd` and a `before` step (async, may throw).
 */
const SOURCE_RUNS = [
  {
    label: "deno",
    command: bin(".bin", "deno"),
    args: ["test", "--allow-all", "--no-prompt", "tests/"],
    counts: (out) => lastMatch(out, /\|\s*(\d+) passed[^|]*\|\s*(\d+) failed/g),
  },
  {
    label: "bun",
    command: bin(".bin", "bun"),
    args: ["test", "./tests/"],
    counts: (out) => {
      const pass = lastMatch(out, /^\s*(\d+) pass\s*$/gm);
      const fail = lastMatch(out, /^\s*(\d+) fail\s*$/gm);
      return pass && fail ? [pass[0], fail[0]] : undefined;
    },
  },
  ...["node22", "node24"].map((label) => ({
    label,
    command: bin(label, "bin", "node"),
    args: ["--test", "--test-reporter=spec", "tests/**/*.test.ts"],
    counts: (out) => {
      const pass = lastMatch(out, /^ℹ pass (\d+)$/gm);
      const fail = lastMatch(out, /^ℹ fail (\d+)$/gm);
      return pass && fail ? [pass[0], fail[0]] : undefined;
    },
  })),
];

/** Cloudflare Workers: tests/workerd/ in the standalone workerd binary, per compat date. */
const WORKERD_RUN = {
  label: "workerd",
  command: process.execPath,
  args: ["scripts/workerd_tests.mjs"],
  counts: (out) => lastMatch(out, /^workerd: (\d+) passed, (\d+) failed/gm),
};

export const RUNS = [
  ...SOURCE_RUNS,
  ...builtRuns(SOURCE_RUNS),
  ...CHECKS,
  WORKERD_RUN,
];

/** The outer limit per run: Node hangs on a leaked timer, which is a bug to see. */
const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? 180_000);

function run({ label, command, args, cwd = root }) {
  return new Promise((resolve) => {
    if (!existsSync(command)) {
      resolve({
        output: "",
        code: 1,
        note: `${command} is missing: run npm install`,
      });
      return;
    }
    // Its own process group, so that a timeout also ends the processes it
    // started (node --test runs each file in a child process).
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const killGroup = () => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    process.once("exit", killGroup);
    let output = "";
    const take = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on("data", take(process.stdout));
    child.stderr.on("data", take(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      process.off("exit", killGroup);
      killGroup(); // anything it left running
      const note = timedOut
        ? `${label} timed out after ${TIMEOUT_MS} ms (a leaked timer or a hung task)`
        : signal
        ? `${label} was killed by ${signal}`
        : undefined;
      resolve({ output, code: code ?? 1, note });
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({
        output,
        code: 1,
        note: `${label} could not start: ${error.message}`,
      });
    });
  });
}

async function main(args) {
  const pool = args[0] === "--checks" ? CHECKS : RUNS;
  const labels = args[0] === "--checks" ? args.slice(1) : args;
  const runs = labels.length
    ? pool.filter((r) => labels.includes(r.label))
    : pool;
  if (runs.length === 0) {
    throw new Error(`No run is named ${labels.join(", ")}`);
  }
  const summary = [];
  let ok = true;
  let totalPassed = 0;
  let totalFailed = 0;
  for (const entry of runs) {
    let prepared;
    try {
      await entry.before?.();
    } catch (error) {
      prepared = `could not prepare: ${error.message}`;
    }
    console.log(
      `\n=== ${entry.label}: ${entry.command} ${entry.args.join(" ")}`,
    );
    const { output, code, note } = prepared
      ? { output: "", code: 1, note: prepared }
      : await run(entry);
    const counts = entry.counts(output.replace(/\x1b\[[0-9;]*m/g, ""), code);
    const [passed, failed] = counts ?? [0, 0];
    const problems = [];
    if (note) problems.push(note);
    if (!counts) problems.push("no test counts in its output");
    else if (passed === 0) problems.push("it ran no test");
    if (code !== 0) problems.push(`exit code ${code}`);
    const line = `${entry.label}: ${passed} passed, ${failed} failed`;
    console.log(line + (problems.length ? `  (${problems.join("; ")})` : ""));
    summary.push(line + (problems.length ? `  <- ${problems.join("; ")}` : ""));
    if (problems.length || failed > 0) ok = false;
    totalPassed += passed;
    totalFailed += failed;
  }
  console.log("\n=== summary");
  for (const line of summary) console.log(line);
  if (!ok) console.log("FAILED: see the runs marked above");
  console.log(`total: ${totalPassed} passed, ${totalFailed} failed`);
  process.exitCode = ok ? 0 : 1;
}

await main(process.argv.slice(2));
