// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Property-based tests of re-entrancy with fast-check: user code that the
// library calls (waitUntil, hooks.onAfterRecover, abort listeners on
// manager.signal and on task signals, task bodies, limiter task bodies,
// mapGoroutines mappers, wait()/waitFor()/ready() continuations) itself
// starts foreground and background tasks, submits limiter tasks with go(),
// tryGo() and run(), changes limiter.limit, cancels a limiter task's own
// signal, stops the manager, creates and settles panic collectors, calls
// wait(), waitFor() and ready(), and maps arrays with mapGoroutines(), up to
// a bounded depth; task results may be thenables whose then() does the same,
// and mapGoroutines() inputs sync or async generators whose steps and
// finally do. Programs run on one GoroutineManager (with or without the hook,
// which may throw or rethrow, waitUntil, which may throw, and a parent
// manager that the program may stop) and zero to two GoroutineLimiters
// (random limits, background or not); task settlements and the program's
// steps are interleaved by fc.scheduler(); no real timer but 0 ms ticks. After the
// program settles (every scheduled turn released, then a final stop and
// wait()), checked:
// - every task the program submitted ran exactly once, or (limiter tasks
//   only) was dropped: a started goroutine's body ran before start…()
//   returned, tryGo() returned true exactly for the tasks it started (at once),
//   and limiter.dropped counts exactly the accepted limiter tasks that never
//   ran; no limiter task or mapper started after the manager's signal
//   aborted, except a limiter task whose start the manager's waitUntil call
//   (user code, run as it starts) stopped (a mapper whose next worker's read
//   stopped the manager once started after the map rejected: fixed with this
//   file);
// - every run() promise settled as its task did (value, failure, or the
//   reason of the signal that dropped or cancelled it), every mapGoroutines()
//   promise settled (in input order when it resolved, with each mapper run
//   once; otherwise with one of its mappers' failures or the manager's
//   signal.reason), every wait(), waitFor() and ready() settled (resolved,
//   or for waitFor() with a signal, rejected with a GoroutineWaitError whose
//   cause is that signal's reason);
// - every error user code threw (tasks, mappers, collectors, the hook,
//   waitUntil) is in manager.errors exactly once (a named task's as a
//   GoroutineError whose cause it is), and nothing else is: graceful exits
//   after the stop (a task rethrowing its signal's reason, a collector given
//   the stop reason) and exits on a task's own cancelled signal are not;
//   the hook ran once per collected error but its own throws, each waitUntil
//   promise resolved;
// - at the end manager.pending === 0 (and wait() resolved), manager.running
//   is empty, limiter.active === 0 and limiter.queued === 0, and the abort
//   listeners on manager.signal are exactly the ones the program added, and
//   none is left on the parent's signal;
// - no unhandled rejection, no uncaught exception.

import { describe, it } from "node:test";
import fc from "fast-check";
import {
  GoroutineError,
  GoroutineLimiter,
  GoroutineManager,
  GoroutineWaitError,
  mapGoroutines,
  waitFor,
} from "goroutine-manager";
import {
  assertNoViolations,
  label,
  ticks,
  watchEscapesInFile,
} from "./_values.ts";
import { countListeners } from "./_helpers.ts";

const watcher = watchEscapesInFile();

/** Bun's default per-test timeout is 5 s; a loaded 2-core machine needs more. */
const SLOW = { timeout: 300_000 };

// --- programs ----------------------------------------------------------------

type Kind =
  /** Returns a value synchronously. */
  | "return"
  /** Throws a fresh Error synchronously. */
  | "throw"
  /** Resolves after `turns` scheduler releases. */
  | "resolve"
  /** Rejects with a fresh Error after `turns` scheduler releases. */
  | "reject"
  /** After `turns` releases, waits for its signal and throws its reason. */
  | "signal"
  /**
   * Returns a thenable (not a promise) whose `then`, called by the library
   * as it adopts it, does the `later` actions, then resolves.
   */
  | "thenable";

