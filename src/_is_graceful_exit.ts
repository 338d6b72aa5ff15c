// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/** How deep a `cause` chain is followed; guards against cycles. */
const MAX_CAUSE_DEPTH = 16;

/**
 * Whether a value a task failed with, after its manager was stopped with
 * `reason`, is only the stop echoing back (Go: `errors.Is(err, context.Canceled)`
 * while the cause is `errFinished`).
 *
 * True when `value` or an error in its `cause` chain is `reason` itself, an
 * `AbortError` (what `signal.throwIfAborted()` with a wrapped reason, `fetch`
 * and `node:timers/promises` give), or an error with the stop reason's `name`
 * (workerd clones the reason through native I/O and loses its identity).
 */
export function isGracefulExit(value: unknown, reason: Error): boolean {
  try {
    let current = value;
    for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
      if (current === reason) return true;
      if (typeof current !== "object" || current === null) return false;
      const { name, cause } = current as { name?: unknown; cause?: unknown };
      if (name === "AbortError" || name === reason.name) return true;
      current = cause;
    }
  } catch {
    // A throwing getter or a revoked proxy: not a recognisable stop.
  }
  return false;
}
