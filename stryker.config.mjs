// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file explicit-module-boundary-types
//
// StrykerJS configuration for `npm run mutation` (scripts/mutation.mjs).
//
// The command runner runs the project's Node 24 straight on the TypeScript
// sources (Node strips the types), once per mutant. It cannot pick tests per
// mutant, so the sources are split into GROUPS: each group mutates some files
// of src/ and runs only the test files that exercise them. scripts/mutation.mjs
// runs one Stryker process per group (MUTATION_GROUP=<name>) and sums up.
// Without MUTATION_GROUP this file mutates all of src/ against every test file
// in one run (slow).
//
// Tests that spawn child processes (the example servers, the examples/ runs of
// process_signals and seed_scenario, the keep-alive runs) are left out: they
// take seconds each and exercise the same code as the in-process tests. The
// one exception is named in the process_signals group.

/** The project's Node 24 (Stryker links node_modules into its sandbox). */
const NODE = "node_modules/node24/bin/node";

/**
 * Each group: the src/ files it mutates, the test files that exercise them,
 * and optionally test names to leave out (--test-skip-pattern) where a slow
 * part of a file tests another group's files.
 * @type {Record<string, { mutate: string[], tests: string[], skip?: string[], timeoutMS?: number }>}
 */
export const GROUPS = {
  core: {
    mutate: [
      "src/goroutine_manager.ts",
      "src/_run_task.ts",
      "src/panic_collector.ts",
      "src/_join_errors.ts",
      "src/_goroutine_name.ts",
      "src/_noop.ts",
    ],
    tests: [
      "tests/goroutine_manager.test.ts",
      "tests/named_goroutines.test.ts",
      "tests/panic_collector.test.ts",
      "tests/go_port.test.ts",
      "tests/task_signals.test.ts",
      "tests/argument_messages.test.ts",
      "tests/wait_until.test.ts",
      "tests/signal_sharing.test.ts",
      "tests/task_settling.test.ts",
      "tests/errors.test.ts",
      "tests/fault_matrix.test.ts",
      "tests/mutants_throwing_abort.test.ts",
      "tests/readme_promises.test.ts",
      "tests/mutants_core.test.ts",
      "tests/brand_checks.test.ts",
    ],
    // Its value kinds x ways x moments (4 s) belong to the "errors" group.
    skip: ["fault matrix: any value"],
  },
  errors: {
    mutate: [
      "src/_to_error.ts",
      "src/_is_graceful_exit.ts",
      "src/goroutine_error.ts",
      "src/goroutine_stopped_error.ts",
    ],
    tests: [
      "tests/errors.test.ts",
      "tests/graceful_exit.test.ts",
      "tests/fault_matrix.test.ts",
      "tests/readme_promises.test.ts",
      "tests/brand_checks.test.ts",
    ],
    // A mutant that fails many of the matrix's cases takes seconds longer to
    // report them all than a passing run: checked by hand, such runs ended
    // (killed) in 3.5 to 4.3 s where the default timeout gave up.
    timeoutMS: 8000,
  },
  "wait_for": {
    mutate: ["src/wait_for.ts", "src/goroutine_wait_error.ts"],
    tests: [
      "tests/wait_for.test.ts",
      "tests/wait_for_edges.test.ts",
      "tests/named_goroutines.test.ts",
      "tests/readme_promises.test.ts",
      "tests/brand_checks.test.ts",
    ],
  },
  limiter: {
    mutate: [
      "src/goroutine_limiter.ts",
      "src/map_goroutines.ts",
      "src/_check_limit.ts",
      "src/_queue.ts",
      "src/_max_timeout.ts",
    ],
    tests: [
      "tests/goroutine_limiter.test.ts",
      "tests/map_goroutines.test.ts",
      "tests/limiter_arguments.test.ts",
      "tests/limiter_task_exits.test.ts",
      "tests/limiter_behaviour.test.ts",
      "tests/map_goroutines_behaviour.test.ts",
      "tests/limiter_queue.test.ts",
      "tests/map_goroutines_arrays.test.ts",
      "tests/mutants_throwing_abort.test.ts",
      "tests/mutants_limiter.test.ts",
      "tests/brand_checks.test.ts",
      "tests/reentrancy_properties.test.ts",
    ],
  },
  "dependent_signal": {
    mutate: ["src/dependent_signal.ts"],
    tests: [
      "tests/dependent_signal.test.ts",
      "tests/seed_scenario.test.ts",
      "tests/brand_checks.test.ts",
    ],
  },
  "shutdown_cascade": {
    // onAbort's own listener removal is only observable where a caller
    // drops the returned `off` (ShutdownCascade's members).
    mutate: ["src/shutdown_cascade.ts", "src/_on_abort.ts"],
    tests: [
      "tests/shutdown_cascade.test.ts",
      "tests/cascade_rescue.test.ts",
      "tests/seed_scenario.test.ts",
      "tests/brand_checks.test.ts",
      "tests/mutants_throwing_abort.test.ts",
      "tests/readme_promises.test.ts",
    ],
  },
  "process_signals": {
    mutate: ["src/process_signals.ts"],
    tests: [
      "tests/process_signals.test.ts",
      "tests/keep_alive.test.ts",
      "tests/readme_promises.test.ts",
    ],
    // Only its two child runs whose stop throws (the one test of an uncaught
    // report, which cannot be asserted in-process); not the slow keep-alives.
    skip: ["keep-alive on \\w+: (a program|a top-level|the same)"],
  },
};

