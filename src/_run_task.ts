// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

const { then } = Promise.prototype;

/**
 * Calls `fn(arg)` and reports its outcome exactly once: `fail` for a
 * synchronous throw or a rejection, `done` for a plain return or a
 * fulfilment. Only a plain native promise (its constructor is `Promise`, its
 * `then` the native one) gets the handlers directly; any other promise or
 * thenable is adopted by a new promise, whose resolving functions count once
 * however its `then` calls back, and whose rejection catches a throwing `then`
 * or `then` getter. Reading the result (a revoked proxy, a throwing getter)
 * fails the task with what was thrown. Handlers are attached in the current
 * turn, so a rejection is never unhandled. `done` and `fail` must not throw.
 */
export function runTask<T>(
  fn: (arg: T) => unknown,
  arg: T,
  done: () => void,
  fail: (error: unknown) => void,
): void {
  try {
    const result = fn(arg) as Promise<unknown> | undefined;
    const resultThen = result?.then;
    // A look-alike that is no native promise makes the native `then` throw
    // before it attaches anything.
    if (resultThen === then && result!.constructor === Promise) {
      // `then` as read above, not read again: a `then` getter that changes its
      // answer must not get `done` and `fail`.
      return void then.call(result, done, fail);
    }
    if (typeof resultThen === "function") {
      return void new Promise((resolve) => resolve(result)).then(done, fail);
    }
  } catch (error) {
    return fail(error);
  }
  done();
}
