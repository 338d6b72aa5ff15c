// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Property-based tests of GoroutineLimiter and mapGoroutines with fast-check
// (README, "Bounded concurrency, backpressure and typed results"): random
// programs over one manager (with or without a parent) and two limiters,
// whose steps and task settlements are interleaved by fc.scheduler(). Steps:
// go / tryGo / run with or without options (name, an AbortController's
// signal, a 60 s timeout that never fires but whose timer must be cleared:
// setTimeout/clearTimeout are wrapped during that property to count them),
// tasks that return, throw synchronously, resolve or reject after scheduler
// releases, or wait for their signal and exit with its reason, an error
// caused by it or an AbortError; limit changes; ready(backlog); aborting a
// task's own signal; stopAllGoroutines(); a parent manager's stop or a parent
// controller's abort; wait(). No real timer fires. Checked after every step,
// at every task start and at the end:
// - a task starts only while the manager runs, at most once, and with
//   active <= limit; active never exceeds max(limit, active when the limit
//   was lowered); tasks start in FIFO order of acceptance (an earlier task
//   not started was cancelled by its own signal);
// - go()/tryGo()/run() start, queue or drop exactly as the state before the
//   call says; tryGo() never queues and returns true exactly when it started
//   the task; accepted = started + queued + dropped at every step; between
//   steps no slot is free while tasks are queued (raising the limit starts
//   them at once);
// - manager.pending >= 0, and wait() resolves only once every started task
//   settled and nothing is queued, stays pending while a task runs, and
//   resolves at the end;
// - manager.errors holds exactly the failures of started tasks that were not
//   graceful exits (the manager's stop reason after a stop) nor exits on the
//   task's own cancelled signal; queued and dropped tasks are never errors;
// - each run() promise settles as its task did, or rejects with the reason
//   of what dropped it (the manager's signal.reason, or its own signal's);
// - ready(b) resolves true only with active + queued < limit + b, at once if
//   there is room, false after a stop, never rejects, never hangs, and no
//   waiter is left pending while there is room;
// - mapGoroutines over arrays (through a proxy that sees every read),
//   generators and async generators (next() calls counted), mappers that
//   return, throw, resolve, reject or wait for their signal, an input that
//   may throw, a stop or a parent stop: results in input order; at most
//   `limit` mappers (and goroutines) at once, a sync input fills
//   min(limit, n) slots at once; items start in input order, each once; the
//   map rejects with the first failure (the manager's first error; the first
//   thrown when no failure was synchronous), or with the manager's
//   signal.reason when it stopped first; no read, next() call or mapper
//   start once the rejection is seen; a failed sync generator is closed by
//   the time the rejection is seen, any stopped input by the end;
//   manager.errors = every failure thrown but the stop reasons;
// - timeouts (a third property, with real 0 ms timers, 60 runs): a task that
//   exits on its timeout is collected as a GoroutineError naming it (`fn.name`
//   or its name) whose cause is the TimeoutError its signal aborted with, and
//   its run() rejects with that; a task that ignores its signal resolves; no
//   other error; a started task with a 0 ms timeout that waits for its signal
//   always ends up stopping the manager;
// - no unhandled rejection, no uncaught exception.

import { describe, it } from "node:test";
import fc from "fast-check";
import {
  GoroutineError,
  GoroutineLimiter,
  GoroutineManager,
  mapGoroutines,
} from "goroutine-manager";
import {
  assertNoViolations,
  label,
  ticks,
  watchEscapesInFile,
} from "./_values.ts";

const watcher = watchEscapesInFile();

/** Bun's default per-test timeout is 5 s; a loaded 2-core machine needs more. */
const SLOW = { timeout: 120_000 };

// --- limiter programs --------------------------------------------------------

type Behaviour =
  /** Returns a value synchronously. */
  | "value"
  /** Throws synchronously. */
  | "throw"
  /** Resolves once the scheduler released it `turns` times. */
  | "resolve"
  /** Rejects once the scheduler released it `turns` times. */
  | "reject"
  /** Waits for its signal, then throws its reason. */
  | "signal"
  /** Waits for its signal, then throws an error caused by its reason. */
  | "cause"
  /** Waits for its signal, then throws an `AbortError` of its own. */
  | "AbortError"
  /**
   * Submits a task with go() to its own limiter from its body (re-entrant:
   * while the limiter starts it), then resolves like "resolve".
   */
  | "nested";

type Op =
  | {
    readonly op: "submit";
    readonly limiter: 0 | 1;
    readonly method: "go" | "tryGo" | "run";
    readonly behaviour: Behaviour;
    /** resolve/reject: after how many releases by the scheduler. */
    readonly turns: number;
    readonly name: boolean;
    readonly cancellable: boolean;
    readonly timeout: boolean;
    /** Options passed at all (an empty object when none of the above). */
    readonly options: boolean;
    /** run() only: whether the program awaits the result. */
    readonly observe: boolean;
  }
  | { readonly op: "limit"; readonly limiter: 0 | 1; readonly limit: number }
  | { readonly op: "ready"; readonly limiter: 0 | 1; readonly backlog: number }
  | { readonly op: "cancel"; readonly task: number }
  | { readonly op: "stop" }
  | { readonly op: "parent" }
  | { readonly op: "wait" };

interface Program {
  readonly parent: "none" | "manager" | "controller";
  /**
   * Whether tasks may fail and the program may stop the manager (either
   * drops every queue; without them the limiters are seen at length).
   */
  readonly failures: boolean;
  readonly stops: boolean;
  readonly limits: readonly [number, number];
  readonly ops: readonly Op[];
}

const limitArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constant(Infinity) },
);
/** true three times out of four. */
const oftenArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);
const limiterArb = fc.constantFrom(0 as const, 1 as const);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 24,
    arbitrary: fc.record({
      op: fc.constant("submit" as const),
      limiter: limiterArb,
      method: fc.constantFrom("go" as const, "tryGo" as const, "run" as const),
      // A failure stops the manager (and drops every queue): rarer.
      behaviour: fc.oneof(
        { weight: 2, arbitrary: fc.constant("value" as const) },
        { weight: 1, arbitrary: fc.constant("throw" as const) },
        { weight: 5, arbitrary: fc.constant("resolve" as const) },
        { weight: 1, arbitrary: fc.constant("reject" as const) },
        { weight: 2, arbitrary: fc.constant("signal" as const) },
        { weight: 1, arbitrary: fc.constant("cause" as const) },
        { weight: 1, arbitrary: fc.constant("AbortError" as const) },
        { weight: 2, arbitrary: fc.constant("nested" as const) },
      ),
      turns: fc.integer({ min: 1, max: 4 }),
      name: fc.boolean(),
      cancellable: oftenArb,
      timeout: fc.boolean(),
      options: oftenArb,
      observe: oftenArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("limit" as const),
      limiter: limiterArb,
      limit: limitArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("ready" as const),
      limiter: limiterArb,
      backlog: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("cancel" as const),
      task: fc.nat({ max: 40 }),
    }),
  },
  // Both end the program's interesting part (the queue is dropped): rare.
  { weight: 1, arbitrary: fc.constant({ op: "stop" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "parent" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "wait" as const }) },
);

const programArb: fc.Arbitrary<Program> = fc.record({
  parent: fc.constantFrom(
    "none" as const,
    "manager" as const,
    "controller" as const,
  ),
  failures: fc.boolean(),
  stops: fc.boolean(),
  limits: fc.tuple(limitArb, limitArb),
  ops: fc.array(opArb, { minLength: 4, maxLength: 40, size: "medium" }),
});

interface Task {
  readonly id: number;
  readonly op: Extract<Op, { op: "submit" }>;
  readonly controller: AbortController | undefined;
  readonly ownReason: Error;
  readonly value: object;
  readonly failure: Error;
  /** Index of acceptance in its limiter (go/run, or tryGo that started). */
  order: number;
  accepted: boolean;
  started: boolean;
  settled: boolean;
  /** The reason of the signal it saw abort (signal, cause, AbortError). */
  exitReason: unknown;
  /** What it threw, if it threw. */
  threw: { readonly value: unknown } | undefined;
  /** Cancelled by its own signal while queued (model). */
  cancelledQueued: boolean;
  /** run(): how its promise settled, if observed. */
  result:
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly reason: unknown }
    | undefined;
  /** run(): the reason it must reject with if dropped. */
  dropReason: unknown;
}

interface ReadyCall {
  readonly limiter: 0 | 1;
  readonly backlog: number;
  readonly at: number;
  value: boolean | undefined;
}

/**
 * Runs `program` under the scheduler and returns the violations found (an
 * empty list when every property held).
 */
