// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { isInstance } from "./_to_error.ts";
import { GoroutineStoppedError } from "./goroutine_stopped_error.ts";

/**
 * Whether `value`, what a task failed with once its manager's signal aborted
 * with `reason`, is only the stop echoing back (Go: `errors.Is(err,
 * context.Canceled)` while the cause is `errFinished`). Never throws.
 *
 * Only a stop is graceful: `reason` must be a {@linkcode GoroutineStoppedError}
 * (the manager's own, or a parent manager's). Then these are graceful:
 * - `reason` itself, or an error whose `cause` chain (16 deep at most, which
 *   also stops cycles) contains it (`node:timers/promises` wraps it so);
 * - a copy of `reason` that lost its identity: not a `GoroutineStoppedError`
 *   instance, but with its `name` and `message` (workerd clones the reason
 *   through native I/O), at any depth of that chain;
 * - at the top level only, an error named `AbortError` (what `fetch` gives),
 *   or one whose message is `String(reason)` (workerd before compat date
 *   2026-04-21 re-wraps the reason as `new Error(String(reason))`).
 */
export function isGracefulExit(value: unknown, reason: unknown): boolean {
  try {
    if (!(reason instanceof GoroutineStoppedError)) return false;
    // The chain ends at `null` or `undefined`: reading from them would throw,
    // and a throw per property per level made each failure of a stopped
    // manager cost ~0.4 ms (Node 24: 20,000 failures took 11 s, not 0.1 s).
    for (let depth = 0; depth < 17 && value != null; depth++) {
      if (value === reason) return true;
      // Each property on its own: a getter that throws hides only itself. A
      // primitive has none of them, so it is no stop.
      const name = read(value, "name");
      const message = read(value, "message");
      if (
        !depth && (name === "AbortError" || message === `${reason}`) ||
        name === reason.name && message === reason.message &&
          !isInstance(value, GoroutineStoppedError)
      ) {
        return true;
      }
      value = read(value, "cause");
    }
  } catch {
    // A stop reason whose own getters were made to throw.
  }
  return false;
}

/** `value[key]`, or `undefined` if reading it throws (a getter, a revoked proxy). */
function read(value: unknown, key: "name" | "message" | "cause"): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    // Read as `undefined`.
  }
}
