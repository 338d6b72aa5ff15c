// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Calls `fn(arg)` and reports its outcome exactly once: `fail` for a
 * synchronous throw, a throwing `then` getter or a rejection; `done` for a
 * plain return or a fulfilment. A thenable that is not a native promise is
 * adopted with `Promise.resolve()`, so one that calls back twice counts once.
 * Handlers are attached in the current turn, so a rejection is never
 * unhandled. `done` and `fail` must not throw.
 */
export function runTask<T>(
  fn: (arg: T) => unknown,
  arg: T,
  done: () => void,
  fail: (error: unknown) => void,
): void {
  let result: unknown;
  try {
    result = fn(arg);
    if (!(result instanceof Promise)) {
      result = typeof (result as { then?: unknown } | undefined)?.then ===
          "function"
        ? Promise.resolve(result)
        : undefined;
    }
  } catch (error) {
    return fail(error);
  }
  if (result) (result as Promise<unknown>).then(done, fail);
  else done();
}