async function runLimiterProgram(
  program: Program,
  s: fc.Scheduler,
): Promise<string[]> {
  const violations: string[] = [];
  const fail = (message: string): void => void violations.push(message);
  const parentManager = program.parent === "manager"
    ? new GoroutineManager()
    : undefined;
  const parentController = program.parent === "controller"
    ? new AbortController()
    : undefined;
  const parentSignal = parentManager?.signal ?? parentController?.signal;
  const manager = new GoroutineManager(
    parentSignal ? { signal: parentSignal } : {},
  );
  /** Reasons that make a task's exit graceful once the manager stopped. */
  const stopReasons: unknown[] = [manager.getErrGoroutineStopped()];
  if (parentManager) stopReasons.push(parentManager.getErrGoroutineStopped());
  const limiters = [
    new GoroutineLimiter(manager, program.limits[0]),
    new GoroutineLimiter(manager, program.limits[1]),
  ] as const;
  /** active may exceed limit only after a lowering, never above this. */
  const cap = [program.limits[0], program.limits[1]];
  const tasks: Task[] = [];
  const byLimiter: [Task[], Task[]] = [[], []];
  const readies: ReadyCall[] = [];
  /** Tasks submitted from task bodies, per limiter (see ready()). */
  const nested: [number, number] = [0, 0];
  const waits: { resolved: boolean; at: number }[] = [];
  let step = 0;

  const running = (l: 0 | 1): number =>
    byLimiter[l].filter((t) => t.started && !t.settled).length;

  const check = (where: string): void => {
    if (manager.pending < 0) fail(`${where}: pending ${manager.pending}`);
    for (const l of [0, 1] as const) {
      const limiter = limiters[l];
      const { active, queued, dropped, limit } = limiter;
      if (active < 0 || queued < 0) {
        fail(`${where}: limiter ${l} active ${active} queued ${queued}`);
      }
      if (active > cap[l]!) {
        fail(
          `${where}: limiter ${l} active ${active} > ${
            cap[l]
          } (limit ${limit})`,
        );
      }
      cap[l] = Math.max(limit, Math.min(cap[l]!, active));
      const mine = running(l);
      if (mine > active) {
        fail(
          `${where}: limiter ${l}: ${mine} tasks run, active says ${active}`,
        );
      }
      const accepted = byLimiter[l].filter((t) => t.accepted);
      const started = accepted.filter((t) => t.started).length;
      if (accepted.length !== started + queued + dropped) {
        fail(
          `${where}: limiter ${l}: ${accepted.length} accepted != ${started} started + ${queued} queued + ${dropped} dropped`,
        );
      }
    }
  };

  /**
   * No slot idles while tasks are queued and the manager runs (checked between
   * steps: a task that fails frees its slot and leaves the queue to the stop
   * that follows a few microtasks later).
   */
  const conserving = (where: string): void => {
    if (manager.signal.aborted) return;
    for (const l of [0, 1] as const) {
      const { active, queued, limit } = limiters[l];
      if (queued && active < limit) {
        fail(
          `${where}: limiter ${l}: ${queued} queued, ${active} active, limit ${limit}`,
        );
      }
    }
  };

  /**
   * No ready() left waiting while there is room (checked between steps, and
   * at the end: the limiter wakes producers as it makes room).
   */
  const awake = (where: string): void => {
    if (manager.signal.aborted) return;
    for (const call of readies) {
      const { active, queued, limit } = limiters[call.limiter];
      if (
        call.value === undefined && active + queued < limit + call.backlog
      ) {
        fail(
          `${where}: ready(${call.backlog}) of step ${call.at} pending with room`,
        );
      }
    }
  };

  const makeTask = (op: Extract<Op, { op: "submit" }>): Task => {
    const id = tasks.length;
    if (!program.failures && op.behaviour === "throw") {
      op = { ...op, behaviour: "value" };
    } else if (!program.failures && op.behaviour === "reject") {
      op = { ...op, behaviour: "resolve" };
    }
    const task: Task = {
      id,
      op,
      controller: op.cancellable && op.options
        ? new AbortController()
        : undefined,
      ownReason: new Error(`task ${id} cancelled`),
      value: { task: id },
      failure: new Error(`task ${id} failed`),
      order: -1,
      accepted: false,
      started: false,
      settled: false,
      threw: undefined,
      exitReason: undefined,
      cancelledQueued: false,
      result: undefined,
      dropReason: undefined,
    };
    tasks.push(task);
    byLimiter[op.limiter].push(task);
    return task;
  };

  const turns = async (task: Task): Promise<void> => {
    for (let i = 0; i < task.op.turns; i++) {
      await s.schedule(Promise.resolve(), `task ${task.id} turn ${i}`);
    }
  };

  const body = (task: Task) => (signal: AbortSignal): unknown => {
    const l = task.op.limiter;
    const limiter = limiters[l];
    const where = `task ${task.id} start`;
    if (task.started) fail(`${where}: started twice`);
    if (!task.accepted) fail(`${where}: started but not accepted`);
    if (manager.signal.aborted) fail(`${where}: started after the stop`);
    if (task.cancelledQueued) fail(`${where}: started after its cancel`);
    if (limiter.active > limiter.limit) {
      fail(`${where}: active ${limiter.active} > limit ${limiter.limit}`);
    }
    for (const other of byLimiter[l]) {
      if (
        other.accepted && other.order < task.order && !other.started &&
        !other.cancelledQueued
      ) {
        fail(`${where}: before task ${other.id} (FIFO)`);
      }
    }
    task.started = true;
    check(where);
    const settle = <T>(value: T): T => {
      task.settled = true;
      return value;
    };
    const thrown = (value: unknown): unknown => {
      task.settled = true;
      task.threw = { value };
      return value;
    };
    switch (task.op.behaviour) {
      case "value":
        return settle(task.value);
      case "throw":
        throw thrown(task.failure);
      case "nested":
        nested[task.op.limiter]++;
        submit({
          op: "submit",
          limiter: task.op.limiter,
          method: "go",
          behaviour: "resolve",
          turns: 1,
          name: false,
          cancellable: false,
          timeout: false,
          options: false,
          observe: false,
        });
        return turns(task).then(() => settle(task.value));
      case "resolve":
        return turns(task).then(() => settle(task.value));
      case "reject":
        return turns(task).then(() => {
          throw thrown(task.failure);
        });
      default: {
        const exit = (): unknown => {
          const reason = signal.reason;
          task.exitReason = reason;
          return thrown(
            task.op.behaviour === "signal"
              ? reason
              : task.op.behaviour === "cause"
              ? new Error(`task ${task.id} stopped`, { cause: reason })
              : new DOMException(`task ${task.id} aborted`, "AbortError"),
          );
        };
        if (signal.aborted) throw exit();
        return new Promise((_, reject) => {
          signal.addEventListener("abort", () => reject(exit()), {
            once: true,
          });
        });
      }
    }
  };

  const submit = (op: Extract<Op, { op: "submit" }>): void => {
    const task = makeTask(op);
    op = task.op;
    const l = op.limiter;
    const limiter = limiters[l];
    const where = `step ${step} (${op.method} task ${task.id})`;
    const stopped = manager.signal.aborted;
    const room = limiter.queued === 0 && limiter.active < limiter.limit;
    const { queued, dropped } = limiter;
    const options = op.options
      ? {
        ...(op.name ? { name: `task-${task.id}` } : {}),
        ...(task.controller ? { signal: task.controller.signal } : {}),
        ...(op.timeout ? { timeout: 60_000 } : {}),
      }
      : undefined;
    const fn = body(task);
    if (op.method !== "tryGo") {
      task.accepted = true;
      task.order = byLimiter[l].filter((t) => t.accepted).length;
    }
    let tried: boolean | undefined;
    if (op.method === "go") limiter.go(fn, options);
    else if (op.method === "tryGo") {
      // Accepted only if it starts: counted before the call, undone after.
      task.accepted = true;
      task.order = byLimiter[l].filter((t) => t.accepted).length;
      tried = limiter.tryGo(fn, options);
      if (!tried) task.accepted = false;
      if (tried !== task.started) {
        fail(`${where}: tryGo returned ${tried}, started ${task.started}`);
      }
      if (tried !== (!stopped && room)) {
        fail(
          `${where}: tryGo returned ${tried} with stopped ${stopped}, room ${room}`,
        );
      }
      // (A nested task may have queued another from its body.)
      if (!(tried && op.behaviour === "nested")) {
        if (limiter.queued !== queued) fail(`${where}: tryGo queued`);
        if (limiter.dropped !== dropped) fail(`${where}: tryGo dropped`);
      }
    } else {
      task.dropReason = stopped ? manager.signal.reason : undefined;
      const promise = limiter.run(fn, options);
      if (op.observe) {
        promise.then(
          (value) => task.result = { ok: true, value },
          (reason) => task.result = { ok: false, reason },
        );
      }
    }
    if (op.method !== "tryGo") {
      // Nothing is aborted here (own signals abort only in "cancel" steps).
      const expected = stopped ? "dropped" : room ? "started" : "queued";
      const actual = task.started
        ? "started"
        : limiter.dropped === dropped + 1
        ? "dropped"
        : limiter.queued === queued + 1
        ? "queued"
        : "lost";
      if (expected !== actual) {
        fail(`${where}: ${actual}, expected ${expected}`);
      }
    }
    check(where);
  };

  const cancel = (index: number): void => {
    const live = tasks.filter((t) =>
      t.controller && !t.controller.signal.aborted && !t.settled
    );
    // Even: a queued task if there is one; odd: any live one.
    const queued = live.filter((t) => t.accepted && !t.started);
    const pool = index % 2 === 0 && queued.length ? queued : live;
    if (!pool.length) return;
    const task = pool[(index >> 1) % pool.length]!;
    if (task.controller!.signal.aborted) return;
    if (
      task.accepted && !task.started && !task.cancelledQueued &&
      !manager.signal.aborted
    ) {
      task.cancelledQueued = true;
      task.dropReason = task.ownReason;
    }
    const { dropped } = limiters[task.op.limiter];
    task.controller!.abort(task.ownReason);
    if (
      task.cancelledQueued &&
      limiters[task.op.limiter].dropped !== dropped + 1
    ) {
      fail(`step ${step}: cancelling queued task ${task.id} did not drop it`);
    }
  };

  const ready = (op: Extract<Op, { op: "ready" }>): void => {
    const limiter = limiters[op.limiter];
    const call: ReadyCall = {
      limiter: op.limiter,
      backlog: op.backlog,
      at: step,
      value: undefined,
    };
    readies.push(call);
    const stopped = manager.signal.aborted;
    const room = limiter.active + limiter.queued < limiter.limit + op.backlog;
    const where = `ready(${op.backlog}) of step ${step}`;
    const nestedBefore = nested[op.limiter]!;
    limiter.ready(op.backlog).then((value) => {
      call.value = value;
      if (stopped && value) fail(`${where}: true after the stop`);
      if (!stopped && room && !value) fail(`${where}: false with room`);
      if (value) {
        // Only steps (not here) and nested tasks add tasks: those added
        // since the call may have come after the limiter resolved it.
        const { active, queued, limit } = limiter;
        const added = nested[op.limiter]! - nestedBefore;
        if (!(active + queued - added < limit + op.backlog)) {
          fail(
            `${where}: true with ${active} active, ${queued} queued, limit ${limit}`,
          );
        }
      } else if (!manager.signal.aborted) {
        fail(`${where}: false while the manager runs`);
      }
    }, (error) => fail(`${where}: rejected with ${label(error)}`));
  };

  const wait = (): void => {
    const record = { resolved: false, at: step };
    waits.push(record);
    manager.wait().then(() => {
      record.resolved = true;
      const busy = tasks.filter((t) => t.started && !t.settled);
      if (busy.length) {
        fail(
          `wait() of step ${record.at} resolved while task ${busy[0]!.id} runs`,
        );
      }
      if (limiters.some((l) => l.queued)) {
        fail(`wait() of step ${record.at} resolved while tasks are queued`);
      }
    }, (error) => fail(`wait() rejected with ${label(error)}`));
  };

  const driver = async (): Promise<void> => {
    for (const op of program.ops) {
      await s.schedule(Promise.resolve(), `step ${step}`);
      awake(`before step ${step}`);
      switch (op.op) {
        case "submit":
          submit(op);
          break;
        case "limit": {
          const limiter = limiters[op.limiter];
          cap[op.limiter] = Math.max(op.limit, limiter.active);
          limiter.limit = op.limit;
          break;
        }
        case "ready":
          ready(op);
          break;
        case "cancel":
          cancel(op.task);
          break;
        case "stop":
          if (program.stops) manager.stopAllGoroutines();
          break;
        case "parent":
          if (!program.stops) break;
          parentManager?.stopAllGoroutines();
          parentController?.abort(new Error("parent aborted"));
          break;
        case "wait":
          wait();
          break;
      }
      check(`step ${step} (${op.op})`);
      conserving(`step ${step} (${op.op})`);
      step++;
    }
  };

  await s.waitFor(driver());
  await s.waitIdle();
  await ticks(1);
  check("idle");
  conserving("idle");
  // Quiescent: every task still running waits for its signal.
  for (const l of [0, 1] as const) {
    if (limiters[l].active !== running(l)) {
      fail(
        `idle: limiter ${l} active ${limiters[l].active}, ${running(l)} run`,
      );
    }
  }
  awake("idle");
  let idle = false;
  manager.wait().then(() => idle = true);
  await ticks(1);
  const busy = tasks.some((t) => t.started && !t.settled);
  if (idle === busy) {
    fail(
      `idle: wait() ${idle ? "resolved" : "pending"} with ${
        busy ? "a task running" : "no task running"
      }`,
    );
  }
  const stopped = manager.signal.aborted;
  manager.stopAllGoroutines();
  await s.waitIdle();
  await ticks(1);
  check("end");

  // --- final checks ---
  if (!idle) {
    manager.wait().then(() => idle = true);
    await ticks(1);
    if (!idle) fail("end: wait() did not resolve after the stop");
  }
  for (const record of waits) {
    if (!record.resolved) {
      fail(`end: wait() of step ${record.at} never resolved`);
    }
  }
  if (manager.pending !== 0) fail(`end: pending ${manager.pending}`);
  if (manager.running.length) fail(`end: ${manager.running.length} running`);
  for (const l of [0, 1] as const) {
    const limiter = limiters[l];
    if (limiter.active || limiter.queued) {
      fail(
        `end: limiter ${l} active ${limiter.active} queued ${limiter.queued}`,
      );
    }
    const notStarted = byLimiter[l].filter((t) => t.accepted && !t.started);
    if (limiter.dropped !== notStarted.length) {
      fail(
        `end: limiter ${l} dropped ${limiter.dropped}, ${notStarted.length} never started`,
      );
    }
  }
  for (const call of readies) {
    if (call.value === undefined) {
      fail(`end: ready(${call.backlog}) of step ${call.at} never settled`);
    }
  }
  const reason = manager.signal.reason;
  const expectedErrors: unknown[] = [];
  for (const task of tasks) {
    if (!task.accepted) continue;
    if (task.started && !task.settled) {
      fail(`end: task ${task.id} never settled`);
      continue;
    }
    const thrown = task.threw?.value;
    // An exit on its own signal's reason: not a failure; run() rejects with
    // the reason.
    const ownExit = task.exitReason !== undefined &&
      task.exitReason === task.ownReason;
    // An exit on the manager's stop reason (its own or its parent manager's)
    // is graceful; a parent controller's plain reason is not.
    const graceful = task.exitReason !== undefined &&
      task.exitReason === reason && stopReasons.includes(reason);
    if (task.threw && !ownExit && !graceful) expectedErrors.push(thrown);
    if (task.op.method === "run" && task.op.observe) {
      const expected = task.started
        ? task.threw
          ? { ok: false, reason: ownExit ? task.ownReason : thrown }
          : { ok: true, value: task.value }
        : { ok: false, reason: task.dropReason ?? reason };
      const actual = task.result;
      if (
        !actual || actual.ok !== expected.ok ||
        (actual.ok ? actual.value !== expected.value : actual.reason !==
          (expected as { reason: unknown }).reason)
      ) {
        fail(
          `end: run() of task ${task.id} ${
            actual
              ? actual.ok
                ? `resolved ${label(actual.value)}`
                : `rejected ${label(actual.reason)}`
              : "did not settle"
          }, expected ${
            expected.ok
              ? "to resolve"
              : `to reject ${label((expected as { reason: unknown }).reason)}`
          }`,
        );
      }
    }
  }
  const collected = manager.errors.map((e) =>
    e instanceof GoroutineError ? e.cause : e
  );
  const missing = expectedErrors.filter((e) => !collected.includes(e));
  const extra = collected.filter((e) => !expectedErrors.includes(e));
  if (
    missing.length || extra.length || collected.length !== expectedErrors.length
  ) {
    fail(
      `end: errors [${collected.map(label)}], expected [${
        expectedErrors.map(label)
      }] (stopped before the end: ${stopped})`,
    );
  }
  return violations;
}

