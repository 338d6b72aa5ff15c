// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { checkCount } from "./_check_limit.ts";
import { onAbort } from "./_on_abort.ts";
import { Queue } from "./_queue.ts";
import { goroutineName } from "./_goroutine_name.ts";
import { invalid, isInstance } from "./_to_error.ts";
import {
  type Goroutine,
  GoroutineManager,
  type GoroutineOptions,
} from "./goroutine_manager.ts";
import { noop } from "./_noop.ts";
import { MAX_TIMEOUT } from "./_max_timeout.ts";

/** Options of one task started through a {@linkcode GoroutineLimiter}. */
export interface LimitedGoroutineOptions extends GoroutineOptions {
  /**
   * Cancels this task alone. While it is queued, the task is dropped (never
   * started). Once it runs, the signal the task receives aborts with this
   * signal's reason; if the task then exits by throwing that reason, an
   * error whose `cause` chain contains it, or an `AbortError`, that is not a
   * failure: nothing is collected, the manager and the other tasks go on, and
   * the promise of {@linkcode GoroutineLimiter.run} rejects with the reason.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
  /**
   * A deadline for this task alone, in milliseconds from its start (not from
   * when it was queued). When it passes, the signal the task receives aborts
   * with a `TimeoutError` `DOMException`; if the task then exits by throwing
   * it (or an `AbortError`), that timeout is the task's failure: the manager
   * collects a {@linkcode GoroutineError} naming the task whose `cause` is the
   * `TimeoutError`, and stops, as for any failure. The timer is cleared as
   * soon as the task settles. Values over 2147483647 are capped to it.
   *
   * @default {Infinity}
   */
  timeout?: number | undefined;
}

/** Options of the {@linkcode GoroutineLimiter} constructor. */
export interface GoroutineLimiterOptions {
  /**
   * Run the tasks as background goroutines, which
   * {@linkcode GoroutineManager.wait} does not wait for.
   *
   * @default {false}
   */
  background?: boolean | undefined;
}

/** A task that needs more than its function. */
interface Entry {
  fn: Goroutine;
  /** Tracked (its own named goroutine) when defined. */
  name?: string;
  signal?: AbortSignal;
  /**
   * Infinity by default; `undefined` without options (a field that holds only
   * numbers gets a number box of its own in every entry on V8).
   */
  timeout?: number;
  /** The promise of {@linkcode GoroutineLimiter.run} and its resolvers. */
  result?: PromiseWithResolvers<unknown>;
  /** Removes the listener on `signal` while queued. */
  off?: () => void;
  cancelled?: boolean;
}

/** A task's own signal, see `#guard`. */
interface Guard {
  signal: AbortSignal;
  off: () => void;
  /** The reason, if the timeout fired. */
  timedOut?: DOMException;
}

interface Waiter {
  backlog: number;
  resolve: (ready: boolean) => void;
}

const START = "start goroutine";
const LIMIT = "limit goroutines";

/**
 * Rejects the result of `entry`, if it has one, after attaching a handler to
 * it (only now: a handler per result would cost every task a promise), so
 * that a result nobody awaits never becomes an unhandled rejection.
 */
function reject(entry: Entry | undefined, reason: unknown): void {
  const result = entry?.result;
  if (result) {
    result.promise.catch(noop);
    result.reject(reason);
  }
}

/** The entry of a task, if it is more than a plain function. */
function entryOf(task: Goroutine | Entry): Entry | undefined {
  return typeof task === "function" ? undefined : task;
}

/**
 * Whether `value` is a task's exit on its own signal's `reason`: the reason
 * itself, an error whose `cause` chain contains it, or (top level only) an
 * `AbortError`. Never throws.
 */
function isExit(value: unknown, reason: unknown): boolean {
  try {
    for (let depth = 0; depth < 17; depth++) {
      if (value === reason) return true;
      if (Object(value) !== value) return false;
      if (!depth && (value as Error).name === "AbortError") return true;
      value = (value as Error).cause;
    }
  } catch {
    // A throwing getter or a revoked proxy: not an exit on the reason.
  }
  return false;
}

