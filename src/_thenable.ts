// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * The promise to follow for a task's result: the result itself if it is a
 * native promise, a native promise adopting it if it is another thenable (so
 * that a thenable that calls back twice counts once), `undefined` for a plain
 * value. Throws what a throwing `then` getter throws.
 */
export function thenable(value: unknown): Promise<unknown> | undefined {
  if (value instanceof Promise) return value;
  return typeof (value as { then?: unknown } | undefined)?.then === "function"
    ? Promise.resolve(value)
    : undefined;
}
