// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Every test of the Go original's goroutine_test.go, same names, same steps.
// Go's channels become deferreds; require.Never/Eventually windows become one
// macrotask turn (see _helpers.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager } from "goroutine-manager";
import {
  aborted,
  requireBlocked,
  requireDone,
  requireNotBlocked,
  requireNotDone,
  settlesNow,
} from "./_helpers.ts";

const testErr = new Error("test error");

/** Go's panic(): throws its argument. */
function panic(error: Error): void {
  throw error;
}

/** Go's `errors.Is` over a joined error: identity, or inside an AggregateError. */
function errorIs(error: Error | undefined, target: Error): boolean {
  if (error === target) return true;
  return error instanceof AggregateError && error.errors.includes(target);
}

test("TestForegroundPanicRecover", async () => {
  const testFn = async (): Promise<Error | undefined> => {
    const m = new GoroutineManager();
    // Go: defer m.Wait(); defer m.StopAllGoroutines();
    //     defer m.CreateForegroundPanicCollector()(); panic(testErr)
    const collector = m.createForegroundPanicCollector();
    try {
      panic(testErr);
    } catch (error) {
      collector.collect(error);
    } finally {
      m.stopAllGoroutines();
      await m.wait();
    }
    // The verification that Go registers first runs last.
    assert.ok(errorIs(m.error, testErr));
    await requireNotBlocked(m);
    requireDone(m);
    return m.error;
  };
  const err = await testFn();
  assert.ok(errorIs(err, testErr));
});

test("TestBackgroundPanicRecover", async () => {
  const testFn = async (): Promise<Error | undefined> => {
    const m = new GoroutineManager();
    const collector = m.createBackgroundPanicCollector();
    try {
      panic(testErr);
    } catch (error) {
      collector.collect(error);
    } finally {
      m.stopAllGoroutines();
      await m.wait();
    }
    assert.ok(errorIs(m.error, testErr));
    await requireNotBlocked(m);
    requireDone(m);
    return m.error;
  };
  const err = await testFn();
  assert.ok(errorIs(err, testErr));
});

test("TestForegroundGoroutine", async () => {
  const m = new GoroutineManager();

  const done = Promise.withResolvers<void>();
  m.startForegroundGoroutine(async () => {
    await done.promise;
    throw testErr;
  });

  // Verify goroutine manager is blocked and no error is set yet.
  await requireBlocked(m);
  requireNotDone(m);
  assert.equal(m.error, undefined);

  // Unblock goroutine to cause the panic.
  done.resolve();

  // Verify goroutine manager unblocks and the panic error is set.
  await requireNotBlocked(m);
  requireDone(m);
  assert.ok(errorIs(m.error, testErr));
});

test("TestBackgroundGoroutine", async () => {
  const m = new GoroutineManager();

  const done = Promise.withResolvers<void>();
  const finished = Promise.withResolvers<void>();
  m.startBackgroundGoroutine(async () => {
    try {
      await done.promise;
      throw testErr;
    } finally {
      finished.resolve();
    }
  });

  // Verify goroutine manager is not blocked by background goroutines.
  await requireNotBlocked(m);

  // Verify goroutine manager signal is not aborted and no error is set.
  requireNotDone(m);
  assert.equal(m.error, undefined);

  // Unblock goroutine to cause the panic.
  done.resolve();
  await finished.promise;

  // Verify goroutine manager is still not blocked, its signal is aborted
  // and the panic error is set.
  await requireNotBlocked(m);
  requireDone(m);
  assert.ok(errorIs(m.error, testErr));
});

test("TestStopAllGoroutines", async () => {
  const m = new GoroutineManager();

  const bgStarted = Promise.withResolvers<void>();
  const bgDone = Promise.withResolvers<void>();
  m.startBackgroundGoroutine(async (signal) => {
    bgStarted.resolve();
    await aborted(signal);
    bgDone.resolve();
  });

  const fgStarted = Promise.withResolvers<void>();
  const fgDone = Promise.withResolvers<void>();
  m.startForegroundGoroutine(async (signal) => {
    fgStarted.resolve();
    await aborted(signal);
    fgDone.resolve();
  });

  // Wait for goroutines to start.
  await bgStarted.promise;
  await fgStarted.promise;

  // Verify goroutines are not done.
  assert.equal(await settlesNow(bgDone.promise), false);
  assert.equal(await settlesNow(fgDone.promise), false);

  // Verify goroutine manager is blocked and no error is set.
  await requireBlocked(m);
  requireNotDone(m);
  assert.equal(m.error, undefined);

  // Stop all goroutines.
  m.stopAllGoroutines();
  await m.wait();

  // Verify goroutines are done.
  await bgDone.promise;
  await fgDone.promise;

  // Verify goroutine manager is unblocked and no error is set because the
  // goroutines didn't panic.
  await requireNotBlocked(m);
  requireDone(m);
  assert.equal(m.error, undefined);
});

