// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Calls `onOk` or `onFail` once with the outcome of `result`: at once for a
 * plain value, when it settles for a promise or any other thenable. Handlers
 * are attached in the current turn, so a rejection is never unhandled. A
 * thenable whose `then` getter throws counts as a failure. `onOk` and `onFail`
 * must not throw.
 */
export function follow(
  result: unknown,
  onOk: () => void,
  onFail: (error: unknown) => void,
): void {
  if (result instanceof Promise) {
    result.then(onOk, onFail);
    return;
  }
  if (
    result !== null &&
    (typeof result === "object" || typeof result === "function")
  ) {
    let then: unknown;
    try {
      then = (result as { then?: unknown }).then;
    } catch (error) {
      onFail(error);
      return;
    }
    if (typeof then === "function") {
      // Promise.resolve() adopts the thenable safely: one outcome, at most once.
      Promise.resolve(result).then(onOk, onFail);
      return;
    }
  }
  onOk();
}