/**
 * Runs the tasks of one {@linkcode GoroutineManager} at most `limit` at a time
 * (Go: `errgroup.Group.SetLimit`); the others wait their turn in FIFO order.
 *
 * Every task runs as a goroutine of the manager (foreground by default), so
 * its failure is collected by the manager and stops it, a named task is
 * listed by {@linkcode GoroutineManager.running} and named in its
 * {@linkcode GoroutineError}, and {@linkcode GoroutineManager.wait} waits for
 * the queue: while the manager is not stopped, a finishing task starts the
 * next queued one before it reports back, so `wait()` never resolves while
 * tasks are queued. Queued tasks are not goroutines yet:
 * {@linkcode GoroutineManager.pending} and {@linkcode GoroutineManager.running}
 * count only what runs (`pending` counts one goroutine per running task).
 *
 * When the manager stops or fails (its signal aborts), queued tasks never
 * start: they are dropped at once, are not errors, and `wait()` does not wait
 * for them ({@linkcode GoroutineLimiter.dropped} counts them, and the promise
 * of each dropped {@linkcode GoroutineLimiter.run} rejects with the manager's
 * `signal.reason`). Tasks submitted after that are dropped too.
 *
 * @example Fetch many URLs, four at a time
 * ```ts
 * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * const limiter = new GoroutineLimiter(manager, 4);
 * let running = 0;
 * let most = 0;
 * for (let i = 0; i < 20; i++) {
 *   limiter.go(async () => {
 *     most = Math.max(most, ++running);
 *     await new Promise((resolve) => setTimeout(resolve, 1));
 *     running--;
 *   });
 * }
 * assert.equal(limiter.active, 4);
 * assert.equal(limiter.queued, 16);
 * await manager.wait(); // waits for the queue too
 * assert.equal(most, 4);
 * assert.equal(manager.error, undefined);
 * ```
 */
export class GoroutineLimiter {
  readonly #manager: GoroutineManager;
  readonly #signal: AbortSignal;
  readonly #background: boolean;
  #limit: number;
  #active = 0;
  #queued = 0;
  #dropped = 0;
  /**
   * FIFO; cancelled entries stay in it and are skipped, and it is replaced
   * (with them) once no task is queued.
   */
  #queue: Queue<Goroutine | Entry> = new Queue();
  #waiters: Waiter[] = [];
  /**
   * Removes the listener on the manager's signal: added when a task is queued
   * or a producer waits, removed once no task runs, waits or is queued.
   */
  #off: (() => void) | undefined;
  /**
   * The entries of goroutines being started, each taken by its goroutine as it
   * starts (synchronously). A stack: the manager may call back into the
   * limiter (`waitUntil`, the hook) between a start and its goroutine's first
   * step, and a start made there is taken first.
   */
  readonly #handoff: (Goroutine | Entry)[] = [];

  /**
   * Creates a limiter for `manager` (Go: `g.SetLimit(limit)`). Several limiters
   * may share one manager; each counts only its own tasks.
   *
   * @param manager The manager that runs the tasks and collects their errors.
   * @param limit How many tasks may run at once: a positive integer or
   * `Infinity`.
   * @param options Run as background goroutines; see
   * {@linkcode GoroutineLimiterOptions}.
   * @throws {TypeError} If `manager` is not a {@linkcode GoroutineManager},
   * `limit` is not a number or `options` is not an object, or
   * `options.background` is not a boolean.
   * @throws {RangeError} If `limit` is not a positive integer or `Infinity`.
   *
   * @example Usage
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const limiter = new GoroutineLimiter(manager, 2);
   * assert.equal(limiter.limit, 2);
   * assert.throws(() => new GoroutineLimiter(manager, 0), RangeError);
   * assert.throws(() => new GoroutineLimiter(manager, "8" as never), TypeError);
   * ```
   */
  constructor(
    manager: GoroutineManager,
    limit: number,
    options: GoroutineLimiterOptions = {},
  ) {
    if (!isInstance(manager, GoroutineManager, "pending")) {
      throw invalid(LIMIT, "manager", "a GoroutineManager", manager);
    }
    this.#limit = checkCount(LIMIT, "limit", limit);
    if (Object(options) !== options) {
      throw invalid(LIMIT, "options", "an object", options);
    }
    const { background = false } = options;
    if (typeof background !== "boolean") {
      throw invalid(LIMIT, "options.background", "a boolean", background);
    }
    this.#manager = manager;
    this.#signal = manager.signal;
    this.#background = background;
  }

