// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { describe, invalid, messageOf } from "./_to_error.ts";

/**
 * The error collected when a named goroutine fails: its message names the
 * goroutine, and its `cause` is exactly what the goroutine threw.
 *
 * @example Find which task failed
 * ```ts
 * import { GoroutineError, GoroutineManager } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * const cause = new Error("connection reset");
 * manager.startForegroundGoroutine(() => Promise.reject(cause), { name: "db-writer" });
 * await manager.wait();
 * const [error] = manager.errors;
 * assert.ok(error instanceof GoroutineError);
 * assert.equal(error.goroutine, "db-writer");
 * assert.equal(error.cause, cause);
 * assert.equal(error.message, 'Goroutine "db-writer" failed: connection reset');
 * ```
 */
export class GoroutineError extends Error {
  /** The name of the goroutine that failed. */
  declare readonly goroutine: string;

  /**
   * Creates the error of a failed named goroutine.
   *
   * @param goroutine The goroutine's name.
   * @param cause What the goroutine threw or rejected with: any value. The
   * message uses its `message` if it is an `Error`, a description otherwise,
   * and never throws to build.
   * @throws {TypeError} If `goroutine` is not a string.
   */
  constructor(goroutine: string, cause: unknown) {
    if (typeof goroutine !== "string") {
      throw invalid(
        "create goroutine error",
        "goroutine",
        "a string",
        goroutine,
      );
    }
    super(
      `Goroutine ${describe(goroutine)} failed: ${messageOf(cause)}`,
      { cause },
    );
    this.name = "GoroutineError";
    this.goroutine = goroutine;
  }
}
