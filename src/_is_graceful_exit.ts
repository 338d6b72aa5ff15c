// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Whether a value a task failed with, after its manager was stopped with
 * `reason`, is only the stop echoing back (Go: `errors.Is(err, context.Canceled)`
 * while the cause is `errFinished`).
 *
 * True when `value` or an error in its `cause` chain (followed 16 deep at
 * most, which also stops cycles) is `reason` itself, an `AbortError` (what
 * `signal.throwIfAborted()` with a wrapped reason, `fetch` and
 * `node:timers/promises` give), an error with the stop reason's `name`
 * (workerd clones the reason through native I/O and loses its identity), or
 * an error whose message is `String(reason)` (older workerd compat dates
 * re-wrap the reason as `new Error(String(reason))`).
 */
export function isGracefulExit(
  value: unknown,
  reason: Error,
  depth = 0,
): boolean {
  try {
    if (value === reason) return true;
    if (Object(value) !== value || depth > 15) return false;
    const { name, message, cause } = value as {
      name?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    return name === "AbortError" || name === reason.name ||
      // workerd before compat date 2026-04-21 rejects native I/O with
      // new Error(String(reason)): only the message is left.
      message === `${reason}` ||
      isGracefulExit(cause, reason, depth + 1);
  } catch {
    // A throwing getter or a revoked proxy: not a recognisable stop.
    return false;
  }
}
