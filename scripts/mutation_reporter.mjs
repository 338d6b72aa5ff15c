// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file explicit-module-boundary-types
//
// The node:test reporter of `npm run mutation` (stryker.config.mjs): it stops
// the run at the first failing test (exit code 1), as a test runner's "bail"
// option does, and prints that test's name and error on one line, which
// scripts/mutation.mjs keeps as the mutant's reason.
//
// A mutant is killed when any test fails, so stopping there changes no
// result; it only saves the rest of the run. That matters most for a mutant
// that fails one test and hangs a later one: without the stop, Stryker waits
// for its timeout and counts it as timed out; with it, the mutant is killed
// by the first test that fails, in a fraction of a second.
//
// Passing tests print nothing; a run with no failure ends as usual (its exit
// code is node:test's own).
//
// Exiting skips the `finally` of the failing test, so a child process it
// started (tests/keep_alive.test.ts) would be left running: the child
// processes of this one are killed first (Linux: found through /proc).

import { readdirSync, readFileSync, writeSync } from "node:fs";

/** Kills the processes whose parent is `pid`, and theirs, depth first. */
function killChildren(pid) {
  if (process.platform !== "linux") return;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // Gone meanwhile.
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid !== pid) continue;
    killChildren(Number(entry));
    try {
      process.kill(Number(entry), "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

/**
 * @param {AsyncIterable<{ type: string, data: any }>} source
 * @returns {AsyncGenerator<string>}
 */
export default async function* bail(source) {
  for await (const { type, data } of source) {
    if (type !== "test:fail" || data.todo) continue;
    const error = data.details?.error;
    const message = String(error?.cause?.message ?? error?.message ?? error)
      .replace(/\s+/g, " ").slice(0, 200);
    // Written at once: the process ends before a yielded line would be.
    writeSync(1, `\n✖ ${data.name} (${data.file ?? "?"}): ${message}\n`);
    killChildren(process.pid);
    process.exit(1);
  }
  yield "";
}
