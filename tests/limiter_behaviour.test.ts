// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// GoroutineLimiter behaviour promised by its docs that the other limiter tests
// leave open: ready() after a stop and with a backlog while queued tasks are
// cancelled, the queue dropped at once on a stop, goroutine names of queued
// tasks, the default name, a zero timeout, failures of tasks with options.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineError,
  GoroutineLimiter,
  GoroutineManager,
} from "goroutine-manager";
import { aborted, countListeners, settlesNow, tick } from "./_helpers.ts";

test("ready() resolves false on a stopped limiter with nothing in flight", async () => {
  const parent = new AbortController();
  const manager = new GoroutineManager({ signal: parent.signal });
  const limiter = new GoroutineLimiter(manager, 2);
  parent.abort();
  await manager.wait();
  assert.equal(limiter.active + limiter.queued, 0);
  assert.equal(await limiter.ready(), false);
  assert.equal(await limiter.ready(5), false);
});

test("ready(backlog) resolves once active + queued < limit + backlog, as queued tasks are cancelled", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const release = Promise.withResolvers<void>();
  const ran: string[] = [];
  limiter.go(() => release.promise);
  const b = new AbortController();
  const c = new AbortController();
  limiter.go(() => void ran.push("b"), { signal: b.signal });
  limiter.go(() => void ran.push("c"), { signal: c.signal });
  limiter.go(() => void ran.push("d"));
  assert.equal(limiter.active, 1);
  assert.equal(limiter.queued, 3);
  let ready: boolean | undefined;
  const waiting = limiter.ready(2).then((value) => ready = value);
  await tick();
  assert.equal(ready, undefined, "4 in flight, room for 3");
  b.abort();
  assert.equal(limiter.queued, 2);
  await tick();
  assert.equal(ready, undefined, "3 in flight, room for 3");
  c.abort();
  assert.equal(limiter.queued, 1);
  await tick();
  assert.equal(ready, true, "2 in flight, room for 3");
  await waiting;
  release.resolve();
  await manager.wait();
  assert.deepEqual(ran, ["d"]);
  assert.equal(limiter.dropped, 2);
});

test("a stop drops the queue at once, after queued tasks were cancelled", async () => {
  const parent = new AbortController();
  const manager = new GoroutineManager({ signal: parent.signal });
  const limiter = new GoroutineLimiter(manager, 1);
  const release = Promise.withResolvers<void>();
  let ran = false;
  // Ignores its signal: keeps its slot until released.
  limiter.go(() => release.promise);
  const b = new AbortController();
  limiter.go(() => {
    ran = true;
  }, { signal: b.signal });
  const result = limiter.run(() => {
    ran = true;
  });
  limiter.go(() => {
    ran = true;
  }, { name: "named" });
  b.abort();
  assert.equal(limiter.queued, 2);
  assert.equal(limiter.dropped, 1);
  parent.abort();
  assert.equal(limiter.queued, 0);
  assert.equal(limiter.dropped, 3);
  assert.equal(await settlesNow(result), true, "the dropped result rejects");
  await assert.rejects(result, (error) => error === manager.signal.reason);
  release.resolve();
  await manager.wait();
  assert.equal(ran, false);
  assert.equal(manager.error, undefined);
});

test("a named queued task gets a goroutine of its own name, an unnamed one after it does not", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const first = Promise.withResolvers<void>();
  const second = Promise.withResolvers<void>();
  const third = Promise.withResolvers<void>();
  const started = [
    Promise.withResolvers<void>(),
    Promise.withResolvers<void>(),
    Promise.withResolvers<void>(),
  ];
  const names = (): string[] => manager.running.map((info) => info.name);
  limiter.go(() => {
    started[0]!.resolve();
    return first.promise;
  });
  limiter.go(() => {
    started[1]!.resolve();
    return second.promise;
  }, { name: "second" });
  limiter.go(() => {
    started[2]!.resolve();
    return third.promise;
  });
  await started[0]!.promise;
  assert.deepEqual(names(), []);
  first.resolve();
  await started[1]!.promise;
  assert.deepEqual(names(), ["second"]);
  second.resolve();
  await started[2]!.promise;
  await tick();
  assert.deepEqual(names(), [], "the unnamed task is not in a named goroutine");
  third.resolve();
  await manager.wait();
});

test('a task\'s name defaults to "goroutine" when fn.name is not a string', async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const failure = new Error("boom");
  const fn = (): void => {
    throw failure;
  };
  Object.defineProperty(fn, "name", { value: 42 });
  limiter.go(fn, {});
  await manager.wait();
  const error = manager.error;
  assert.ok(error instanceof GoroutineError);
  assert.equal(error.cause, failure);
  assert.equal(error.goroutine, "goroutine");
});

test("timeout: 0 is accepted and aborts the task's signal with a TimeoutError at its start", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const result = limiter.run(async (signal) => {
    await aborted(signal);
    throw signal.reason;
  }, { name: "zero", timeout: 0 });
  await assert.rejects(
    result,
    (error) => error instanceof DOMException && error.name === "TimeoutError",
  );
  await manager.wait();
  const error = manager.error;
  assert.ok(error instanceof GoroutineError);
  assert.equal((error.cause as DOMException).name, "TimeoutError");
});