function describeProgram(program: Program): string {
  return `parent ${program.parent}, failures ${program.failures}, stops ${program.stops}, limits ${program.limits}\n` +
    program.ops.map((op, i) => `  ${i}: ${JSON.stringify(op)}`).join("\n");
}

// --- properties --------------------------------------------------------------

describe("GoroutineLimiter properties (fc.scheduler() interleavings)", () => {
  it(
    "limits, FIFO, tryGo, ready, run() results, errors, wait() hold for random programs",
    SLOW,
    async () => {
      // The tasks' 60 s timeouts never fire: each timer must be cleared when
      // its task settles. Counted through the globals the limiter calls.
      const live = new Set<unknown>();
      const realSet = globalThis.setTimeout;
      const realClear = globalThis.clearTimeout;
      globalThis.setTimeout = ((fn: () => void, ms?: number) => {
        const id = realSet(fn, ms);
        if (ms === 60_000) live.add(id);
        return id;
      }) as unknown as typeof setTimeout;
      globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
        live.delete(id);
        realClear(id);
      }) as typeof clearTimeout;
      try {
        await fc.assert(
          fc.asyncProperty(programArb, fc.scheduler(), async (program, s) => {
            const from = watcher.seen.length;
            const violations = await runLimiterProgram(program, s);
            await ticks(1);
            if (live.size) {
              violations.push(`end: ${live.size} task timers not cleared`);
              for (const id of live) realClear(id as number);
              live.clear();
            }
            assertNoViolations(
              violations,
              watcher.since(from),
              describeProgram(program),
              s,
            );
          }),
          { numRuns: 150 },
        );
      } finally {
        globalThis.setTimeout = realSet;
        globalThis.clearTimeout = realClear;
      }
    },
  );
});

