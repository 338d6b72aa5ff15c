// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { runTask } from "./_run_task.ts";
import { invalid } from "./_to_error.ts";

/**
 * Reports the outcome of work that was started elsewhere (a callback of another
 * library, a cleanup in `finally`) to a {@linkcode GoroutineManager} (Go: the
 * function returned by `CreateForegroundPanicCollector()` /
 * `CreateBackgroundPanicCollector()`, called in a `defer`).
 *
 * Call {@linkcode PanicCollector.collect} once: with no argument for a clean
 * finish, with any value (even `undefined`) for a failure. Only the first call
 * counts. A foreground collector blocks {@linkcode GoroutineManager.wait} until
 * it is called; a background one does not. `using collector = …` reports a
 * clean finish at the end of the scope if nothing was reported before.
 *
 * @example Collect the error of a cleanup
 * ```ts
 * import { GoroutineManager } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * const collector = manager.createForegroundPanicCollector();
 * try {
 *   throw new Error("close failed");
 * } catch (error) {
 *   collector.collect(error);
 * }
 * await manager.wait();
 * assert.equal(manager.error?.message, "close failed");
 * assert.equal(manager.signal.aborted, true);
 * ```
 */
export class PanicCollector {
  #onDone: (() => void) | undefined;
  #onFail: ((error: unknown) => void) | undefined;

  /**
   * Creates a collector around two callbacks, of which at most one is ever
   * called, at most once. Managers create collectors for you with
   * {@linkcode GoroutineManager.createForegroundPanicCollector} and
   * {@linkcode GoroutineManager.createBackgroundPanicCollector}; a collector
   * created by hand reports to its own callbacks, which must not throw.
   *
   * @param onDone Called by the first `collect()` without an argument.
   * @param onFail Called with the value of the first `collect(error)`.
   * @throws {TypeError} If `onDone` or `onFail` is not a function.
   *
   * @example A standalone collector
   * ```ts
   * import { PanicCollector } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const outcomes: unknown[] = [];
   * const collector = new PanicCollector(
   *   () => outcomes.push("done"),
   *   (error) => outcomes.push(error),
   * );
   * collector.collect("first");
   * collector.collect(); // ignored: only the first call counts
   * assert.deepEqual(outcomes, ["first"]);
   * ```
   */
  constructor(onDone: () => void, onFail: (error: unknown) => void) {
    // Two plain checks: a loop over pairs allocated on every collector.
    if (typeof onDone !== "function") {
      throw invalid("create panic collector", "onDone", "a function", onDone);
    }
    if (typeof onFail !== "function") {
      throw invalid("create panic collector", "onFail", "a function", onFail);
    }
    this.#onDone = onDone;
    this.#onFail = onFail;
  }

  /**
   * Reports the outcome: no argument is a clean finish, one argument (any
   * value, `undefined` included) is a failure that the manager collects and
   * that stops it. Calls after the first are ignored. It is bound to its
   * collector, so it can be passed on unbound (`const { collect } = collector`).
   * Mind that a callback called with an argument reports a failure.
   *
   * @param error The failure, if there was one.
   *
   * @example Usage
   * ```ts
   * import { GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const { collect } = manager.createBackgroundPanicCollector();
   * collect(new Error("boom"));
   * assert.equal(manager.errors.length, 1);
   * ```
   */
  readonly collect: { (): void; (error: unknown): void } = (
    ...error: [] | [error: unknown]
  ): void => {
    const onDone = this.#onDone;
    const onFail = this.#onFail;
    // Set together, cleared together: one is missing exactly when both are.
    if (!onDone) return;
    this.#onDone = this.#onFail = undefined;
    if (error.length) onFail!(error[0]);
    else onDone();
  };

  /**
   * Wraps a callback so that its outcome is reported to this collector when it
   * is called: a synchronous throw or a rejected promise is collected, a normal
   * return or a fulfilled promise is a clean finish. The wrapper returns
   * `undefined` and never throws or rejects, so it is safe to hand to code that
   * ignores errors (event emitters, hooks of other libraries).
   *
   * @typeParam A The callback's parameters.
   * @param fn The callback to wrap.
   * @returns A function with the same parameters that reports to this
   * collector; it calls `fn` with its own `this` and arguments.
   * @throws {TypeError} If `fn` is not a function; that error is also
   * reported to the collector as its failure, so that a foreground collector
   * never leaves {@linkcode GoroutineManager.wait} hanging. Also if `wrap` is
   * called without its collector (`const { wrap } = collector`): unlike
   * `collect`, it is a method.
   *
   * @example Collect the error of a callback that the caller ignores
   * ```ts
   * import { GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const onLock = manager.createForegroundPanicCollector().wrap(
   *   async (id: number) => {
   *     throw new Error(`could not lock ${id}`);
   *   },
   * );
   * onLock(7); // as another library would call it
   * await manager.wait();
   * assert.equal(manager.error?.message, "could not lock 7");
   * ```
   */
  wrap<A extends unknown[]>(
    fn: (...args: A) => unknown,
  ): (...args: A) => void {
    // Read at once: `wrap` is a method, and called without its collector it
    // throws here, before anything is wrapped or run.
    const { collect } = this;
    if (typeof fn !== "function") {
      const error = invalid("wrap callback", "fn", "a function", fn);
      collect(error);
      throw error;
    }
    const done = (): void => collect();
    const fail = (error: unknown): void => collect(error);
    // A function, not an arrow: `this` is passed on, as an emitter sets it.
    return function (this: unknown, ...args: A): void {
      runTask(() => fn.apply(this, args), 0, done, fail);
    };
  }

  /**
   * Reports a clean finish if nothing was reported yet, so that
   * `using collector = manager.createForegroundPanicCollector()` releases
   * {@linkcode GoroutineManager.wait} at the end of the scope, like Go's `defer`.
   *
   * @example Usage
   * ```ts
   * import { GoroutineManager } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const manager = new GoroutineManager();
   * const collector = manager.createForegroundPanicCollector();
   * assert.equal(manager.pending, 1);
   * collector[Symbol.dispose]();
   * assert.equal(manager.pending, 0);
   * await manager.wait();
   * ```
   */
  [Symbol.dispose](): void {
    this.collect();
  }
}