/** What a task body (or a mapper) does. */
interface Body {
  readonly kind: Kind;
  readonly turns: number;
  /** Done synchronously as the body starts. */
  readonly now: readonly Action[];
  /** Done after the turns, before it settles (async kinds and thenables). */
  readonly later: readonly Action[];
  /** Done by an abort listener it adds to its own signal (if any). */
  readonly onAbort: readonly Action[];
}

type Action =
  | {
    readonly a: "fg" | "bg";
    readonly body: Body;
    readonly named: boolean;
  }
  | {
    readonly a: "go" | "tryGo" | "run";
    /** Which limiter (the first one if the program has only one). */
    readonly l: 0 | 1;
    readonly body: Body;
    readonly named: boolean;
    readonly cancellable: boolean;
  }
  | { readonly a: "limit"; readonly l: 0 | 1; readonly limit: number }
  | { readonly a: "cancel"; readonly k: number }
  | { readonly a: "stop" }
  /** Stops the parent manager (graceful for this one), if there is one. */
  | { readonly a: "parentStop" }
  | {
    readonly a: "collector";
    readonly foreground: boolean;
    readonly outcome: "ok" | "fail" | "graceful";
    /** 0: settled at once; else after that many scheduler releases. */
    readonly turns: number;
    readonly then: readonly Action[];
  }
  | {
    readonly a: "wait" | "listen";
    readonly then: readonly Action[];
  }
  | {
    readonly a: "waitFor";
    /** With a signal of its own (which "cancel" may abort). */
    readonly cancellable: boolean;
    readonly then: readonly Action[];
  }
  | {
    readonly a: "ready";
    readonly l: 0 | 1;
    readonly backlog: number;
    readonly then: readonly Action[];
  }
  | {
    readonly a: "map";
    /** An array, or a sync or async generator that does `step` per item. */
    readonly input: "array" | "generator" | "async";
    readonly items: readonly {
      readonly body: Body;
      readonly step: readonly Action[];
    }[];
    /** Done by a generator's `finally` (as the map closes it, or it ends). */
    readonly finally: readonly Action[];
    readonly limit: number;
  };

interface Program {
  /** Whether throw/reject bodies and failing collectors keep failing. */
  readonly failures: boolean;
  /** Whether the manager follows a parent manager's signal. */
  readonly parent: boolean;
  /** Zero, one or two limiters on the manager. */
  readonly limiters: readonly {
    readonly limit: number;
    readonly background: boolean;
  }[];
  /**
   * Per call of the hook (none: no hook): its actions, and whether it throws
   * (a fresh Error, collected; or rethrows the error it was given, which is
   * not collected again).
   */
  readonly hook:
    | readonly {
      readonly then: readonly Action[];
      readonly throws: boolean;
      readonly rethrows: boolean;
    }[]
    | null;
  /** Per call of waitUntil (none: no waitUntil). */
  readonly waitUntil:
    | readonly { readonly then: readonly Action[]; readonly throws: boolean }[]
    | null;
  readonly ops: readonly Action[];
}

const limitArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constant(Infinity) },
);

const kindArb: fc.Arbitrary<Kind> = fc.oneof(
  { weight: 2, arbitrary: fc.constant("return" as const) },
  { weight: 1, arbitrary: fc.constant("throw" as const) },
  { weight: 3, arbitrary: fc.constant("resolve" as const) },
  { weight: 1, arbitrary: fc.constant("reject" as const) },
  { weight: 2, arbitrary: fc.constant("signal" as const) },
  { weight: 1, arbitrary: fc.constant("thenable" as const) },
);
const lArb = fc.constantFrom(0 as const, 1 as const);

const DEPTH = { depthSize: "medium", depthIdentifier: "reentry" } as const;

/** A body that calls nothing back. */
const plainBodyArb: fc.Arbitrary<Body> = fc.record({
  kind: kindArb,
  turns: fc.integer({ min: 1, max: 3 }),
  now: fc.constant([]),
  later: fc.constant([]),
  onAbort: fc.constant([]),
});

/**
 * Actions without a callback of their own, the same at every depth: change a
 * limit, cancel a task's own signal, stop the manager or its parent.
 */
