// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Property-based tests of issue 9 with fast-check: random programs of
// foreground/background tasks and collectors, named or not, each finishing or
// failing with an arbitrary value after random delays (fc.scheduler()-driven
// interleavings, or real microtask/macrotask ticks), with stopAllGoroutines()
// and wait() calls interleaved. Properties checked on every program:
// - errors.length is the number of failures that were not graceful exits;
// - wait() never resolves while a foreground task or collector started before
//   the call is still running, and resolves once all of them settled;
// - pending is never negative, never above the foreground units started, and
//   0 at the end;
// - once any error is collected, the signal has aborted with
//   getErrGoroutineStopped();
// - every task's signal aborts with the manager's reason, even long after the
//   task finished;
// - every collected entry is a failure value, a wrapper of one, or a
//   GoroutineError naming the task that failed with it;
// - no unhandled rejection, no uncaught exception.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  GoroutineError,
  GoroutineManager,
  type PanicCollector,
} from "goroutine-manager";
import {
  assertNoViolations,
  isGracefulModel,
  label,
  ticks,
  VALUE_KINDS,
  watchEscapesInFile,
} from "./_values.ts";

const watcher = watchEscapesInFile();

// --- programs ----------------------------------------------------------------

/** A failure value: anything fast-check makes, or one of the unusual kinds. */
type ValueSpec =
  | { readonly anything: unknown }
  | { readonly kind: number }
  | {
    readonly graceful:
      | "stop reason"
      | "AbortError"
      | "caused by stop"
      | "parent stop reason"
      | "caused by parent stop";
  };

type Outcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly value: ValueSpec };

type Style = "sync" | "async" | "thenable";

type Op =
  | {
    readonly op: "task";
    readonly foreground: boolean;
    readonly named: boolean;
    readonly style: Style;
    readonly outcome: Outcome;
    readonly delay: number;
    /** Started after this many delay steps, or at once (null). */
    readonly startLater: number | null;
  }
  | {
    readonly op: "collector";
    readonly foreground: boolean;
    readonly via: "collect" | "wrap";
    readonly outcome: Outcome;
    readonly delay: number;
    /** Calls after the first, which must be ignored. */
    readonly extra: number;
  }
  | { readonly op: "stop"; readonly delay: number }
  | { readonly op: "parent abort"; readonly delay: number }
  | { readonly op: "wait"; readonly delay: number };

const valueArb: fc.Arbitrary<ValueSpec> = fc.oneof(
  fc.record({ anything: fc.anything() }),
  fc.record({ kind: fc.integer({ min: 0, max: VALUE_KINDS.length - 1 }) }),
  fc.record({
    graceful: fc.constantFrom(
      "stop reason" as const,
      "AbortError" as const,
      "caused by stop" as const,
      "parent stop reason" as const,
      "caused by parent stop" as const,
    ),
  }),
);

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  fc.constant({ ok: true as const }),
  fc.record({ ok: fc.constant(false as const), value: valueArb }),
);

const delayArb = fc.integer({ min: 0, max: 6 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("task" as const),
      foreground: fc.boolean(),
      named: fc.boolean(),
      style: fc.constantFrom(
        "sync" as const,
        "async" as const,
        "thenable" as const,
      ),
      outcome: outcomeArb,
      delay: delayArb,
      startLater: fc.option(delayArb),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("collector" as const),
      foreground: fc.boolean(),
      via: fc.constantFrom("collect" as const, "wrap" as const),
      outcome: outcomeArb,
      delay: delayArb,
      extra: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("stop" as const), delay: delayArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("wait" as const), delay: delayArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("parent abort" as const),
      delay: delayArb,
    }),
  },
);

/**
 * A program: its manager's parent (none, a parent manager whose stop is
 * graceful for the child, or an AbortController aborted with a TimeoutError,
 * which is not), and its steps.
 */
interface Program {
  readonly parent: "none" | "manager" | "controller";
  readonly ops: readonly Op[];
}

const programArb: fc.Arbitrary<Program> = fc.record({
  parent: fc.constantFrom(
    "none" as const,
    "manager" as const,
    "controller" as const,
  ),
  ops: fc.array(opArb, { minLength: 1, maxLength: 12 }),
});

