// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { invalid } from "./_to_error.ts";
import type { GoroutineInfo } from "./goroutine_manager.ts";

const CREATE = "create GoroutineWaitError";

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
   * Creates the error of a wait that gave up. {@linkcode waitFor} creates it;
   * created by hand, its arguments are checked, and `running` is copied into
   * a frozen array of frozen objects, so the error never changes afterwards.
   *
   * @param running The named foreground goroutines still running: objects
   * whose `name` is a string (`foreground` and `startedAt` are copied as
   * given, `undefined` if missing).
   * @param unnamed How many unnamed foreground goroutines and collectors are
   * still running: a non-negative integer.
   * @param cause Why the wait gave up.
   * @throws {TypeError} If `running` is not an array of objects whose `name`
   * is a string, or `unnamed` is not a number.
   * @throws {RangeError} If `unnamed` is not a non-negative integer.
   *
   * @example Usage
   * ```ts
   * import { GoroutineWaitError } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const running = [{ name: "uploader", foreground: true, startedAt: 0 }];
   * const error = new GoroutineWaitError(running, 2, "deadline");
   * assert.equal(error.message, `Gave up waiting for "uploader", 2 unnamed`);
   * running[0]!.name = "changed"; // the error keeps its own copy
   * assert.equal(error.running[0]?.name, "uploader");
   * assert.throws(() => new GoroutineWaitError(running, -1, "deadline"), RangeError);
   * ```
   */
  constructor(
    running: readonly (Pick<GoroutineInfo, "name"> & Partial<GoroutineInfo>)[],
    unnamed: number,
    cause: unknown,
  ) {
    let infos: readonly GoroutineInfo[];
    try {
      if (!Array.isArray(running)) throw running;
      // Array.from visits holes too (as undefined), which map() would skip.
      infos = Object.freeze(Array.from(running, (info: GoroutineInfo) => {
        // Each field read once, inherited ones and getters included (a spread
        // would keep only own enumerable properties). No primitive has a
        // string `name`; `null` and `undefined` throw here.
        const { name, foreground, startedAt } = info;
        if (typeof name !== "string") throw info;
        return Object.freeze({ name, foreground, startedAt });
      }));
    } catch {
      // Not an array, an element that is not an info, a throwing getter or a
      // revoked proxy.
      throw invalid(CREATE, "running", "an array of GoroutineInfo", running);
    }
    if (!Number.isInteger(unnamed) || unnamed < 0) {
      throw invalid(
        CREATE,
        "unnamed",
        "a non-negative integer",
        unnamed,
        typeof unnamed === "number" ? RangeError : TypeError,
      );
    }
    const parts = infos.map(({ name }) => JSON.stringify(name));
    if (unnamed) parts.push(`${unnamed} unnamed`);
    super(
      `Gave up waiting for ${parts.join(", ") || "nothing"}`,
      { cause },
    );
    this.name = "GoroutineWaitError";
    this.running = infos;
    this.unnamed = unnamed;
  }
}