// --- mapGoroutines programs --------------------------------------------------

type MapItem = {
  /**
   * value: the mapper returns it; resolve/reject: its promise settles after
   * `turns` releases; throw: the mapper throws synchronously; signal: waits
   * for its signal and throws the reason.
   */
  readonly behaviour: "value" | "resolve" | "reject" | "throw" | "signal";
  readonly turns: number;
  /** Async inputs: how many releases before the item is yielded. */
  readonly yieldTurns: number;
};

interface MapProgram {
  readonly input: "array" | "generator" | "async generator";
  readonly parent: boolean;
  readonly limit: number;
  readonly items: readonly MapItem[];
  /** The input throws instead of yielding this item. */
  readonly inputFailsAt: number | null;
  /** After how many releases the program stops the manager (or its parent). */
  readonly stopAfter: number | null;
  readonly stopParent: boolean;
}

const mapItemArb: fc.Arbitrary<MapItem> = fc.record({
  behaviour: fc.oneof(
    { weight: 3, arbitrary: fc.constant("value" as const) },
    { weight: 6, arbitrary: fc.constant("resolve" as const) },
    { weight: 1, arbitrary: fc.constant("reject" as const) },
    { weight: 1, arbitrary: fc.constant("throw" as const) },
    { weight: 1, arbitrary: fc.constant("signal" as const) },
  ),
  turns: fc.integer({ min: 1, max: 3 }),
  yieldTurns: fc.integer({ min: 0, max: 2 }),
});

