// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager, PanicCollector } from "goroutine-manager";
import { escapes, settlesNow } from "./_helpers.ts";

test("PanicCollector.collect() without an argument is a clean finish", async () => {
  const m = new GoroutineManager();
  const collector = m.createForegroundPanicCollector();
  collector.collect();
  await m.wait();
  assert.equal(m.error, undefined);
  assert.equal(m.signal.aborted, false);
});

test("PanicCollector.collect(undefined) is a failure, told apart by argument count", async () => {
  const m = new GoroutineManager();
  m.createForegroundPanicCollector().collect(undefined);
  await m.wait();
  assert.equal(m.errors.length, 1);
  assert.equal(m.errors[0]!.cause, undefined);
  assert.equal(
    m.errors[0]!.message,
    "Goroutine panicked with undefined",
  );
  assert.equal(m.signal.reason, m.getErrGoroutineStopped());
});

test("PanicCollector counts only the first call", async () => {
  const m = new GoroutineManager();
  const first = m.createForegroundPanicCollector();
  first.collect();
  first.collect(new Error("ignored"));
  const second = m.createForegroundPanicCollector();
  const error = new Error("counted");
  second.collect(error);
  second.collect(new Error("ignored too"));
  second.collect();
  // A foreground collector called twice must not release wait() for another.
  const third = m.createForegroundPanicCollector();
  first.collect();
  assert.equal(await settlesNow(m.wait()), false);
  third.collect();
  await m.wait();
  assert.deepEqual(m.errors, [error]);
});

test("PanicCollector.collect() releases a foreground collector's count once", () => {
  const m = new GoroutineManager();
  const collector = m.createForegroundPanicCollector();
  assert.equal(m.pending, 1);
  collector.collect(new Error("x"));
  assert.equal(m.pending, 0);
  collector.collect();
  assert.equal(m.pending, 0);
});

test("PanicCollector.wrap() reports a synchronous throw and returns undefined", async () => {
  const m = new GoroutineManager();
  const error = new Error("sync");
  const wrapped = m.createForegroundPanicCollector().wrap(() => {
    throw error;
  });
  assert.equal(wrapped(), undefined);
  await m.wait();
  assert.deepEqual(m.errors, [error]);
});

test("PanicCollector.wrap() reports a rejection without leaving it unhandled", async () => {
  const error = new Error("async");
  const seen = await escapes(async () => {
    const m = new GoroutineManager();
    const release = Promise.withResolvers<void>();
    const wrapped = m.createForegroundPanicCollector().wrap(async () => {
      await release.promise;
      throw error;
    });
    assert.equal(wrapped(), undefined);
    assert.equal(await settlesNow(m.wait()), false);
    release.resolve();
    await m.wait();
    assert.deepEqual(m.errors, [error]);
  });
  assert.deepEqual(seen, []);
});

test("PanicCollector.wrap() passes the arguments on and reports a clean finish", async () => {
  const m = new GoroutineManager();
  const calls: unknown[] = [];
  const handler = m.createForegroundPanicCollector().wrap(
    (a: number, b: string) => {
      calls.push(a, b);
      return Promise.resolve("ignored result");
    },
  );
  handler(1, "two");
  await m.wait();
  assert.deepEqual(calls, [1, "two"]);
  assert.equal(m.error, undefined);
});

test("PanicCollector.wrap() throws a TypeError for a non-function", () => {
  const collector = new GoroutineManager().createBackgroundPanicCollector();
  assert.throws(() => collector.wrap({} as never), {
    name: "TypeError",
    message:
      "Cannot wrap callback as 'fn' must be a function: current value is [object Object]",
  });
});

test("PanicCollector[Symbol.dispose]() reports a clean finish only if nothing was reported", async () => {
  const m = new GoroutineManager();
  const clean = m.createForegroundPanicCollector();
  clean[Symbol.dispose]();
  assert.equal(m.pending, 0);
  const failed = m.createForegroundPanicCollector();
  const error = new Error("reported first");
  failed.collect(error);
  failed[Symbol.dispose]();
  await m.wait();
  assert.deepEqual(m.errors, [error]);
});

test("new PanicCollector() calls at most one of its callbacks, once", () => {
  const events: unknown[] = [];
  const collector = new PanicCollector(
    () => events.push("done"),
    (e) => events.push(e),
  );
  collector.collect("x");
  collector.collect();
  assert.deepEqual(events, ["x"]);
});

test("wrap() called without its collector throws a TypeError at once, before fn is wrapped or run", () => {
  const manager = new GoroutineManager();
  const collector = manager.createForegroundPanicCollector();
  const { wrap } = collector;
  let ran = false;
  assert.throws(() => wrap(() => void (ran = true)), TypeError);
  assert.equal(ran, false);
  assert.equal(manager.pending, 1, "the collector has not reported");
  collector.wrap(() => void (ran = true))();
  assert.equal(ran, true);
  assert.equal(manager.pending, 0);
});

test("what a collector reports is judged like what a task throws: a graceful exit after a stop is not collected", () => {
  const running = new GoroutineManager();
  running.createBackgroundPanicCollector().collect(
    new DOMException("x", "AbortError"),
  );
  assert.equal(running.errors.length, 1, "before a stop, an AbortError fails");

  const manager = new GoroutineManager();
  const background = manager.createBackgroundPanicCollector();
  const foreground = manager.createForegroundPanicCollector();
  const real = manager.createBackgroundPanicCollector();
  manager.stopAllGoroutines();
  background.collect(new DOMException("x", "AbortError"));
  foreground.collect(manager.getErrGoroutineStopped());
  assert.deepEqual(manager.errors, []);
  assert.equal(manager.pending, 0);
  const failure = new Error("real");
  real.collect(failure);
  assert.deepEqual(manager.errors, [failure]);
});
