// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { MAX_TIMEOUT } from "./_max_timeout.ts";
import { onAbort } from "./_on_abort.ts";
import { invalid, isInstance } from "./_to_error.ts";
import { GoroutineManager } from "./goroutine_manager.ts";
import { GoroutineWaitError } from "./goroutine_wait_error.ts";

/** Options of {@linkcode waitFor}. */
export interface WaitOptions {
  /**
   * Gives up waiting when this signal aborts (a rescue signal, a second
   * Ctrl-C), rejecting with a {@linkcode GoroutineWaitError} whose `cause` is
   * the signal's reason.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
  /**
   * Gives up waiting after this many milliseconds, rejecting with a
   * {@linkcode GoroutineWaitError} whose `cause` is a `TimeoutError`
   * `DOMException`. The timer is `waitFor`'s own (not `AbortSignal.timeout`, so
   * it keeps Node alive and needs no request context in Workers) and is
   * cleared as soon as the wait settles. Timeouts over 2147483647 ms (24.8
   * days, the most `setTimeout` supports) are capped to it.
   *
   * @default {Infinity}
   */
  timeout?: number | undefined;
}

/**
 * Waits like {@linkcode GoroutineManager.wait}, but gives up when
 * `options.signal` aborts or `options.timeout` elapses first, rejecting with a
 * {@linkcode GoroutineWaitError} that says which foreground goroutines are
 * still running: by name for those started with a name, by count for the
 * others. Giving up stops nothing; stop the manager first (or after) as needed.
 * Its listener and timer are removed as soon as it settles.
 *
 * Every argument is checked before anything is done: a mistake throws at once
 * and leaves no listener or timer behind.
 *
 * @param manager The manager to wait for.
 * @param options A signal, a timeout, both, or neither (then it waits like
 * `manager.wait()`).
 * @returns A promise that resolves when the manager has no foreground work left.
 * @throws {TypeError} If `manager` is not a {@linkcode GoroutineManager},
 * `options` is not an object, `options.signal` is not an `AbortSignal`, or
 * `options.timeout` is not a number.
 * @throws {RangeError} If `options.timeout` is negative or NaN.
 *
 * @example Give up on a stuck shutdown after a deadline
 * ```ts
 * import { GoroutineManager, GoroutineWaitError, waitFor } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * manager.startForegroundGoroutine(() => new Promise(() => {}), { name: "uploader" });
 * manager.stopAllGoroutines(); // "uploader" ignores the signal
 * await assert.rejects(waitFor(manager, { timeout: 10 }), (error) => {
 *   assert.ok(error instanceof GoroutineWaitError);
 *   assert.deepEqual(error.running.map((info) => info.name), ["uploader"]);
 *   return true;
 * });
 * ```
 */
export function waitFor(
  manager: GoroutineManager,
  options: WaitOptions = {},
): Promise<void> {
  if (!isInstance(manager, GoroutineManager, "pending")) {
    throw invalid("wait", "manager", "a GoroutineManager", manager);
  }
  if (Object(options) !== options) {
    throw invalid("wait", "options", "an object", options);
  }
  const { signal, timeout = Infinity } = options;
  if (signal !== undefined && !isInstance(signal, AbortSignal, "aborted")) {
    throw invalid("wait", "signal", "an AbortSignal", signal);
  }
  if (typeof timeout !== "number" || !(timeout >= 0)) {
    throw invalid(
      "wait",
      "timeout",
      "a non-negative number",
      timeout,
      typeof timeout === "number" ? RangeError : TypeError,
    );
  }
  const idle = manager.wait();
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Assigned last, but read by settle(), which an aborted signal calls at
    // once: a const would still be in its temporal dead zone then.
    // deno-lint-ignore prefer-const
    let off: (() => void) | undefined;
    const settle = (cause?: unknown): void => {
      clearTimeout(timer);
      off?.();
      if (cause === undefined) return resolve();
      try {
        const running = manager.running.filter((info) => info.foreground);
        reject(
          new GoroutineWaitError(
            running,
            manager.pending - running.length,
            cause,
          ),
        );
      } catch (error) {
        // A subclass whose `running` or `pending` lies: still settle.
        reject(error);
      }
    };
    idle.then(() => settle());
    if (!manager.pending) return;
    if (timeout < Infinity) {
      timer = setTimeout(
        settle,
        Math.min(timeout, MAX_TIMEOUT),
        new DOMException(`Waited ${timeout} ms`, "TimeoutError"),
      );
    }
    // Last: an aborted signal settles at once, which also clears the timer.
    off = signal && onAbort(signal, () => settle(signal.reason));
  });
}
