// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * The reason a signal made by {@linkcode dependentSignal} aborts with. It tells
 * which of the two ways it happened: `rescued` is `false` when the upstream
 * signal aborted and every dependency finished, and `true` when the rescue
 * signal cut the wait short. `cause` is the upstream or the rescue signal's
 * reason.
 *
 * Its `cause` chain holds the upstream reason, so a task of a
 * {@linkcode GoroutineManager} that was stopped (the upstream being its signal)
 * and that rethrows this error still exits gracefully.
 *
 * @example Tell a rescue from an orderly stop
 * ```ts
 * import { dependentSignal, DependentAbortError } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const upstream = new AbortController();
 * const rescue = new AbortController();
 * const signal = dependentSignal(upstream.signal, {
 *   after: [new Promise(() => {})], // never finishes
 *   rescue: rescue.signal,
 * });
 * upstream.abort();
 * rescue.abort(new Error("second interrupt"));
 * assert.ok(signal.reason instanceof DependentAbortError);
 * assert.equal(signal.reason.rescued, true);
 * assert.equal((signal.reason.cause as Error).message, "second interrupt");
 * ```
 */
export class DependentAbortError extends Error {
  /** Whether the rescue signal aborted before the dependencies finished. */
  declare readonly rescued: boolean;

  /**
   * Creates the reason of a dependent signal. {@linkcode dependentSignal}
   * creates it for you.
   *
   * @param rescued Whether the rescue signal cut the wait short.
   * @param cause The reason of the upstream signal, or of the rescue signal.
   */
  constructor(rescued: boolean, cause?: unknown) {
    super("Dependent signal aborted", { cause });
    this.name = "DependentAbortError";
    this.rescued = rescued;
  }
}
