// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * The reason a {@linkcode GoroutineManager} aborts its signal with when it is
 * stopped, by {@linkcode GoroutineManager.stopAllGoroutines} or by a collected
 * error (Go: the cause returned by `GetErrGoroutineStopped()`).
 *
 * Every manager has its own instance, so `signal.reason === manager.getErrGoroutineStopped()`
 * tells whose stop it was. A task that rejects with this value (or with anything
 * whose `cause` chain contains it, or with an `AbortError`) after the stop is a
 * graceful exit and is not collected as an error.
 *
 * It is a plain, non-frozen `Error` subclass, because some runtimes' `fetch`
 * cannot reject with a frozen reason.
 *
 * @example Tell a graceful stop from a failure
 * ```ts
 * import { GoroutineManager, GoroutineStoppedError } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * manager.stopAllGoroutines();
 * assert.ok(manager.signal.reason instanceof GoroutineStoppedError);
 * assert.equal(manager.signal.reason, manager.getErrGoroutineStopped());
 * ```
 */
export class GoroutineStoppedError extends Error {
  /**
   * Creates a stop reason. Each {@linkcode GoroutineManager} creates its own;
   * there is rarely a reason to create one by hand.
   */
  constructor() {
    super("Goroutines stopped");
    this.name = "GoroutineStoppedError";
  }
}