test("a task with its own signal that fails with its own error: that error is collected", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const own = new AbortController();
  const failure = new Error("own failure");
  const result = limiter.run(() => {
    throw failure;
  }, { name: "failing", signal: own.signal });
  await assert.rejects(result, (error) => error === failure);
  await manager.wait();
  const error = manager.error;
  assert.ok(error instanceof GoroutineError);
  assert.equal(error.cause, failure);
});

test("a task with its own signal follows the manager's stop; run() rejects with what it threw", async () => {
  const parent = new AbortController();
  const manager = new GoroutineManager({ signal: parent.signal });
  const limiter = new GoroutineLimiter(manager, 1);
  const own = new AbortController();
  const started = Promise.withResolvers<AbortSignal>();
  const thrown = new DOMException("gave up", "AbortError");
  const result = limiter.run(async (signal) => {
    started.resolve(signal);
    await aborted(signal);
    throw thrown;
  }, { name: "follower", signal: own.signal });
  const signal = await started.promise;
  assert.equal(signal.aborted, false);
  parent.abort();
  assert.equal(
    signal.aborted,
    true,
    "the task's signal aborts with the manager's",
  );
  assert.equal(signal.reason, manager.signal.reason);
  await assert.rejects(result, (error) => error === thrown);
  await manager.wait();
  assert.equal(own.signal.aborted, false);
});

test("a task with options stops listening on the manager's task signal when it settles", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  let taskSignal: AbortSignal | undefined;
  limiter.go((signal) => {
    taskSignal = signal;
  });
  await manager.wait();
  // The signal the manager gives its goroutines, counted from now on.
  const listeners = countListeners(taskSignal!);
  const own = new AbortController();
  const during: number[] = [];
  for (const options of [{ timeout: 60_000 }, { signal: own.signal }]) {
    await limiter.run((signal) => {
      assert.notEqual(signal, taskSignal);
      during.push(listeners.count);
    }, options);
    await manager.wait();
    assert.equal(listeners.count, 0, "listener removed");
  }
  assert.deepEqual(during, [1, 1], "the task's signal followed the manager's");
  assert.equal(manager.error, undefined);
});

test("unnamed tasks that follow each other share one goroutine per slot", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 2);
  const pending: number[] = [];
  for (let i = 0; i < 6; i++) {
    limiter.go(async () => {
      pending.push(manager.pending);
      await null;
    });
  }
  assert.equal(manager.pending, 2);
  await manager.wait();
  assert.deepEqual(
    pending,
    [1, 2, 2, 2, 2, 2],
    "one goroutine per running task",
  );
});

test("a task with options but no signal or timeout gets the manager's task signal", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  let taskSignal: AbortSignal | undefined;
  limiter.go((signal) => {
    taskSignal = signal;
  });
  await manager.wait();
  const seen: AbortSignal[] = [];
  await limiter.run((signal) => void seen.push(signal));
  limiter.go((signal) => void seen.push(signal), { name: "named" });
  limiter.go((signal) => void seen.push(signal), { timeout: Infinity });
  await manager.wait();
  assert.equal(seen.length, 3);
  for (const signal of seen) assert.equal(signal, taskSignal);
});

test("a background limiter loses no task when waitUntil starts another task of it while one starts", async () => {
  const ran: string[] = [];
  const kept: Promise<unknown>[] = [];
  let inner: Promise<string> | undefined;
  const manager = new GoroutineManager({
    waitUntil(promise) {
      kept.push(promise);
      if (kept.length === 1) {
        // Called by the manager between the limiter's start of a goroutine
        // and that goroutine's first step.
        limiter.go(() => void ran.push("from waitUntil"));
        inner = limiter.run(() => "inner");
      }
    },
  });
  const limiter: GoroutineLimiter = new GoroutineLimiter(manager, 4, {
    background: true,
  });
  const outer = limiter.run(() => {
    ran.push("first");
    return "outer";
  });
  assert.equal(await outer, "outer");
  assert.equal(await inner, "inner");
  await Promise.all(kept);
  assert.deepEqual(ran.sort(), ["first", "from waitUntil"]);
  assert.deepEqual(manager.errors, []);
});

test("a background limiter loses no task when the hook, called as a start's waitUntil throws, starts another", async () => {
  const ran: string[] = [];
  let calls = 0;
  const manager: GoroutineManager = new GoroutineManager({
    waitUntil() {
      if (calls++ === 0) throw new Error("waitUntil threw");
    },
    hooks: {
      onAfterRecover() {
        limiter.go(() => void ran.push("from hook"));
      },
    },
  });
  const limiter: GoroutineLimiter = new GoroutineLimiter(manager, 4, {
    background: true,
  });
  limiter.go(() => void ran.push("first"));
  assert.deepEqual(ran.sort(), ["first", "from hook"]);
  assert.deepEqual(manager.errors.map((error) => error.message), [
    "waitUntil threw",
  ]);
  await manager.wait();
});
