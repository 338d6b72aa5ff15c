// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { runTask } from "./_run_task.ts";

/**
 * Calls `onOk` or `onFail` once with the outcome of `result`: at once for a
 * plain value, when it settles for a promise or any other thenable (see
 * {@linkcode runTask}).
 */
export function follow(
  result: unknown,
  onOk: () => void,
  onFail: (error: unknown) => void,
): void {
  runTask(identity, result, onOk, onFail);
}

function identity<T>(value: T): T {
  return value;
}