// --- running a program -------------------------------------------------------

/** How a program waits before a step: scheduler-driven or real ticks. */
type Delay = (delay: number, label: string) => Promise<void>;

function realTicks(): Delay {
  return async (delay) => {
    for (let i = 0; i < delay; i++) {
      if (i === 4) await new Promise((resolve) => setTimeout(resolve, 0));
      else await null;
    }
  };
}

function scheduled(s: fc.Scheduler): Delay {
  return (_delay, label) => s.schedule(Promise.resolve(), label);
}

interface Run {
  readonly violations: string[];
  readonly done: Promise<void>;
  readonly check: () => Promise<void>;
}

function makeValue(
  spec: ValueSpec,
  manager: GoroutineManager,
  parent: GoroutineManager | undefined,
): unknown {
  if ("anything" in spec) return spec.anything;
  if ("kind" in spec) return VALUE_KINDS[spec.kind]!.make({ manager, parent });
  const reason = manager.getErrGoroutineStopped();
  const parentReason = (parent ?? manager).getErrGoroutineStopped();
  switch (spec.graceful) {
    case "stop reason":
      return reason;
    case "AbortError":
      return new DOMException("aborted", "AbortError");
    case "caused by stop":
      return new Error("stopped while writing", { cause: reason });
    case "parent stop reason":
      return parentReason;
    case "caused by parent stop":
      return new Error("parent stopped", { cause: parentReason });
  }
}

