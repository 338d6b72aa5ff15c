// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import type { GoroutineInfo } from "./goroutine_manager.ts";

/**
 * The error {@linkcode waitFor} rejects with when its `signal` aborts or its
 * `timeout` elapses before the foreground work finished. It says
 * which goroutines were still running: by name for those started with a name
 * (see {@linkcode GoroutineOptions}), by count for the others. Its `cause` is
 * the signal's reason, or a `TimeoutError` `DOMException`.
 *
 * @example Report the stragglers of a stuck shutdown
 * ```ts
 * import { GoroutineManager, GoroutineWaitError, waitFor } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * const never = new Promise<void>(() => {});
 * manager.startForegroundGoroutine(() => never, { name: "uploader" });
 * manager.startForegroundGoroutine(() => never);
 * manager.stopAllGoroutines();
 * await assert.rejects(waitFor(manager, { timeout: 1 }), (error) => {
 *   assert.ok(error instanceof GoroutineWaitError);
 *   assert.deepEqual(error.running.map((info) => info.name), ["uploader"]);
 *   assert.equal(error.unnamed, 1);
 *   assert.equal(error.message, `Gave up waiting for "uploader", 1 unnamed`);
 *   return true;
 * });
 * ```
 */
export class GoroutineWaitError extends Error {
  /** The named foreground goroutines that were still running. */
  declare readonly running: readonly GoroutineInfo[];
  /** How many unnamed foreground goroutines and collectors were still running. */
  declare readonly unnamed: number;

  /**
   * Creates the error of a wait that gave up.
   *
   * @param running The named foreground goroutines still running.
   * @param unnamed How many unnamed foreground goroutines and collectors are still running.
   * @param cause Why the wait gave up.
   */
  constructor(
    running: readonly GoroutineInfo[],
    unnamed: number,
    cause: unknown,
  ) {
    const parts = running.map(({ name }) => JSON.stringify(name));
    if (unnamed) parts.push(`${unnamed} unnamed`);
    super(
      `Gave up waiting for ${parts.join(", ")}`,
      { cause },
    );
    this.name = "GoroutineWaitError";
    this.running = running;
    this.unnamed = unnamed;
  }
}