test("TestMultipleGoroutines", async () => {
  const m = new GoroutineManager();

  const fg1 = Promise.withResolvers<void>();
  m.startForegroundGoroutine(async () => {
    await fg1.promise;
  });

  const fg2 = Promise.withResolvers<void>();
  // Go: go func() { defer m.CreateForegroundPanicCollector()(); <-fg2 }()
  const collector = m.createForegroundPanicCollector();
  (async () => {
    try {
      await fg2.promise;
    } finally {
      collector.collect();
    }
  })();

  const bg1 = Promise.withResolvers<void>();
  m.startBackgroundGoroutine(async () => {
    await bg1.promise;
  });

  // Verify goroutine manager is blocked and no error is set.
  await requireBlocked(m);
  requireNotDone(m);
  assert.equal(m.error, undefined);

  // Unblock one foreground goroutine.
  fg1.resolve();

  // Verify goroutine manager is still blocked.
  await requireBlocked(m);
  requireNotDone(m);
  assert.equal(m.error, undefined);

  // Unblock background goroutine.
  bg1.resolve();

  // Verify goroutine manager is still blocked.
  await requireBlocked(m);
  requireNotDone(m);
  assert.equal(m.error, undefined);

  // Unblock second goroutine.
  fg2.resolve();

  // Verify goroutine manager is now unblocked, but its signal is still not
  // aborted since there was no panic.
  await requireNotBlocked(m);
  requireNotDone(m);
  assert.equal(m.error, undefined);
});

test("TestReuseGoroutineManager", async () => {
  const m = new GoroutineManager();

  // Start a few goroutines and wait.
  const fg1 = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => fg1.promise);
  const fg2 = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => fg2.promise);
  fg1.resolve();
  fg2.resolve();
  await m.wait();

  // Start another set of goroutines and wait again.
  const fg3 = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => fg3.promise);
  const fg4 = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => fg4.promise);
  fg3.resolve();
  fg4.resolve();
  await m.wait();

  // Start more goroutines using the manager's signal and stop them.
  m.startForegroundGoroutine((signal) => aborted(signal));
  m.startForegroundGoroutine((signal) => aborted(signal));
  m.stopAllGoroutines();
  await m.wait();

  // Verify goroutines started after stop return immediately.
  let done = false;
  m.startForegroundGoroutine((signal) => {
    if (signal.aborted) {
      done = true;
      return;
    }
    throw testErr;
  });
  await m.wait();
  assert.equal(done, true);
  assert.equal(m.error, undefined);
});

test("TestMultipleGoroutineErrors", async () => {
  const m = new GoroutineManager();

  const err1 = new Error("test error 1");
  const fg1 = Promise.withResolvers<void>();
  m.startForegroundGoroutine(async () => {
    await fg1.promise;
    throw err1;
  });

  const err2 = new Error("test error 2");
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw err2;
  });

  // Verify goroutine manager is blocked and no error is set yet.
  await requireBlocked(m);
  requireNotDone(m);
  assert.equal(m.error, undefined);

  // Unblock first goroutine to cause a panic.
  fg1.resolve();

  // Verify second goroutine and the goroutine manager were unblocked by the
  // panic.
  await requireNotBlocked(m);

  // Verify both panics were captured.
  assert.ok(errorIs(m.error, err2));
  assert.ok(errorIs(m.error, err1));
});

test("TestParentContext", async () => {
  const parent = new AbortController();
  const m = new GoroutineManager({ signal: parent.signal });

  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw testErr;
  });

  // Verify goroutine manager is blocked and no error is set yet.
  await requireBlocked(m);
  requireNotDone(m);
  assert.equal(m.error, undefined);

  // Abort the parent signal.
  parent.abort();

  // Verify goroutine manager is unblocked and the panic error is set.
  await requireNotBlocked(m);
  requireDone(m);
  assert.ok(errorIs(m.error, testErr));
});

test("TestHooks_OnAfterRecover", async () => {
  let counter = 0;
  const m = new GoroutineManager({
    hooks: {
      onAfterRecover: () => {
        counter++;
      },
    },
  });

  for (let i = 0; i < 300; i++) {
    m.startForegroundGoroutine(() => {
      throw testErr;
    });
  }

  await m.wait();
  assert.equal(counter, 300);
});