function runProgram(program: Program, delay: Delay): Run {
  const violations: string[] = [];
  const hookCalls: Error[] = [];
  const parentManager = program.parent === "manager"
    ? new GoroutineManager()
    : undefined;
  const parentController = program.parent === "controller"
    ? new AbortController()
    : undefined;
  const parentSignal = parentManager?.signal ?? parentController?.signal;
  const manager = new GoroutineManager({
    hooks: { onAfterRecover: (error) => void hookCalls.push(error) },
    ...(parentSignal ? { signal: parentSignal } : {}),
  });
  const stopReason = manager.getErrGoroutineStopped();
  /** The reasons that make exits graceful: this manager's, its parent's. */
  const stopReasons: Error[] = [stopReason];
  if (parentManager) stopReasons.push(parentManager.getErrGoroutineStopped());
  const parentAbort = (): void => {
    parentManager?.stopAllGoroutines();
    parentController?.abort(new DOMException("timed out", "TimeoutError"));
  };
  /** Whether `reason` is one the signal may abort with. */
  const expectedReason = (reason: unknown): boolean =>
    reason === stopReason ||
    (parentSignal !== undefined && reason === parentSignal.reason);
  const signals: AbortSignal[] = [];
  /** Foreground units (tasks and collectors) not settled yet, by id. */
  const foregroundRunning = new Set<number>();
  let foregroundStarted = 0;
  let expectedErrors = 0;
  /** Values the program failed with (not graceful), and by task name. */
  const failures: unknown[] = [];
  const failuresByName = new Map<string, unknown[]>();
  const waits: Promise<void>[] = [];

  const sample = (where: string): void => {
    const pending = manager.pending;
    if (pending < 0 || pending > foregroundStarted) {
      violations.push(
        `pending is ${pending} ${where} (${foregroundStarted} foreground started)`,
      );
    }
    if (
      manager.errors.length > 0 &&
      (!manager.signal.aborted || !expectedReason(manager.signal.reason))
    ) {
      violations.push(
        `${where}: an error was collected but the signal ${
          manager.signal.aborted
            ? `aborted with ${label(manager.signal.reason)}`
            : "has not aborted"
        }`,
      );
    }
  };

  /**
   * Decides how a unit ends, just before it does: `undefined` for a clean
   * finish, or `{ value }` for a failure. A value that would be a graceful
   * exit after a stop (this manager's or its parent manager's) is thrown
   * once the signal has aborted (graceful if it is for that reason, counted
   * otherwise), or before, when the failure is reported synchronously (a
   * sync throw, a collect() call: counted, as nothing has stopped). Reported
   * later, it would race with stops, so the unit finishes cleanly instead.
   */
  const settle = (
    id: number,
    foreground: boolean,
    outcome: Outcome,
    name: string | undefined,
    synchronous: boolean,
  ): { value: unknown } | undefined => {
    if (foreground) foregroundRunning.delete(id);
    sample(`when unit ${id} settles`);
    if (outcome.ok) return undefined;
    const value = makeValue(outcome.value, manager, parentManager);
    if (stopReasons.some((reason) => isGracefulModel(value, reason))) {
      const { aborted, reason } = manager.signal;
      if (
        aborted && stopReasons.includes(reason) &&
        isGracefulModel(value, reason)
      ) {
        return { value };
      }
      if (!aborted && !synchronous) return undefined;
    }
    expectedErrors++;
    failures.push(value);
    if (name !== undefined) {
      const list = failuresByName.get(name) ?? [];
      list.push(value);
      failuresByName.set(name, list);
    }
    return { value };
  };

  const steps: Promise<void>[] = [];
  program.ops.forEach((op, id) => {
    const where = `op ${id} (${op.op})`;
    if (op.op === "task") {
      const name = op.named ? `task-${id}` : undefined;
      const end = (): { value: unknown } | undefined =>
        settle(id, op.foreground, op.outcome, name, op.style === "sync");
      const fn = (signal: AbortSignal): unknown => {
        signals.push(signal);
        // A task started after the abort gets an aborted signal at once.
        if (
          manager.signal.aborted &&
          (!signal.aborted || signal.reason !== manager.signal.reason)
        ) {
          violations.push(`${where}: started after the abort, a live signal`);
        }
        if (op.style === "sync") {
          const ending = end();
          if (ending) throw ending.value;
          return undefined;
        }
        if (op.style === "async") {
          return (async () => {
            await delay(op.delay, where);
            const ending = end();
            if (ending) throw ending.value;
          })();
        }
        return {
          then(resolve: () => void, reject: (error: unknown) => void) {
            delay(op.delay, where).then(() => {
              const ending = end();
              if (ending) reject(ending.value);
              else resolve();
            });
          },
        };
      };
      const start = (): void => {
        if (op.foreground) {
          foregroundRunning.add(id);
          foregroundStarted++;
        }
        try {
          const method = op.foreground
            ? manager.startForegroundGoroutine
            : manager.startBackgroundGoroutine;
          if (name === undefined) method.call(manager, fn);
          else method.call(manager, fn, { name });
        } catch (error) {
          violations.push(`${where}: start threw ${label(error)}`);
        }
        sample(`after starting ${where}`);
      };
      if (op.startLater === null) start();
      else steps.push(delay(op.startLater, `${where} start`).then(start));
    } else if (op.op === "collector") {
      if (op.foreground) {
        foregroundRunning.add(id);
        foregroundStarted++;
      }
      const collector = op.foreground
        ? manager.createForegroundPanicCollector()
        : manager.createBackgroundPanicCollector();
      steps.push(
        delay(op.delay, where).then(() => {
          try {
            if (op.via === "collect") {
              const ending = settle(
                id,
                op.foreground,
                op.outcome,
                undefined,
                true,
              );
              if (ending) collector.collect(ending.value);
              else collector.collect();
              extraCalls(collector, op.extra);
            } else {
              const returned = collector.wrap(() => {
                const ending = settle(
                  id,
                  op.foreground,
                  op.outcome,
                  undefined,
                  true,
                );
                if (ending) throw ending.value;
              })();
              if (returned !== undefined) {
                violations.push(`${where}: the wrapper returned a value`);
              }
              extraCalls(collector, op.extra);
            }
          } catch (error) {
            violations.push(`${where}: the collector threw ${label(error)}`);
          }
        }),
      );
    } else if (op.op === "parent abort") {
      steps.push(
        delay(op.delay, where).then(() => {
          parentAbort();
          sample(`after ${where}`);
        }),
      );
    } else if (op.op === "stop") {
      steps.push(
        delay(op.delay, where).then(() => {
          manager.stopAllGoroutines();
          sample(`after ${where}`);
        }),
      );
    } else {
      steps.push(
        delay(op.delay, where).then(() => {
          const before = new Set(foregroundRunning);
          waits.push(
            manager.wait().then(() => {
              const still = [...before].filter((u) => foregroundRunning.has(u));
              if (still.length) {
                violations.push(
                  `wait() called at ${where} resolved while units ${still} ran`,
                );
              }
            }),
          );
        }),
      );
    }
    sample(`after starting ${where}`);
  });

  const check = async (): Promise<void> => {
    let resolved = false;
    const finalWait = manager.wait().then(() => resolved = true);
    await ticks(2);
    if (!resolved) {
      violations.push(
        `wait() did not resolve once all work settled (pending ${manager.pending})`,
      );
    }
    if (resolved) await Promise.all([finalWait, ...waits]);
    sample("at the end");
    if (manager.pending !== 0) {
      violations.push(`pending is ${manager.pending} at the end`);
    }
    const errors = manager.errors;
    if (errors.length !== expectedErrors) {
      violations.push(
        `${errors.length} errors collected for ${expectedErrors} failures: [${
          errors.map(label).join(", ")
        }]`,
      );
    }
    if (
      hookCalls.length !== errors.length ||
      hookCalls.some((error, i) => error !== errors[i])
    ) {
      violations.push(
        `onAfterRecover saw ${hookCalls.length} errors, not the ${errors.length} collected`,
      );
    }
    for (const entry of errors) {
      if (entry instanceof GoroutineError) {
        const values = failuresByName.get(entry.goroutine) ?? [];
        if (!values.some((v) => Object.is(v, entry.cause))) {
          violations.push(
            `GoroutineError for "${entry.goroutine}" has a cause it did not fail with`,
          );
        }
      } else if (
        !failures.some((v) => Object.is(v, entry)) &&
        !failures.some((v) => Object.is(v, causeOf(entry)))
      ) {
        violations.push(`collected ${label(entry)}, which no unit failed with`);
      }
    }
    // Every task's signal follows the manager's, even for finished tasks.
    manager.stopAllGoroutines();
    parentManager?.stopAllGoroutines();
    const reason = manager.signal.reason;
    if (!expectedReason(reason)) {
      violations.push(`the signal aborted with ${label(reason)}`);
    }
    signals.forEach((signal, i) => {
      if (!signal.aborted || signal.reason !== reason) {
        violations.push(
          `task signal ${i} ${
            signal.aborted ? `aborted with ${label(signal.reason)}` : "is live"
          }, the manager's aborted with ${label(reason)}`,
        );
      }
    });
  };

  return { violations, done: Promise.all(steps).then(() => {}), check };
}