const mapProgramArb: fc.Arbitrary<MapProgram> = fc.record({
  input: fc.constantFrom(
    "array" as const,
    "generator" as const,
    "async generator" as const,
  ),
  parent: fc.boolean(),
  limit: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }) },
    { weight: 1, arbitrary: fc.constant(Infinity) },
  ),
  items: fc.array(mapItemArb, { maxLength: 10 }),
  inputFailsAt: fc.option(fc.nat({ max: 12 }), { freq: 5 }),
  stopAfter: fc.option(fc.nat({ max: 12 }), { freq: 2 }),
  stopParent: fc.boolean(),
});

async function runMapProgram(
  program: MapProgram,
  s: fc.Scheduler,
): Promise<string[]> {
  const violations: string[] = [];
  const fail = (message: string): void => void violations.push(message);
  const parent = program.parent ? new GoroutineManager() : undefined;
  const manager = new GoroutineManager(
    parent ? { signal: parent.signal } : {},
  );
  const { items, limit } = program;
  const values = items.map((_, i) => ({ item: i }));
  const failures = items.map((_, i) => new Error(`mapper ${i} failed`));
  const inputFailure = new Error("input failed");
  /** Event clock: failures thrown and the stop, in order. */
  let clock = 0;
  const thrown: { value: unknown; at: number; sync: boolean }[] = [];
  let stoppedAt = Infinity;
  let settled: { ok: boolean; value: unknown } | undefined;
  let reads = 0;
  let exhausted = false;
  let closed = false;
  let inputThrew = false;
  let runningMappers = 0;
  const called: number[] = [];

  /** A read: an index of the array, or a call of the iterator's next(). */
  const read = (what: string): void => {
    reads++;
    if (settled) fail(`${what} after the map settled`);
  };
  const yieldTurns = async (i: number): Promise<void> => {
    for (let t = 0; t < (items[i]?.yieldTurns ?? 0); t++) {
      await s.schedule(Promise.resolve(), `input ${i} turn ${t}`);
    }
  };
  const failsAt = program.inputFailsAt;
  /** `generator` as an iterable whose next() calls count as reads. */
  function counted<G extends Generator | AsyncGenerator>(generator: G): G {
    const next = generator.next as (this: G) => unknown;
    return Object.assign(generator, {
      next: (...args: []) => {
        read("next() called");
        return next.call(generator, ...args);
      },
    });
  }
  let input: Iterable<{ item: number }> | AsyncIterable<{ item: number }>;
  if (program.input === "array") {
    // An array (read by index): a proxy sees every read.
    input = new Proxy(values, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) {
          read(`item ${key} read`);
        }
        return Reflect.get(target, key, receiver);
      },
    });
  } else if (program.input === "generator") {
    input = counted((function* () {
      try {
        for (let i = 0; i < values.length; i++) {
          if (i === failsAt) {
            inputThrew = true;
            thrown.push({ value: inputFailure, at: clock++, sync: true });
            throw inputFailure;
          }
          yield values[i]!;
        }
        exhausted = true;
      } finally {
        closed = true;
      }
    })());
  } else {
    input = counted((async function* () {
      try {
        for (let i = 0; i < values.length; i++) {
          await yieldTurns(i);
          if (i === failsAt) {
            inputThrew = true;
            thrown.push({ value: inputFailure, at: clock++, sync: false });
            throw inputFailure;
          }
          yield values[i]!;
        }
        exhausted = true;
      } finally {
        closed = true;
      }
    })());
  }

  const mapper = (
    value: { item: number },
    index: number,
    signal: AbortSignal,
  ): unknown => {
    const i = value.item;
    if (index !== i) fail(`mapper called with item ${i} at index ${index}`);
    if (called.includes(i)) fail(`item ${i} mapped twice`);
    if (settled) fail(`item ${i} started after the map settled`);
    if (manager.signal.aborted) fail(`item ${i} started after the stop`);
    if (called.length && called[called.length - 1]! > i) {
      fail(`item ${i} started after item ${called[called.length - 1]}`);
    }
    called.push(i);
    runningMappers++;
    if (runningMappers > limit) {
      fail(`${runningMappers} mappers run at once, limit ${limit}`);
    }
    if (manager.pending > limit) {
      fail(`${manager.pending} goroutines, limit ${limit}`);
    }
    const done = (): void => void runningMappers--;
    const failure = (value: unknown, sync: boolean): unknown => {
      done();
      thrown.push({ value, at: clock++, sync });
      return value;
    };
    const turns = async (): Promise<void> => {
      for (let t = 0; t < items[i]!.turns; t++) {
        await s.schedule(Promise.resolve(), `mapper ${i} turn ${t}`);
      }
    };
    switch (items[i]!.behaviour) {
      case "value":
        done();
        return values[i];
      case "throw":
        throw failure(failures[i], true);
      case "resolve":
        return turns().then(() => {
          done();
          return values[i];
        });
      case "reject":
        return turns().then(() => {
          throw failure(failures[i], false);
        });
      case "signal":
        if (signal.aborted) throw failure(signal.reason, true);
        return new Promise((_, reject) => {
          signal.addEventListener(
            "abort",
            () => reject(failure(signal.reason, false)),
            { once: true },
          );
        });
    }
  };

  const stop = (): void => {
    if (manager.signal.aborted) return;
    stoppedAt = clock++;
    if (program.stopParent && parent) parent.stopAllGoroutines();
    else manager.stopAllGoroutines();
  };
  if (program.stopAfter !== null) {
    (async () => {
      for (let t = 0; t <= program.stopAfter!; t++) {
        await s.schedule(Promise.resolve(), `stop turn ${t}`);
      }
      stop();
    })();
  }

  const mapped = mapGoroutines(manager, input, mapper, { limit });
  if (manager.pending > limit) {
    fail(`${manager.pending} goroutines at once, limit ${limit}`);
  }
  if (program.input !== "async generator") {
    // A sync input fills the slots at once: min(limit, items) mappers, up to
    // the first synchronous failure (of a mapper, or of the input).
    let expected = 0;
    for (let k = 0; k < Math.min(limit, items.length); k++) {
      if (program.input === "generator" && k === failsAt) break;
      expected++;
      if (items[k]!.behaviour === "throw") break;
    }
    if (called.length !== expected) {
      fail(`${called.length} mappers started at once, expected ${expected}`);
    }
  }
  let settledAt = Infinity;
  mapped.then(
    (value) => {
      settled = { ok: true, value };
      settledAt = clock++;
    },
    (value) => {
      settled = { ok: false, value };
      settledAt = clock++;
      // A sync generator is closed as the map fails (even while a mapper
      // still runs).
      if (program.input === "generator" && !exhausted && !closed) {
        fail("the input was not closed as the map failed");
      }
    },
  );
  await s.waitIdle();
  await ticks(1);
  // Mappers that wait for their signal end with the stop.
  stop();
  await s.waitIdle();
  await ticks(1);

  let idle = false;
  manager.wait().then(() => idle = true);
  await ticks(1);
  if (!idle) fail(`end: wait() pending (pending ${manager.pending})`);
  if (manager.pending !== 0) fail(`end: pending ${manager.pending}`);
  const outcome = settled as { ok: boolean; value: unknown } | undefined;
  const reason = manager.signal.reason;
  const first = thrown[0];
  if (!outcome) fail("end: the map never settled");
  else if (outcome.ok) {
    if (first && first.at < settledAt || stoppedAt < settledAt) {
      fail(`end: resolved after ${first ? label(first.value) : "the stop"}`);
    }
    const results = outcome.value as unknown[];
    if (
      results.length !== values.length ||
      results.some((r, i) => r !== values[i])
    ) {
      fail(`end: results [${results.map(label)}] not in input order`);
    }
  } else if (outcome.value === reason && stoppedAt < (first?.at ?? Infinity)) {
    // The manager stopped first: its reason.
  } else {
    const value = outcome.value;
    if (!thrown.some((t) => t.value === value)) {
      fail(`end: rejected with ${label(value)}, not a failure`);
    } else if (first && first.at > stoppedAt) {
      fail(`end: rejected with ${label(value)}, thrown after the stop`);
    }
    const [collected] = manager.errors;
    if (collected !== value) {
      fail(
        `end: rejected with ${label(value)}, first error ${label(collected)}`,
      );
    }
    if (!thrown.some((t) => t.sync) && value !== first?.value) {
      fail(
        `end: rejected with ${label(value)}, first failure ${
          label(first?.value)
        }`,
      );
    }
    if (reads > called.length + limit + 1) {
      fail(`end: ${reads} items read for ${called.length} mapped`);
    }
  }
  if (program.input !== "array" && !exhausted && !closed) {
    fail("end: the input was neither exhausted nor closed");
  }
  if (
    program.input !== "array" &&
    inputThrew !== thrown.some((t) => t.value === inputFailure)
  ) {
    fail("end: input failure not recorded");
  }
  // Every failure is collected but the stop reasons' (graceful).
  const stopReasons: unknown[] = [manager.getErrGoroutineStopped()];
  if (parent) stopReasons.push(parent.getErrGoroutineStopped());
  const expected = thrown.map((t) => t.value).filter((v) =>
    !stopReasons.includes(v)
  );
  const errors = manager.errors;
  if (
    errors.length !== expected.length ||
    errors.some((e) => !expected.includes(e))
  ) {
    fail(
      `end: errors [${errors.map(label)}], expected [${expected.map(label)}]`,
    );
  }
  return violations;
}