const simpleActionArbs: fc.WeightedArbitrary<Action>[] = [
  {
    weight: 2,
    arbitrary: fc.record({
      a: fc.constant("limit" as const),
      l: lArb,
      limit: limitArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      a: fc.constant("cancel" as const),
      k: fc.nat(20),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ a: "stop" as const }) },
  { weight: 1, arbitrary: fc.constant({ a: "parentStop" as const }) },
];

/** What the deepest callbacks do: no callback of their own. */
const leafArb: fc.Arbitrary<Action> = fc.oneof(
  ...simpleActionArbs,
  {
    weight: 2,
    arbitrary: fc.record({
      a: fc.constantFrom("fg" as const, "bg" as const),
      body: plainBodyArb,
      named: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      a: fc.constantFrom("go" as const, "tryGo" as const, "run" as const),
      l: lArb,
      body: plainBodyArb,
      named: fc.boolean(),
      cancellable: fc.boolean(),
    }),
  },
);

const arbs = fc.letrec<{
  action: Action;
  actions: Action[];
  body: Body;
}>((tie) => ({
  // Mostly nothing; else one or two actions, ever rarer with depth.
  actions: fc.oneof(
    { depthIdentifier: "reentry" },
    { weight: 3, arbitrary: fc.constant<Action[]>([]) },
    {
      weight: 2,
      arbitrary: fc.array(tie("action"), {
        minLength: 1,
        maxLength: 2,
        depthIdentifier: "reentry",
      }),
    },
  ),
  body: fc.record({
    kind: kindArb,
    turns: fc.integer({ min: 1, max: 3 }),
    now: tie("actions"),
    later: tie("actions"),
    onAbort: tie("actions"),
  }),
  action: fc.oneof(
    { ...DEPTH, maxDepth: 4 },
    // Leaves first: the deeper, the likelier (and the only choice at depth 4).
    { weight: 4, arbitrary: leafArb },
    ...simpleActionArbs,
    {
      weight: 3,
      arbitrary: fc.record({
        a: fc.constantFrom("fg" as const, "bg" as const),
        body: tie("body"),
        named: fc.boolean(),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        a: fc.constantFrom("go" as const, "tryGo" as const, "run" as const),
        l: lArb,
        body: tie("body"),
        named: fc.boolean(),
        cancellable: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        a: fc.constant("collector" as const),
        foreground: fc.boolean(),
        outcome: fc.constantFrom(
          "ok" as const,
          "fail" as const,
          "graceful" as const,
        ),
        turns: fc.integer({ min: 0, max: 2 }),
        then: tie("actions"),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        a: fc.constantFrom("wait" as const, "listen" as const),
        then: tie("actions"),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        a: fc.constant("waitFor" as const),
        cancellable: fc.boolean(),
        then: tie("actions"),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        a: fc.constant("ready" as const),
        l: lArb,
        backlog: fc.integer({ min: 0, max: 2 }),
        then: tie("actions"),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        a: fc.constant("map" as const),
        input: fc.constantFrom(
          "array" as const,
          "generator" as const,
          "async" as const,
        ),
        items: fc.array(
          fc.record({ body: tie("body"), step: tie("actions") }),
          {
            maxLength: 3,
            depthIdentifier: "reentry",
          },
        ),
        finally: tie("actions"),
        limit: limitArb,
      }),
    },
  ),
}));

/** true one time in five. */
const rarelyArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);
const callsArb = fc.option(
  fc.array(fc.record({ then: arbs.actions, throws: rarelyArb }), {
    maxLength: 4,
  }),
  { nil: null },
);
const hookCallsArb = fc.option(
  fc.array(
    fc.record({ then: arbs.actions, throws: rarelyArb, rethrows: rarelyArb }),
    { maxLength: 4 },
  ),
  { nil: null },
);

const programArb: fc.Arbitrary<Program> = fc.record({
  failures: fc.boolean(),
  parent: fc.boolean(),
  limiters: fc.array(
    fc.record({ limit: limitArb, background: fc.boolean() }),
    { maxLength: 2 },
  ),
  hook: hookCallsArb,
  waitUntil: callsArb,
  ops: fc.array(arbs.action, { minLength: 1, maxLength: 8 }),
});