/** `error.cause`, or a marker if reading it throws (a user's own getter). */
function causeOf(error: Error): unknown {
  try {
    return error.cause;
  } catch {
    return causeOf;
  }
}

/** Calls `collect` `n` more times, with and without a value: all ignored. */
function extraCalls(collector: PanicCollector, n: number): void {
  for (let i = 0; i < n; i++) {
    if (i % 2) collector.collect();
    else collector.collect(new Error("a later call is ignored"));
  }
}

function describeProgram(program: Program): string {
  return `parent ${program.parent}: ` + program.ops.map((op) => {
    if (op.op === "stop" || op.op === "wait" || op.op === "parent abort") {
      return `${op.op}@${op.delay}`;
    }
    const outcome = op.outcome.ok
      ? "ok"
      : `fail(${
        "anything" in op.outcome.value
          ? label(op.outcome.value.anything)
          : "kind" in op.outcome.value
          ? VALUE_KINDS[op.outcome.value.kind]!.kind
          : op.outcome.value.graceful
      })`;
    return op.op === "task"
      ? `${op.startLater === null ? "" : `(start@${op.startLater}) `}${
        op.foreground ? "fg" : "bg"
      }${op.named ? " named" : ""} ${op.style} ${outcome}@${op.delay}`
      : `${
        op.foreground ? "fg" : "bg"
      } collector.${op.via} ${outcome}@${op.delay}${
        op.extra ? ` +${op.extra} calls` : ""
      }`;
  }).join(", ");
}