  /**
   * How many tasks may run at once. Setting it takes effect at once: raising
   * it starts queued tasks right away; lowering it lets running tasks finish
   * and starts queued ones only once fewer than the new limit run (unlike Go's
   * `SetLimit`, changing it while tasks run is allowed).
   *
   * @throws {TypeError} If set to something other than a number.
   * @throws {RangeError} If set to a number that is not a positive integer or
   * `Infinity`.
   *
   * @example Raise the limit while tasks are queued
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const limiter = new GoroutineLimiter(manager, 1);
   * const release = Promise.withResolvers<void>();
   * for (let i = 0; i < 3; i++) limiter.go(() => release.promise);
   * assert.equal(limiter.active, 1);
   * limiter.limit = 3;
   * assert.equal(limiter.active, 3);
   * assert.equal(limiter.queued, 0);
   * release.resolve();
   * await manager.wait();
   * ```
   */
  get limit(): number {
    return this.#limit;
  }

  set limit(limit: number) {
    this.#limit = checkCount(LIMIT, "limit", limit);
    for (let entry; (entry = this.#pull());) this.#launch(entry);
  }

  /**
   * How many of this limiter's tasks are running now.
   *
   * @example Usage
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const limiter = new GoroutineLimiter(new GoroutineManager(), 2);
   * limiter.go(() => Promise.resolve());
   * assert.equal(limiter.active, 1);
   * ```
   */
  get active(): number {
    return this.#active;
  }

  /**
   * How many of this limiter's tasks wait for a free slot.
   *
   * @example Usage
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const limiter = new GoroutineLimiter(new GoroutineManager(), 1);
   * limiter.go(() => Promise.resolve());
   * limiter.go(() => Promise.resolve());
   * assert.equal(limiter.queued, 1);
   * ```
   */
  get queued(): number {
    return this.#queued;
  }

  /**
   * How many tasks were accepted by {@linkcode GoroutineLimiter.go} or
   * {@linkcode GoroutineLimiter.run} and never started: the manager stopped
   * first, or their own `signal` aborted first.
   *
   * @example Usage
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const limiter = new GoroutineLimiter(manager, 1);
   * const started: number[] = [];
   * for (let i = 0; i < 3; i++) {
   *   limiter.go(async (signal) => {
   *     started.push(i);
   *     await new Promise((resolve) => signal.addEventListener("abort", resolve));
   *   });
   * }
   * manager.stopAllGoroutines();
   * await manager.wait();
   * assert.deepEqual(started, [0]);
   * assert.equal(limiter.dropped, 2);
   * assert.equal(manager.error, undefined);
   * ```
   */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Starts `fn` as a goroutine of the manager if fewer than
   * {@linkcode GoroutineLimiter.limit} of this limiter's tasks run and none are
   * queued, or else queues it (Go: `g.Go(f)` after `g.SetLimit(n)`, which
   * blocks instead; await {@linkcode GoroutineLimiter.ready} for that). A task
   * is called with the signal the manager gives its goroutines; what it
   * throws is collected by the manager. After the manager stopped, `fn` is
   * dropped.
   *
   * @param fn The task.
   * @param options A name, a cancel signal or a timeout for this task; see
   * {@linkcode LimitedGoroutineOptions}. A task started with options is
   * tracked by the manager (its own named goroutine).
   * @throws {TypeError} If `fn` is not a function or `options` is malformed.
   * @throws {RangeError} If `options.timeout` is negative or NaN.
   *
   * @example Usage
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const limiter = new GoroutineLimiter(manager, 2);
   * const order: number[] = [];
   * for (let i = 0; i < 5; i++) {
   *   limiter.go(async () => {
   *     await null;
   *     order.push(i);
   *   });
   * }
   * await manager.wait();
   * assert.deepEqual(order, [0, 1, 2, 3, 4]);
   * ```
   */
  go(fn: Goroutine, options?: LimitedGoroutineOptions): void {
    this.#submit(this.#entry(fn, options, false), true);
  }

  /**
   * Starts `fn` only if a slot is free now (Go: `g.TryGo(f)`): fewer than
   * {@linkcode GoroutineLimiter.limit} of this limiter's tasks run, none are
   * queued, and the manager has not stopped. Never queues.
   *
   * @param fn The task.
   * @param options As for {@linkcode GoroutineLimiter.go}.
   * @returns Whether `fn` was started.
   * @throws {TypeError} If `fn` is not a function or `options` is malformed.
   * @throws {RangeError} If `options.timeout` is negative or NaN.
   *
   * @example Usage
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const limiter = new GoroutineLimiter(manager, 1);
   * const release = Promise.withResolvers<void>();
   * assert.equal(limiter.tryGo(() => release.promise), true);
   * assert.equal(limiter.tryGo(() => release.promise), false); // full
   * release.resolve();
   * await manager.wait();
   * assert.equal(limiter.tryGo(() => {}), true);
   * ```
   */
  tryGo(fn: Goroutine, options?: LimitedGoroutineOptions): boolean {
    return this.#submit(this.#entry(fn, options, false), false);
  }

  /**
   * Starts or queues `fn` like {@linkcode GoroutineLimiter.go} and returns a
   * promise of its result, to await this one task. The manager still collects
   * the task's failure and stops; the promise rejects with what the task
   * threw (a `TimeoutError` after its timeout), with its own signal's reason
   * if it was cancelled, or with the manager's `signal.reason` if it was
   * dropped. A promise nobody awaits never becomes an unhandled rejection.
   *
   * @typeParam T What `fn` returns (or its promise resolves with).
   * @param fn The task.
   * @param options As for {@linkcode GoroutineLimiter.go}.
   * @returns A promise of the task's result.
   * @throws {TypeError} If `fn` is not a function or `options` is malformed.
   * @throws {RangeError} If `options.timeout` is negative or NaN.
   *
   * @example Await one task's result
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const limiter = new GoroutineLimiter(manager, 8);
   * const user = limiter.run(async () => ({ id: 7, name: "Ada" }));
   * assert.equal((await user).name, "Ada");
   * ```
   *
   * @example Cancel one task, give another a deadline
   * ```ts
   * import { GoroutineError, GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const limiter = new GoroutineLimiter(manager, 8);
   * const forever = (signal: AbortSignal) =>
   *   new Promise((_, reject) =>
   *     signal.addEventListener("abort", () => reject(signal.reason))
   *   );
   * const cancel = new AbortController();
   * const cancelled = limiter.run(forever, { signal: cancel.signal });
   * cancel.abort();
   * await assert.rejects(cancelled, { name: "AbortError" });
   * assert.equal(manager.signal.aborted, false); // the others go on
   *
   * const slow = limiter.run(forever, { name: "slow", timeout: 5 });
   * await assert.rejects(slow, { name: "TimeoutError" });
   * await manager.wait();
   * const [error] = manager.errors;
   * assert.ok(error instanceof GoroutineError);
   * assert.equal(error.goroutine, "slow");
   * ```
   */
  run<T>(
    fn: (signal: AbortSignal) => T,
    options?: LimitedGoroutineOptions,
  ): Promise<Awaited<T>> {
    const entry = this.#entry(fn, options, true) as Entry;
    this.#submit(entry, true);
    return entry.result!.promise as Promise<Awaited<T>>;
  }

  /**
   * Backpressure for producers (like a stream writer's `ready`, p-queue's
   * `onSizeLessThan` or errgroup's blocking `Go`): resolves with `true` once
   * this limiter has room for one more task, that is once fewer than
   * `limit + backlog` of its tasks are running or queued (with the default
   * `backlog` of 0: once a task would start at once). Resolves with `false`
   * as soon as the manager stops: stop producing then. Never rejects. Every
   * producer waiting is released when there is room, so with several
   * producers the queue may grow by one task per producer.
   *
   * @param backlog How many tasks may wait in the queue.
   * @returns Whether to go on producing.
   * @throws {TypeError} If `backlog` is not a number.
   * @throws {RangeError} If `backlog` is not a non-negative integer or
   * `Infinity`.
   *
   * @example Feed many items with bounded memory
   * ```ts
   * import { GoroutineLimiter, GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const limiter = new GoroutineLimiter(manager, 16);
   * let most = 0;
   * for (let i = 0; i < 100_000; i++) {
   *   if (!(await limiter.ready())) break; // the manager stopped
   *   limiter.go(async () => {
   *     await null;
   *   });
   *   most = Math.max(most, limiter.active + limiter.queued);
   * }
   * await manager.wait();
   * assert.ok(most <= 16); // never more than 16 tasks in memory
   * ```
   */
  ready(backlog: number = 0): Promise<boolean> {
    checkCount(LIMIT, "backlog", backlog, 0);
    if (this.#signal.aborted) return Promise.resolve(false);
    if (this.#active + this.#queued < this.#limit + backlog) {
      return Promise.resolve(true);
    }
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.#waiters.push({ backlog, resolve });
    this.#off ??= onAbort(this.#signal, this.#stopped);
    return promise;
  }

  /** Checks a task and its options; a plain function needs no entry. */
  #entry(
    fn: Goroutine,
    options: LimitedGoroutineOptions | undefined,
    result: boolean,
  ): Goroutine | Entry {
    if (typeof fn !== "function") throw invalid(START, "fn", "a function", fn);
    if (options === undefined && !result) return fn;
    let name: string | undefined;
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    if (options !== undefined) {
      if (Object(options) !== options) {
        throw invalid(START, "options", "an object", options);
      }
      ({ signal, timeout = Infinity } = options);
      name = goroutineName(START, fn, options.name);
      if (signal !== undefined && !isInstance(signal, AbortSignal, "aborted")) {
        throw invalid(START, "options.signal", "an AbortSignal", signal);
      }
      if (typeof timeout !== "number" || !(timeout >= 0)) {
        throw invalid(
          START,
          "options.timeout",
          "a non-negative number",
          timeout,
          typeof timeout === "number" ? RangeError : TypeError,
        );
      }
    }
    return {
      fn,
      name,
      signal,
      timeout,
      result: result ? Promise.withResolvers() : undefined,
    } as Entry;
  }

  /** Starts, queues (if `queue`) or drops `entry`; returns whether it started. */
  #submit(entry: Goroutine | Entry, queue: boolean): boolean {
    const own = entryOf(entry)?.signal;
    const stopped = this.#signal.aborted ? this.#signal : own?.aborted && own;
    if (stopped) {
      if (queue) {
        this.#dropped++;
        reject(entryOf(entry), stopped.reason);
      }
    } else if (!this.#queued && this.#active < this.#limit) {
      this.#active++;
      this.#launch(entry);
      return true;
    } else if (queue) {
      this.#queue.push(entry);
      this.#queued++;
      if (own) {
        (entry as Entry).off = onAbort(own, () => this.#cancel(entry as Entry));
      }
      this.#off ??= onAbort(this.#signal, this.#stopped);
    }
    return false;
  }

  /** Starts the goroutine that runs `entry` (its slot is already counted). */
  #launch(entry: Goroutine | Entry): void {
    const name = entryOf(entry)?.name;
    this.#handoff.push(entry);
    this.#manager[
      this.#background ? "startBackgroundGoroutine" : "startForegroundGoroutine"
    ](this.#run, name ? { name } : undefined);
  }

  /**
   * One slot: runs its entry (with its own signal if it has a `signal` or a
   * `timeout`), then, while the manager runs and the limit allows, the next
   * queued entries in the same goroutine; a named entry (or one after it) gets
   * a goroutine of its own, started before this one returns.
   */
  #run = async (taskSignal: AbortSignal): Promise<void> => {
    let entry = this.#handoff.pop()!;
    for (;;) {
      const task = entryOf(entry);
      const guard = task && (task.signal || task.timeout! < Infinity)
        ? this.#guard(task, taskSignal)
        : undefined;
      const signal = guard ? guard.signal : taskSignal;
      try {
        const value = await (task ? task.fn : entry as Goroutine)(signal);
        guard?.off();
        task?.result?.resolve(value);
      } catch (error) {
        guard?.off();
        const reason = signal.reason;
        // Cancelled by its own signal: not a failure; timed out: the timeout.
        const exit = !!guard && reason !== taskSignal.reason &&
          isExit(error, reason);
        reject(task, exit ? reason : error);
        if (!exit || reason === guard!.timedOut) {
          // The manager collects it and stops, which drops the queue.
          this.#active--;
          throw exit ? reason : error;
        }
      }
      this.#active--;
      const next = this.#pull();
      if (next === undefined) return;
      // Names are non-empty strings.
      if (task?.name || entryOf(next)?.name) {
        return this.#launch(next);
      }
      entry = next;
    }
  };

