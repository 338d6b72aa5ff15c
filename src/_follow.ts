// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { thenable } from "./_thenable.ts";

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
  let promise: Promise<unknown> | undefined;
  try {
    promise = thenable(result);
  } catch (error) {
    return onFail(error);
  }
  if (promise) promise.then(onOk, onFail);
  else onOk();
}
