// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Arguments that pass `instanceof` without being what they claim: an object
// made from AbortSignal.prototype or GoroutineManager.prototype, a proxy of a
// real manager. Each is refused up front with the library's
// TypeError (the README: "a look-alike object is not"), before any listener or
// timer is set up. And an Error from another realm is kept as an Error where
// the runtime can tell (Error.isError).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  dependentSignal,
  GoroutineLimiter,
  GoroutineManager,
  mapGoroutines,
  ShutdownCascade,
  waitFor,
} from "goroutine-manager";

/**
 * (A proxy of a real signal is left out: Node's and Deno's own getters accept
 * it, so the runtime can use it; Bun's refuse it, and so does the library.)
 */
function fakeSignals(): [label: string, value: unknown][] {
  return [
    [
      "Object.create(AbortSignal.prototype)",
      Object.create(AbortSignal.prototype),
    ],
    [
      "a plain object with a signal's members",
      {
        aborted: false,
        reason: undefined,
        addEventListener() {},
        removeEventListener() {},
        throwIfAborted() {},
      },
    ],
  ];
}

function fakeManagers(): [label: string, value: unknown][] {
  return [
    [
      "Object.create(GoroutineManager.prototype)",
      Object.create(GoroutineManager.prototype),
    ],
    [
      "a plain object with a manager's members",
      {
        pending: 0,
        signal: new AbortController().signal,
        startForegroundGoroutine() {},
        startBackgroundGoroutine() {},
        wait: () => Promise.resolve(),
      },
    ],
    ["a Proxy of a real manager", new Proxy(new GoroutineManager(), {})],
  ];
}

function throwsTypeError(
  fn: () => unknown,
  message: string,
  label: string,
): void {
  assert.throws(fn, (error) => {
    assert.ok(
      error instanceof TypeError,
      `${label}: ${String(error)} is a TypeError`,
    );
    assert.equal((error as Error).message, message, label);
    return true;
  });
}

test("a signal that only looks like an AbortSignal is refused everywhere a signal is taken", () => {
  for (const [label, fake] of fakeSignals()) {
    const shown = String(fake);
    throwsTypeError(
      () => new GoroutineManager({ signal: fake as AbortSignal }),
      `Cannot create goroutine manager as 'signal' must be an AbortSignal: current value is ${shown}`,
      label,
    );
    const manager = new GoroutineManager();
    manager.createForegroundPanicCollector(); // so that waitFor would wait
    throwsTypeError(
      () => waitFor(manager, { signal: fake as AbortSignal, timeout: 1 }),
      `Cannot wait as 'signal' must be an AbortSignal: current value is ${shown}`,
      label,
    );
    const limiter = new GoroutineLimiter(manager, 1);
    assert.throws(
      () => limiter.go(() => {}, { signal: fake as AbortSignal }),
      TypeError,
      label,
    );
    assert.equal(limiter.active + limiter.queued + limiter.dropped, 0, label);
    assert.throws(() => dependentSignal(fake as AbortSignal), TypeError, label);
    assert.throws(
      () => new ShutdownCascade({ rescue: fake as AbortSignal }),
      TypeError,
      label,
    );
  }
});

test("a manager that only looks like a GoroutineManager is refused everywhere a manager is taken", () => {
  for (const [label, fake] of fakeManagers()) {
    const shown = String(fake);
    throwsTypeError(
      () => waitFor(fake as GoroutineManager),
      `Cannot wait as 'manager' must be a GoroutineManager: current value is ${shown}`,
      label,
    );
    throwsTypeError(
      () => new GoroutineLimiter(fake as GoroutineManager, 1),
      `Cannot limit goroutines as 'manager' must be a GoroutineManager: current value is ${shown}`,
      label,
    );
    throwsTypeError(
      () => mapGoroutines(fake as GoroutineManager, [1], (x) => x),
      `Cannot map goroutines as 'manager' must be a GoroutineManager: current value is ${shown}`,
      label,
    );
    assert.throws(
      () =>
        new ShutdownCascade().add("db", { manager: fake as GoroutineManager }),
      TypeError,
      label,
    );
  }
});

test("a subclass of GoroutineManager is a GoroutineManager", async () => {
  class AppManager extends GoroutineManager {}
  const manager = new AppManager();
  const limiter = new GoroutineLimiter(manager, 1);
  assert.deepEqual(await limiter.run(() => 1), 1);
  assert.deepEqual(await mapGoroutines(manager, [1, 2], (x) => x * 2), [2, 4]);
  await waitFor(manager);
});

test("an Error from another realm is collected as it is where the runtime has Error.isError", async () => {
  const { runInNewContext } = await import("node:vm");
  const foreign = runInNewContext('new Error("foreign")') as Error;
  assert.equal(foreign instanceof Error, false, "another realm's Error");
  const manager = new GoroutineManager();
  manager.startForegroundGoroutine(() => Promise.reject(foreign));
  manager.startForegroundGoroutine(() => Promise.reject(foreign), {
    name: "job",
  });
  await manager.wait();
  const [first, second] = manager.errors;
  const isError = (Error as { isError?: (value: unknown) => boolean }).isError;
  if (isError) {
    assert.equal(first, foreign, "kept as it is");
    assert.equal(second?.message, 'Goroutine "job" failed: foreign');
  } else {
    // Node 22: no way to tell, so it is wrapped like any other value.
    assert.equal(first?.cause, foreign);
    assert.equal(first?.message, "Goroutine panicked with Error: foreign");
  }
});