describe("mapGoroutines properties (fc.scheduler() interleavings)", () => {
  it(
    "results in order, at most limit at once, first failure, nothing read after it, input closed",
    SLOW,
    async () => {
      await fc.assert(
        fc.asyncProperty(mapProgramArb, fc.scheduler(), async (program, s) => {
          const from = watcher.seen.length;
          const violations = await runMapProgram(program, s);
          await ticks(1);
          assertNoViolations(
            violations,
            watcher.since(from),
            JSON.stringify(program),
            s,
          );
        }),
        { numRuns: 200 },
      );
    },
  );
});

// --- timeouts that fire (real timers) ----------------------------------------

interface TimeoutTask {
  readonly timeout: boolean;
  readonly named: boolean;
  /** Waits for its signal and throws its reason, or ignores it and returns. */
  readonly behaviour: "signal" | "ignore";
}

const timeoutProgramArb = fc.record({
  limit: fc.integer({ min: 1, max: 3 }),
  tasks: fc.array(
    fc.record({
      timeout: fc.boolean(),
      named: fc.boolean(),
      behaviour: fc.constantFrom("signal" as const, "ignore" as const),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

describe("GoroutineLimiter timeouts (real 0 ms timers)", () => {
  it(
    "a task that exits on its timeout is collected as a GoroutineError naming it with the TimeoutError; run() rejects with it; nothing else fails",
    SLOW,
    async () => {
      await fc.assert(
        fc.asyncProperty(timeoutProgramArb, async ({ limit, tasks }) => {
          const from = watcher.seen.length;
          const violations: string[] = [];
          const fail = (message: string): void => void violations.push(message);
          const manager = new GoroutineManager();
          const limiter = new GoroutineLimiter(manager, limit);
          const stopReason = manager.getErrGoroutineStopped();
          const records = tasks.map((spec, i) => ({
            spec,
            // Unnamed: the function's name (README), `fn` below.
            name: spec.named ? `timed-${i}` : "fn",
            started: false,
            settled: false,
            exit: undefined as unknown,
            result: undefined as
              | { ok: boolean; value: unknown }
              | undefined,
          }));
          const value = {};
          records.forEach((record, i) => {
            const fn = (signal: AbortSignal): Promise<unknown> => {
              record.started = true;
              if (limiter.active > limit) fail(`task ${i}: over the limit`);
              if (record.spec.behaviour === "ignore") {
                return ticks(2).then(() => {
                  record.settled = true;
                  return value;
                });
              }
              return new Promise((_, reject) => {
                signal.addEventListener("abort", () => {
                  record.exit = signal.reason;
                  record.settled = true;
                  reject(signal.reason);
                }, { once: true });
              });
            };
            const options = {
              ...(record.spec.named ? { name: record.name } : {}),
              ...(record.spec.timeout ? { timeout: 0 } : {}),
            };
            limiter.run(fn, options).then(
              (value) => record.result = { ok: true, value },
              (value) => record.result = { ok: false, value },
            );
          });
          // Timers fire; a task that times out stops the manager, which ends
          // those that wait for their signal. Wait while a running task can
          // end by itself (it ignores its signal, or times out), then stop.
          const progress = (): boolean =>
            records.some((r) =>
              r.started && !r.settled &&
              (r.spec.behaviour === "ignore" || r.spec.timeout)
            );
          for (
            let i = 0;
            i < 50 && !manager.signal.aborted && progress();
            i++
          ) {
            await ticks(1);
          }
          // A task with a 0 ms timeout that waits for its signal started:
          // its timeout (or another's) stopped the manager.
          if (
            !manager.signal.aborted &&
            records.some((r) =>
              r.started && r.spec.timeout && r.spec.behaviour === "signal"
            )
          ) {
            fail("a task with a 0 ms timeout started and never timed out");
          }
          manager.stopAllGoroutines();
          for (let i = 0; i < 8 && manager.pending; i++) await ticks(1);
          await ticks(1);
          if (manager.pending) fail(`pending ${manager.pending} at the end`);
          const timedOut = records.filter((r) =>
            r.exit instanceof DOMException && r.exit.name === "TimeoutError"
          );
          const errors = manager.errors;
          for (const error of errors) {
            if (
              !(error instanceof GoroutineError) ||
              !timedOut.some((r) =>
                r.exit === error.cause && r.name === error.goroutine
              )
            ) {
              fail(`unexpected error ${label(error)}`);
            }
          }
          if (errors.length !== timedOut.length) {
            fail(`${errors.length} errors, ${timedOut.length} timed out`);
          }
          records.forEach((r, i) => {
            const expected = !r.started
              ? { ok: false, value: stopReason }
              : r.spec.behaviour === "ignore"
              ? { ok: true, value }
              : { ok: false, value: r.exit };
            if (
              r.result?.ok !== expected.ok || r.result.value !== expected.value
            ) {
              fail(
                `run() of task ${i} ${
                  r.result
                    ? `${r.result.ok ? "resolved" : "rejected"} ${
                      label(r.result.value)
                    }`
                    : "pending"
                }, expected ${label(expected.value)}`,
              );
            }
            if (
              r.exit !== undefined && r.exit !== stopReason && !r.spec.timeout
            ) {
              fail(`task ${i} without timeout saw ${label(r.exit)}`);
            }
          });
          assertNoViolations(
            violations,
            watcher.since(from),
            JSON.stringify({ limit, tasks }),
          );
        }),
        { numRuns: 60 },
      );
    },
  );
});