  /**
   * A task's own signal: follows the signal the manager gave it, the task's
   * `signal` and its `timeout`, until `off()` removes both listeners and the
   * timer.
   */
  #guard(task: Entry, taskSignal: AbortSignal): Guard {
    const { signal: own, timeout } = task;
    const controller = new AbortController();
    const abort = (reason: unknown): void => {
      try {
        controller.abort(reason);
      } catch (error) {
        // workerd (older compat dates) lets a throwing abort listener escape
        // abort(): keep it as a collected error.
        this.#manager.createBackgroundPanicCollector().collect(error);
      }
    };
    const offTask = onAbort(taskSignal, () => abort(taskSignal.reason));
    const offOwn = own ? onAbort(own, () => abort(own.reason)) : noop;
    const signal = controller.signal;
    const timer = timeout! < Infinity && !signal.aborted
      ? setTimeout(
        () =>
          abort(
            guard.timedOut = new DOMException(
              `Timed out after ${timeout} ms`,
              "TimeoutError",
            ),
          ),
        Math.min(timeout!, MAX_TIMEOUT),
      )
      : undefined;
    const guard: Guard = {
      signal,
      off: (): void => {
        clearTimeout(timer);
        offTask();
        offOwn();
      },
    };
    return guard;
  }

  /**
   * Takes the next queued entry if the limit allows and counts its slot, or
   * drops the queue if the manager stopped; wakes waiting producers.
   */
  #pull(): Goroutine | Entry | undefined {
    let entry: Goroutine | Entry | undefined;
    if (this.#queued) {
      if (this.#signal.aborted) this.#drop();
      else if (this.#active < this.#limit) {
        do entry = this.#queue.shift()!; while (entryOf(entry)?.cancelled);
        entryOf(entry)?.off?.();
        this.#active++;
        this.#dequeued();
        // A slot is taken: nothing to release unless producers wait.
        if (!this.#waiters.length) return entry;
      }
    }
    this.#wake();
    return entry;
  }

  /**
   * Resolves the producers that have room now (all, with `false`, after a
   * stop); stops listening on the manager's signal once idle.
   */
  #wake(): void {
    const used = this.#active + this.#queued;
    const waiters = this.#waiters;
    if (waiters.length) {
      const stopped = this.#signal.aborted;
      let kept = 0;
      for (const waiter of waiters) {
        if (stopped) waiter.resolve(false);
        else if (used < this.#limit + waiter.backlog) waiter.resolve(true);
        else waiters[kept++] = waiter;
      }
      waiters.length = kept;
    }
    if (!waiters.length && !used) {
      this.#off?.();
      this.#off = undefined;
    }
  }

  /** The manager's signal aborted: drop the queue, release producers. */
  #stopped = (): void => {
    this.#off = undefined;
    this.#drop();
    this.#wake();
  };

  /** Drops every queued entry: none is an error; results reject with the reason. */
  #drop(): void {
    const queue = this.#queue;
    this.#dropped += this.#queued;
    this.#queued = 0;
    while (queue.size) {
      const entry = entryOf(queue.shift()!);
      if (entry && !entry.cancelled) {
        entry.off?.();
        reject(entry, this.#signal.reason);
      }
    }
  }

  /** A queued entry's own signal aborted: it never starts. */
  #cancel(entry: Entry): void {
    entry.cancelled = true;
    this.#dropped++;
    this.#dequeued();
    reject(entry, entry.signal!.reason);
    this.#wake();
  }

  /**
   * One task fewer is queued (it started, or was cancelled); once none is, a
   * queue still holding cancelled entries is replaced with an empty one.
   */
  #dequeued(): void {
    if (!--this.#queued && this.#queue.size) this.#queue = new Queue();
  }
}
