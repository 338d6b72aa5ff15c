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
// check/lint/fmt/doc --lint, publint, attw, consumer type-checks, size); then
// Cloudflare Workers (scripts/workerd_tests.mjs) and Chromium
// (scripts/browser_tests.mjs, against the built package).
//
// Each run ends with ONE line `LABEL: N passed, N failed, N skipped` (the
// runner's own, unless the run printed exactly that line itself), and the
// whole ends with a table of every run (passed, failed, skipped, seconds) and
// `total: N passed, N failed, N skipped` as its very last line.
//
// Usage: node scripts/run_tests.mjs [label ...]   (default: every run)
//        node scripts/run_tests.mjs --checks      (the static gates only: npm run check)

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { builtRuns, CHECKS, lastMatch, prepareBuilt } from "./package_runs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (...parts) => join(root, "node_modules", ...parts);

/**
 * Every run: a label, a command, and how to read its counts (from its output
 * and exit code: `[passed, failed, skipped?]`); optionally a `cwd` and a
 * `before` step (async, may throw).
 */
const SOURCE_RUNS = [
  {
    label: "deno",
    command: bin(".bin", "deno"),
    args: ["test", "--allow-all", "--no-prompt", "tests/"],
    counts: (out) =>
      lastMatch(
        out,
        /\|\s*(\d+) passed[^|\n]*\|\s*(\d+) failed(?:[^|\n]*\|\s*(\d+) ignored)?/g,
      ),
  },
  {
    label: "bun",
    command: bin(".bin", "bun"),
    args: ["test", "./tests/"],
    counts: (out) => {
      const pass = lastMatch(out, /^\s*(\d+) pass\s*$/gm);
      const fail = lastMatch(out, /^\s*(\d+) fail\s*$/gm);
      const skip = lastMatch(out, /^\s*(\d+) skip\s*$/gm)?.[0] ?? 0;
      const todo = lastMatch(out, /^\s*(\d+) todo\s*$/gm)?.[0] ?? 0;
      return pass && fail ? [pass[0], fail[0], skip + todo] : undefined;
    },
  },
  ...["node22", "node24"].map((label) => ({
    label,
    command: bin(label, "bin", "node"),
    args: ["--test", "--test-reporter=spec", "tests/**/*.test.ts"],
    counts: (out) => {
      const pass = lastMatch(out, /^ℹ pass (\d+)$/gm);
      const fail = lastMatch(out, /^ℹ fail (\d+)$/gm);
      const skip = lastMatch(out, /^ℹ skipped (\d+)$/gm)?.[0] ?? 0;
      const todo = lastMatch(out, /^ℹ todo (\d+)$/gm)?.[0] ?? 0;
      return pass && fail ? [pass[0], fail[0], skip + todo] : undefined;
    },
  })),
];

/** Cloudflare Workers: tests/workerd/ in the standalone workerd binary, per compat date. */
const WORKERD_RUN = {
  label: "workerd",
  command: process.execPath,
  args: ["scripts/workerd_tests.mjs"],
  counts: (out) =>
    lastMatch(
      out,
      /^workerd: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/gm,
    ),
};

/**
 * Chromium: tests/browser/ in @sparticuz/chromium's headless shell, driven by
 * puppeteer-core, against the built package (so after the build). On Node 24
 * from node_modules: puppeteer-core and @sparticuz/chromium need Node >= 22.
 */
const CHROMIUM_RUN = {
  label: "chromium",
  command: bin("node24", "bin", "node"),
  args: ["scripts/browser_tests.mjs"],
  before: prepareBuilt,
  counts: (out) =>
    lastMatch(
      out,
      /^chromium: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/gm,
    ),
};

export const RUNS = [
  ...SOURCE_RUNS,
  ...builtRuns(SOURCE_RUNS),
  ...CHECKS,
  WORKERD_RUN,
  CHROMIUM_RUN,
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

/** The last non-empty line of `text`. */
function lastLine(text) {
  const lines = text.trimEnd().split("\n");
  return lines[lines.length - 1]?.trim() ?? "";
}

/** The table of every run, aligned, one row each. */
function table(rows) {
  const head = ["run", "passed", "failed", "skipped", "seconds", "status"];
  const cells = rows.map((row) => [
    row.label,
    String(row.passed),
    String(row.failed),
    String(row.skipped),
    row.seconds.toFixed(1),
    row.problems.length ? `FAILED: ${row.problems.join("; ")}` : "ok",
  ]);
  const widths = head.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => cell[column].length))
  );
  const format = (cell) =>
    cell.map((text, column) =>
      column === 0 || column === 5
        ? text.padEnd(widths[column])
        : text.padStart(widths[column])
    ).join("  ").trimEnd();
  return [
    format(head),
    format(widths.map((width) => "-".repeat(width))),
    ...cells.map(format),
  ].join("\n");
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
  const started = performance.now();
  const rows = [];
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
    const runStarted = performance.now();
    const { output, code, note } = prepared
      ? { output: "", code: 1, note: prepared }
      : await run(entry);
    const seconds = (performance.now() - runStarted) / 1000;
    const text = output.replace(/\x1b\[[0-9;]*m/g, "");
    const counts = entry.counts(text, code)?.map((n) => n ?? 0);
    const [passed, failed, skipped = 0] = counts ?? [0, 0, 0];
    const problems = [];
    if (note) problems.push(note);
    if (!counts || counts.some((n) => !Number.isInteger(n))) {
      problems.push("no test counts in its output");
    } else if (passed === 0 && failed === 0) {
      problems.push(skipped ? "it skipped every test" : "it ran no test");
    }
    if (code !== 0) problems.push(`exit code ${code}`);
    // One summary line per run: the run's own last line if it already is
    // this one (workerd, chromium and size print their own), else ours.
    const short = `${entry.label}: ${passed} passed, ${failed} failed`;
    const line = `${short}, ${skipped} skipped`;
    const printed = lastLine(text);
    if (printed === line || (printed === short && skipped === 0)) {
      if (problems.length) {
        console.log(`(${entry.label} FAILED: ${problems.join("; ")})`);
      }
    } else {
      console.log(
        line + (problems.length ? `  (FAILED: ${problems.join("; ")})` : ""),
      );
    }
    rows.push({
      label: entry.label,
      passed,
      failed,
      skipped,
      seconds,
      problems: failed > 0 && problems.length === 0
        ? [`${failed} failed`]
        : problems,
    });
  }
  const ok = rows.every((row) => row.problems.length === 0);
  const sum = (key) => rows.reduce((total, row) => total + row[key], 0);
  const wall = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`\n=== summary: ${rows.length} runs in ${wall} s`);
  console.log(table(rows));
  if (!ok) console.log("FAILED: see the runs marked above");
  console.log(
    `total: ${sum("passed")} passed, ${sum("failed")} failed, ${
      sum("skipped")
    } skipped`,
  );
  process.exitCode = ok ? 0 : 1;
}

await main(process.argv.slice(2));
