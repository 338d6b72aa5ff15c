// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// An abort listener that throws, under workerd's old exception rule (compat
// dates before 2026-09-15): there, `AbortController.prototype.abort()` throws
// a listener's error to its caller. The README promises that the manager, a
// ShutdownCascade and a limited task's own signal catch that throw, collect
// it and still stop everything else. The workerd run (tests/workerd/) checks
// this on workerd itself; Node, Deno and Bun report a throwing listener as an
// uncaught exception instead, so these tests emulate workerd's rule: while
// one runs, `abort()` rethrows the first error of the listeners added with
// `addThrowingListener()` that ran during that call (the other listeners all
// run). This lets `npm run mutation`, which runs on Node, check those catches.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineLimiter,
  GoroutineManager,
  ShutdownCascade,
} from "goroutine-manager";
import { aborted } from "./_helpers.ts";

/** The errors of the throwing listeners that ran in the innermost abort(). */
let thrown: unknown[] | undefined;

/** Adds an abort listener that "throws" `error` (under the emulated rule). */
function addThrowingListener(signal: AbortSignal, error: Error): void {
  signal.addEventListener("abort", () => {
    if (!thrown) throw new Error("addThrowingListener() outside workerdRule()");
    thrown.push(error);
  }, { once: true });
}

/** Runs `fn` with `abort()` following workerd's old rule, then restores it. */
async function workerdRule(fn: () => Promise<void>): Promise<void> {
  const proto = AbortController.prototype;
  const { abort } = proto;
  proto.abort = function (this: AbortController, reason?: unknown): void {
    const outer = thrown;
    const errors: unknown[] = thrown = [];
    try {
      abort.call(this, reason);
    } catch (error) {
      errors.push(error);
    }
    thrown = outer;
    if (errors.length > 0) throw errors[0];
  };
  try {
    await fn();
  } finally {
    proto.abort = abort;
  }
}

test("workerd rule: the manager's own abort() throwing is collected, and the manager still stops", async () => {
  await workerdRule(async () => {
    const manager = new GoroutineManager();
    const boom = new Error("listener of the manager's signal");
    addThrowingListener(manager.signal, boom);
    let taskSignal: AbortSignal | undefined;
    manager.startForegroundGoroutine((signal) => {
      taskSignal = signal;
      return aborted(signal);
    });
    assert.doesNotThrow(() => manager.stopAllGoroutines());
    assert.equal(manager.signal.aborted, true);
    assert.equal(taskSignal?.aborted, true, "the task's signal still aborts");
    await manager.wait().catch(() => {});
    assert.equal(manager.error, boom);
  });
});

test("workerd rule: a task signal's abort() throwing is collected, and the other children still abort", async () => {
  await workerdRule(async () => {
    const manager = new GoroutineManager();
    const boom = new Error("listener of a task's signal");
    // More tasks than one child signal serves (64), so there are two.
    const signals: AbortSignal[] = [];
    for (let i = 0; i < 130; i++) {
      manager.startBackgroundGoroutine((signal) => {
        signals.push(signal);
        return aborted(signal);
      });
    }
    const children = [...new Set(signals)];
    const [first] = children;
    assert.ok(first);
    assert.ok(children.length > 1, "tasks share more than one child signal");
    addThrowingListener(first, boom);
    assert.doesNotThrow(() => manager.stopAllGoroutines());
    for (const signal of children) assert.equal(signal.aborted, true);
    await manager.wait().catch(() => {});
    assert.equal(manager.error, boom);
  });
});

test("workerd rule: the cascade's own abort() throwing is collected, and its managers still stop", async () => {
  await workerdRule(async () => {
    const app = new ShutdownCascade();
    const db = app.add("db");
    db.startForegroundGoroutine((signal) => aborted(signal));
    const boom = new Error("listener of the cascade's signal");
    addThrowingListener(app.signal, boom);
    assert.doesNotThrow(() => app.stop());
    assert.equal(app.signal.aborted, true);
    await app.wait();
    assert.equal(db.signal.aborted, true);
    assert.deepEqual(app.errors, [boom]);
  });
});

test("workerd rule: a limited task's own signal's abort() throwing is collected by the manager", async () => {
  await workerdRule(async () => {
    const manager = new GoroutineManager();
    const limiter = new GoroutineLimiter(manager, 1);
    const cancel = new AbortController();
    const boom = new Error("listener of a limited task's signal");
    const started = Promise.withResolvers<void>();
    const run = limiter.run((signal) => {
      addThrowingListener(signal, boom);
      started.resolve();
      return aborted(signal).then(() => {
        throw signal.reason;
      });
    }, { signal: cancel.signal });
    await started.promise;
    assert.doesNotThrow(() => cancel.abort(new Error("cancelled")));
    await assert.rejects(run, { message: "cancelled" });
    await manager.wait().catch(() => {});
    assert.equal(manager.error, boom);
  });
});