// --- the interpreter ---------------------------------------------------------

/** A task, mapper or collector the program made. */
interface Rec {
  readonly id: number;
  readonly via:
    | "fg"
    | "bg"
    | "go"
    | "tryGo"
    | "run"
    | "map";
  readonly name: string | undefined;
  readonly value: object;
  readonly controller: AbortController | undefined;
  readonly ownReason: Error | undefined;
  /** The limiter it was submitted to. */
  limiter: GoroutineLimiter | undefined;
  /** The map it is a mapper of. */
  map: MapRec | undefined;
  /** go/run, or tryGo that returned true. */
  accepted: boolean;
  starts: number;
  /** What it threw that must be collected. */
  failure: Error | undefined;
  /** The signal reason a "signal" body rethrew. */
  exit: unknown;
  /** The settled run() promise. */
  result:
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly reason: unknown }
    | undefined;
}

interface MapRec {
  readonly id: number;
  readonly mappers: Rec[];
  /** A generator input: whether its body began, and whether it finished. */
  begun: boolean;
  finished: boolean;
  result:
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly reason: unknown }
    | undefined;
}

/** Actions done per program at most (a runaway guard; never reached). */
const BUDGET = 400;

async function runProgram(
  program: Program,
  s: fc.Scheduler,
): Promise<string[]> {
  const violations: string[] = [];
  const fail = (message: string): void => void violations.push(message);
  const recs: Rec[] = [];
  const maps: MapRec[] = [];
  /** The own signals the program made (limiter tasks', waitFor()'s). */
  const controllers: { controller: AbortController; reason: Error }[] = [];
  /** Every Error user code threw that the manager must collect once. */
  const failures: Error[] = [];
  /** Of those, the ones the hook threw (never passed to the hook). */
  const hookFailures = new Set<Error>();
  const hookSaw: Error[] = [];
  const settles: { what: string; settled: boolean }[] = [];
  let performed = 0;
  let waitUntilCalls = 0;
  let waitUntilResolved = 0;
  let programListeners = 0;
  /**
   * How many goroutines may start after the manager's signal aborted: those
   * whose waitUntil call (made as they start, before their first step)
   * stopped the manager, or threw (collected: a stop).
   */
  let startsAfterStop = 0;

  const newFailure = (what: string): Error => {
    const error = new Error(`${what} failed`);
    failures.push(error);
    return error;
  };

  // Filled in once the manager exists (the hook and waitUntil need it).
  // Assigned once below, read by the hook and waitUntil (which the
  // constructor's options need first).
  // deno-lint-ignore prefer-const
  let manager!: GoroutineManager;
  const limiters: GoroutineLimiter[] = [];
  /** The limiter of an action (the first one when the program has one). */
  const limiterOf = (l: 0 | 1): GoroutineLimiter | undefined =>
    limiters[l] ?? limiters[0];

  const hookCalls = program.hook;
  const waitUntilPlan = program.waitUntil;
  const options: ConstructorParameters<typeof GoroutineManager>[0] = {};
  if (hookCalls) {
    options.hooks = {
      onAfterRecover: (error) => {
        const call = hookCalls[hookSaw.length];
        hookSaw.push(error);
        if (call) {
          performAll(call.then, "hook");
          if (call.throws && program.failures) {
            const thrown = newFailure(`hook call ${hookSaw.length}`);
            hookFailures.add(thrown);
            throw thrown;
          }
          if (call.rethrows) throw error;
        }
      },
    };
  }
  if (waitUntilPlan) {
    options.waitUntil = (promise) => {
      const call = waitUntilPlan[waitUntilCalls++];
      promise.then(
        () => void waitUntilResolved++,
        (error) => fail(`a waitUntil promise rejected with ${label(error)}`),
      );
      const live = !manager.signal.aborted;
      // That start follows in the same synchronous run, or never.
      queueMicrotask(() => startsAfterStop = 0);
      if (call) {
        performAll(call.then, "waitUntil");
        if (call.throws && program.failures) {
          // Collected, so the manager stops before the goroutine starts.
          if (live) startsAfterStop++;
          throw newFailure(`waitUntil call ${waitUntilCalls}`);
        }
      }
      if (live && manager.signal.aborted) startsAfterStop++;
    };
  }
  const parent = program.parent ? new GoroutineManager() : undefined;
  const parentListeners = parent && countListeners(parent.signal);
  if (parent) options.signal = parent.signal;
  manager = new GoroutineManager(options);
  const listeners = countListeners(manager.signal);
  for (const { limit, background } of program.limiters) {
    limiters.push(new GoroutineLimiter(manager, limit, { background }));
  }

  const track = (what: string, promise: Promise<unknown>): void => {
    const record = { what, settled: false };
    settles.push(record);
    promise.then(
      () => record.settled = true,
      (error) => {
        record.settled = true;
        fail(`${what} rejected with ${label(error)}`);
      },
    );
  };

  const newRec = (
    via: Rec["via"],
    named: boolean,
    cancellable: boolean,
  ): Rec => {
    const id = recs.length;
    const controller = cancellable ? new AbortController() : undefined;
    const ownReason = controller
      ? new Error(`task ${id} cancelled`)
      : undefined;
    if (controller) controllers.push({ controller, reason: ownReason! });
    const rec: Rec = {
      id,
      via,
      name: named ? `task-${id}` : undefined,
      value: { task: id },
      controller,
      ownReason,
      limiter: undefined,
      map: undefined,
      accepted: false,
      starts: 0,
      failure: undefined,
      exit: undefined,
      result: undefined,
    };
    recs.push(rec);
    return rec;
  };

  const turns = async (n: number, what: string): Promise<void> => {
    for (let i = 0; i < n; i++) {
      await s.schedule(Promise.resolve(), `${what} turn ${i}`);
    }
  };

  const aborted = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });

  /** Runs `body` as `rec`'s task with `signal`, as the library calls it. */
  const exec = (rec: Rec, body: Body, signal: AbortSignal): unknown => {
    rec.starts++;
    const what = `${rec.via} ${rec.id}`;
    if (rec.starts > 1) fail(`${what} started ${rec.starts} times`);
    if (rec.via !== "fg" && rec.via !== "bg" && manager.signal.aborted) {
      if (rec.via !== "map" && startsAfterStop) startsAfterStop--;
      else fail(`${what} started after the manager's signal aborted`);
    }
    performAll(body.now, `${what} body`);
    if (body.onAbort.length && !signal.aborted) {
      signal.addEventListener(
        "abort",
        () => performAll(body.onAbort, `${what} signal listener`),
        { once: true },
      );
    }
    const kind = !program.failures && body.kind === "throw"
      ? "return"
      : !program.failures && body.kind === "reject"
      ? "resolve"
      : body.kind;
    if (kind === "return") return rec.value;
    if (kind === "throw") throw rec.failure = newFailure(what);
    if (kind === "thenable") {
      return {
        then(resolve: (value: unknown) => void): void {
          performAll(body.later, `${what} then`);
          resolve(rec.value);
        },
      };
    }
    return (async () => {
      await turns(body.turns, what);
      performAll(body.later, `${what} later`);
      if (kind === "resolve") return rec.value;
      if (kind === "reject") throw rec.failure = newFailure(what);
      await aborted(signal);
      throw rec.exit = signal.reason;
    })();
  };

  const performAll = (actions: readonly Action[], where: string): void => {
    for (const action of actions) {
      if (++performed > BUDGET) return;
      try {
        perform(action, where);
      } catch (error) {
        fail(`${where}: ${action.a} threw ${label(error)}`);
      }
    }
  };

  const perform = (action: Action, where: string): void => {
    switch (action.a) {
      case "fg":
      case "bg": {
        const rec = newRec(action.a, action.named, false);
        rec.accepted = true;
        const fn = (signal: AbortSignal): unknown =>
          exec(rec, action.body, signal);
        const method = action.a === "fg"
          ? "startForegroundGoroutine"
          : "startBackgroundGoroutine";
        if (rec.name) manager[method](fn, { name: rec.name });
        else manager[method](fn);
        if (rec.starts !== 1) {
          fail(
            `${where}: ${method}() returned, task ${rec.id} ran ${rec.starts} times`,
          );
        }
        return;
      }
      case "go":
      case "tryGo":
      case "run": {
        const limiter = limiterOf(action.l);
        if (!limiter) return;
        const rec = newRec(action.a, action.named, action.cancellable);
        rec.limiter = limiter;
        const fn = (signal: AbortSignal): unknown =>
          exec(rec, action.body, signal);
        const taskOptions = rec.name || rec.controller
          ? {
            ...(rec.name ? { name: rec.name } : {}),
            ...(rec.controller ? { signal: rec.controller.signal } : {}),
          }
          : undefined;
        if (action.a === "go") {
          rec.accepted = true;
          limiter.go(fn, taskOptions);
        } else if (action.a === "run") {
          rec.accepted = true;
          const promise = limiter.run(fn, taskOptions);
          track(`run() of task ${rec.id}`, promise.catch(() => {}));
          promise.then(
            (value) => rec.result = { ok: true, value },
            (reason) => rec.result = { ok: false, reason },
          );
        } else {
          rec.accepted = limiter.tryGo(fn, taskOptions);
          if (rec.accepted !== (rec.starts === 1)) {
            fail(
              `${where}: tryGo() returned ${rec.accepted}, task ${rec.id} ran ${rec.starts} times`,
            );
          }
        }
        return;
      }
      case "limit": {
        const limiter = limiterOf(action.l);
        if (limiter) limiter.limit = action.limit;
        return;
      }
      case "cancel": {
        const own = controllers[action.k % (controllers.length || 1)];
        if (own && !own.controller.signal.aborted) {
          own.controller.abort(own.reason);
        }
        return;
      }
      case "stop":
        manager.stopAllGoroutines();
        return;
      case "parentStop":
        parent?.stopAllGoroutines();
        return;
      case "collector": {
        const collector = action.foreground
          ? manager.createForegroundPanicCollector()
          : manager.createBackgroundPanicCollector();
        const id = settles.length;
        const settle = (): void => {
          performAll(action.then, `collector ${id}`);
          if (action.outcome === "fail" && program.failures) {
            collector.collect(newFailure(`collector ${id}`));
          } else if (action.outcome === "graceful" && manager.signal.aborted) {
            // Its own stop reason, or its parent's.
            collector.collect(manager.signal.reason);
          } else collector.collect();
        };
        if (action.turns === 0) settle();
        else {
          track(
            `collector ${id}`,
            turns(action.turns, `collector ${id}`).then(settle),
          );
        }
        return;
      }
      case "wait": {
        track(
          `wait() from ${where}`,
          manager.wait().then(() => performAll(action.then, "wait() then")),
        );
        return;
      }
      case "waitFor": {
        const controller = action.cancellable
          ? new AbortController()
          : undefined;
        const reason = new Error(`waitFor ${settles.length} cancelled`);
        if (controller) controllers.push({ controller, reason });
        track(
          `waitFor() from ${where}`,
          waitFor(manager, controller ? { signal: controller.signal } : {})
            .then(
              () => performAll(action.then, "waitFor() then"),
              (error) => {
                // Giving up on its own signal is the one allowed rejection.
                if (
                  !(error instanceof GoroutineWaitError) ||
                  error.cause !== reason
                ) throw error;
              },
            ),
        );
        return;
      }
      case "listen":
        programListeners++;
        manager.signal.addEventListener(
          "abort",
          () => performAll(action.then, "manager.signal listener"),
        );
        return;
      case "ready": {
        const limiter = limiterOf(action.l);
        if (!limiter) return;
        track(
          `ready(${action.backlog}) from ${where}`,
          limiter.ready(action.backlog).then(() =>
            performAll(action.then, "ready() then")
          ),
        );
        return;
      }
      case "map": {
        const { items } = action;
        const map: MapRec = {
          id: maps.length,
          mappers: items.map(() => newRec("map", false, false)),
          begun: false,
          finished: false,
          result: undefined,
        };
        maps.push(map);
        for (const mapper of map.mappers) mapper.map = map;
        const what = `map ${map.id} input`;
        // The library calls next() (and return()) of these itself.
        const generator = function* (): Generator<number> {
          map.begun = true;
          try {
            for (let i = 0; i < items.length; i++) {
              performAll(items[i]!.step, `${what} step ${i}`);
              yield i;
            }
          } finally {
            map.finished = true;
            performAll(action.finally, `${what} finally`);
          }
        };
        const asyncGenerator = async function* (): AsyncGenerator<number> {
          map.begun = true;
          try {
            for (let i = 0; i < items.length; i++) {
              await s.schedule(Promise.resolve(), `${what} step ${i}`);
              performAll(items[i]!.step, `${what} step ${i}`);
              yield i;
            }
          } finally {
            map.finished = true;
            performAll(action.finally, `${what} finally`);
          }
        };
        const input = action.input === "array"
          ? items.map((_, i) => i)
          : action.input === "generator"
          ? generator()
          : asyncGenerator();
        const promise = mapGoroutines(
          manager,
          input,
          (i, index, signal) => {
            if (i !== index) {
              fail(`${what}: item ${i} mapped at index ${index}`);
            }
            return exec(map.mappers[i]!, items[i]!.body, signal);
          },
          { limit: action.limit },
        );
        track(`map ${map.id}`, promise.catch(() => {}));
        promise.then(
          (value) => map.result = { ok: true, value },
          (reason) => map.result = { ok: false, reason },
        );
        return;
      }
    }
  };

  const driver = async (): Promise<void> => {
    for (const action of program.ops) {
      await s.schedule(Promise.resolve(), "step");
      performAll([action], "program");
    }
  };

  const settle = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) {
      await s.waitIdle();
      await ticks(1);
      if (s.count() === 0) return;
    }
    fail("the scheduler never went idle");
  };

  await s.waitFor(driver());
  await settle();
  // Tasks waiting for their signal end with the stop (its listeners may
  // start more).
  manager.stopAllGoroutines();
  await settle();

  // --- final checks ---
  let idle = false;
  manager.wait().then(() => idle = true);
  await ticks(1);
  if (!idle) fail(`end: wait() pending (pending ${manager.pending})`);
  if (manager.pending !== 0) fail(`end: pending ${manager.pending}`);
  if (manager.running.length) {
    fail(
      `end: running ${manager.running.map((info) => info.name).join(", ")}`,
    );
  }
  limiters.forEach((limiter, l) => {
    if (limiter.active || limiter.queued) {
      fail(
        `end: limiter ${l} active ${limiter.active} queued ${limiter.queued}`,
      );
    }
  });
  for (const record of settles) {
    if (!record.settled) fail(`end: ${record.what} never settled`);
  }

  // Each task ran once, or was dropped.
  const notStarted = new Map<GoroutineLimiter | undefined, number>();
  for (const rec of recs) {
    const what = `${rec.via} ${rec.id}`;
    if (rec.starts > 1) continue; // reported as it happened
    if ((rec.via === "fg" || rec.via === "bg") && rec.starts !== 1) {
      fail(`end: ${what} never ran`);
    }
    if (rec.via === "tryGo" && rec.accepted !== (rec.starts === 1)) {
      fail(`end: ${what} accepted ${rec.accepted}, ran ${rec.starts} times`);
    }
    if (
      (rec.via === "go" || rec.via === "run" || rec.via === "tryGo") &&
      rec.accepted && rec.starts === 0
    ) notStarted.set(rec.limiter, (notStarted.get(rec.limiter) ?? 0) + 1);
    if (rec.via === "run") {
      const r = rec.result;
      const reasons = [manager.signal.reason, rec.ownReason];
      if (!r) fail(`end: run() of ${rec.id} pending`);
      else if (rec.starts === 0) {
        if (r.ok || !reasons.includes(r.reason)) {
          fail(
            `end: run() of ${what} (dropped) settled ${
              r.ok ? "ok" : label(r.reason)
            }`,
          );
        }
      } else if (rec.failure) {
        if (r.ok || r.reason !== rec.failure) {
          fail(
            `end: run() of ${what} (failed) settled ${
              r.ok ? "ok" : label(r.reason)
            }`,
          );
        }
      } else if (rec.exit !== undefined) {
        if (r.ok || r.reason !== rec.exit) {
          fail(
            `end: run() of ${what} (exited) settled ${
              r.ok ? "ok" : label(r.reason)
            }`,
          );
        }
      } else if (!r.ok || r.value !== rec.value) {
        fail(
          `end: run() of ${what} (returned) settled ${
            r.ok ? label(r.value) : label(r.reason)
          }`,
        );
      }
    }
  }
  limiters.forEach((limiter, l) => {
    const never = notStarted.get(limiter) ?? 0;
    if (limiter.dropped !== never) {
      fail(
        `end: limiter ${l}: dropped ${limiter.dropped}, ${never} accepted tasks never ran`,
      );
    }
  });

  for (const map of maps) {
    if (map.begun && !map.finished) {
      fail(`end: map ${map.id}'s generator input was never closed`);
    }
    const r = map.result;
    if (!r) {
      fail(`end: map ${map.id} pending`);
      continue;
    }
    if (r.ok) {
      const values = r.value as unknown[];
      const expected = map.mappers.map((m) => m.value);
      if (
        values.length !== expected.length ||
        values.some((v, i) => v !== expected[i])
      ) {
        fail(`end: map ${map.id} resolved out of order or with wrong values`);
      }
      if (map.mappers.some((m) => m.starts !== 1)) {
        fail(`end: map ${map.id} resolved but not every mapper ran once`);
      }
    } else {
      const allowed = [
        manager.signal.reason,
        ...map.mappers.map((m) => m.failure).filter((f) => f !== undefined),
      ];
      if (!allowed.includes(r.reason)) {
        fail(`end: map ${map.id} rejected with ${label(r.reason)}`);
      }
    }
  }

  // Every failure collected exactly once, nothing else.
  const errors = manager.errors;
  const origin = (error: Error): unknown =>
    error instanceof GoroutineError ? error.cause : error;
  for (const failure of failures) {
    const n = errors.filter((e) => origin(e) === failure).length;
    if (n !== 1) fail(`end: ${label(failure)} collected ${n} times`);
  }
  for (const error of errors) {
    if (!failures.includes(origin(error) as Error)) {
      fail(`end: unexpected error collected: ${label(error)}`);
    }
  }
  if (hookCalls) {
    const expected = errors.filter((e) => !hookFailures.has(e));
    if (
      hookSaw.length !== expected.length ||
      hookSaw.some((e, i) => e !== expected[i])
    ) {
      fail(
        `end: the hook saw ${hookSaw.length} errors, ${expected.length} collected (its own throws aside)`,
      );
    }
  }
  if (waitUntilResolved !== waitUntilCalls) {
    fail(
      `end: ${
        waitUntilCalls - waitUntilResolved
      } of ${waitUntilCalls} waitUntil promises pending`,
    );
  }
  if (parentListeners?.count) {
    fail(`end: ${parentListeners.count} abort listeners left on the parent`);
  }
  if (listeners.count !== programListeners) {
    fail(
      `end: ${listeners.count} abort listeners on manager.signal, the program added ${programListeners}`,
    );
  }
  return violations;
}

// --- the property --------------------------------------------------------------

describe("re-entrancy properties (user callbacks call the library)", () => {
  it(
    "tasks run once or are dropped, promises settle, errors are collected once, nothing leaks",
    SLOW,
    async () => {
      await fc.assert(
        fc.asyncProperty(programArb, fc.scheduler(), async (program, s) => {
          const from = watcher.seen.length;
          const violations = await runProgram(program, s);
          await ticks(1);
          assertNoViolations(
            violations,
            watcher.since(from),
            JSON.stringify(program, (_, v) => v === Infinity ? "Infinity" : v),
            s,
          );
        }),
        { numRuns: 400 },
      );
    },
  );
});