async function assertRun(run: Run, program: Program): Promise<void> {
  const from = watcher.seen.length;
  await run.check();
  await ticks(1);
  assertNoViolations(
    run.violations,
    watcher.since(from),
    describeProgram(program),
  );
}

// --- properties --------------------------------------------------------------

/** Bun's default per-test timeout is 5 s; a loaded 2-core machine needs more. */
const SLOW = { timeout: 60_000 };

describe("properties of random programs (issue 9)", () => {
  it(
    "fc.scheduler() interleavings: exact errors, exact wait(), exact pending, signals follow",
    SLOW,
    async () => {
      await fc.assert(
        fc.asyncProperty(programArb, fc.scheduler(), async (program, s) => {
          const run = runProgram(program, scheduled(s));
          await s.waitIdle();
          await run.done;
          await assertRun(run, program);
        }),
        { numRuns: 100 },
      );
    },
  );

  it(
    "real microtask and macrotask ticks: the same properties",
    SLOW,
    async () => {
      await fc.assert(
        fc.asyncProperty(programArb, async (program) => {
          const run = runProgram(program, realTicks());
          await run.done;
          await ticks(1);
          await assertRun(run, program);
        }),
        { numRuns: 100 },
      );
    },
  );

  it(
    "pending never goes negative and wait() never resolves early, however a thenable calls back",
    SLOW,
    async () => {
      // A thenable that calls its callbacks any number of times, in any order,
      // synchronously or later, then maybe throws.
      const callArb = fc.array(
        fc.record({
          which: fc.constantFrom("resolve" as const, "reject" as const),
          later: fc.boolean(),
        }),
        { maxLength: 4 },
      );
      await fc.assert(
        fc.asyncProperty(
          callArb,
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          async (calls, throwAfter, foreground, named) => {
            const manager = new GoroutineManager();
            const violations: string[] = [];
            const gate = Promise.withResolvers<void>();
            manager.startForegroundGoroutine(() => gate.promise);
            const samples: number[] = [];
            const failure = new Error("thenable failed");
            const thenable = {
              then(resolve: () => void, reject: (e: unknown) => void) {
                for (const { which, later } of calls) {
                  const call = (): void => {
                    if (which === "resolve") resolve();
                    else reject(failure);
                    samples.push(manager.pending);
                  };
                  if (later) queueMicrotask(call);
                  else call();
                }
                if (throwAfter) throw new Error("then threw");
              },
            };
            const fn = (): unknown => thenable;
            try {
              const method = foreground
                ? manager.startForegroundGoroutine
                : manager.startBackgroundGoroutine;
              if (named) method.call(manager, fn, { name: "thenable" });
              else method.call(manager, fn);
            } catch (error) {
              violations.push(`start threw ${label(error)}`);
            }
            // Promise adoption rules: the first synchronous call decides; else
            // a throw from then() rejects; else the first later call decides;
            // else the thenable never settles.
            const syncFirst = calls.find((c) => !c.later);
            const decided = syncFirst?.which ??
              (throwAfter ? "reject" : calls[0]?.which);
            let resolved = false;
            manager.wait().then(() => resolved = true);
            await ticks(1);
            if (resolved) violations.push("wait() resolved while a task ran");
            gate.resolve();
            await ticks(1);
            if (samples.some((n) => n < 0)) {
              violations.push(`pending went negative: ${samples}`);
            }
            // A foreground thenable that never calls back keeps wait() pending
            // (as documented): only the other checks apply then.
            const settles = decided !== undefined || !foreground;
            if (settles && !resolved) violations.push("wait() did not resolve");
            if (settles && manager.pending !== 0) {
              violations.push(`pending is ${manager.pending} at the end`);
            }
            const expected = decided === "reject" ? 1 : 0;
            if (manager.errors.length !== expected) {
              violations.push(
                `${manager.errors.length} errors collected, expected ${expected}`,
              );
            }
            if (violations.length) {
              assert.fail(
                `${violations.join("; ")} (calls ${JSON.stringify(calls)}, ${
                  throwAfter ? "then throws, " : ""
                }${foreground ? "fg" : "bg"}${named ? ", named" : ""})`,
              );
            }
          },
        ),
        { numRuns: 100 },
      );
    },
  );
});