/** Test names that spawn a child runtime (see the header). */
const SKIP = "examples/";

/**
 * The test command of a group: one process for all its files
 * (--test-isolation=none; a process per file triples the time of a run),
 * stopped at the first failing test by scripts/mutation_reporter.mjs (a
 * mutant is killed by any failing test: the rest of the run would only cost
 * time, or a timeout when a later test hangs; this made a full run 4x faster).
 * @param {{ tests: string[], skip?: string[] }} group
 * @returns {string}
 */
export function commandOf(group) {
  return [
    NODE,
    "--test",
    "--test-isolation=none",
    "--test-reporter=./scripts/mutation_reporter.mjs",
    ...[SKIP, ...group.skip ?? []].map((p) => `"--test-skip-pattern=${p}"`),
    ...group.tests,
  ].join(" ");
}

/**
 * Where Stryker keeps a group's results between runs (committed).
 * @param {string} label
 * @returns {string}
 */
export function incrementalFileOf(label) {
  return `tests/mutation/${label}.incremental.json`;
}

const name = process.env.MUTATION_GROUP;
if (name !== undefined && !Object.hasOwn(GROUPS, name)) {
  throw new Error(
    `MUTATION_GROUP=${name} is not one of ${Object.keys(GROUPS).join(", ")}`,
  );
}
const group = name === undefined
  ? {
    mutate: ["src/**/*.ts"],
    tests: [...new Set(Object.values(GROUPS).flatMap((g) => g.tests))],
  }
  : GROUPS[name];
const label = name ?? "all";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "command",
  commandRunner: { command: commandOf(group) },
  mutate: group.mutate,
  // Other agents share the machine's two cores.
  concurrency: 2,
  // A mutant run takes one to three seconds; a run still going after
  // 1.5 × the dry run + 2.5 s is hung (checked: tests/MUTANTS.md, "Timeouts").
  timeoutMS: group.timeoutMS ?? 2500,
  timeoutFactor: 1.5,
  incremental: true,
  incrementalFile: incrementalFileOf(label),
  reporters: ["clear-text", "progress-append-only", "html"],
  htmlReporter: { fileName: `reports/mutation/${label}.html` },
  clearTextReporter: { allowEmojis: false, logTests: false },
  ignorePatterns: [
    "npm",
    "bench",
    "docs",
    "coverage",
    ".tmp",
    "*.tgz",
    "reports",
    "tests/mutation",
  ],
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  plugins: [],
  logLevel: "warn",
  fileLogLevel: "off",
};
