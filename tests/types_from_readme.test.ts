// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Usages the README allows, checked by the compiler under this repository's
// settings (deno.json: strict, exactOptionalPropertyTypes,
// noUncheckedIndexedAccess) when `deno test` type-checks this file, and run
// on every runtime: an option may be passed as `undefined` ("every option is
// optional"), a GoroutineWaitError takes objects with a string `name`, and a
// collector's bound `collect` fits the callback types people hand it to.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  dependentSignal,
  GoroutineLimiter,
  GoroutineManager,
  GoroutineWaitError,
  handleProcessSignals,
  mapGoroutines,
  ShutdownCascade,
  waitFor,
} from "goroutine-manager";

/** A value the compiler cannot narrow: `undefined` at run time. */
function maybe<T>(): T | undefined {
  return undefined;
}

test("every option can be passed as undefined", async () => {
  const manager = new GoroutineManager({
    signal: maybe<AbortSignal>(),
    hooks: { onAfterRecover: maybe<(error: Error) => void>() },
    waitUntil: maybe<(promise: Promise<unknown>) => void>(),
  });
  manager.startForegroundGoroutine(() => {}, { name: maybe<string>() });
  const limiter = new GoroutineLimiter(manager, 2, {
    background: maybe<boolean>(),
  });
  limiter.go(() => {}, {
    name: maybe<string>(),
    signal: maybe<AbortSignal>(),
    timeout: maybe<number>(),
  });
  assert.equal(await limiter.run(() => 1, { timeout: maybe<number>() }), 1);
  assert.deepEqual(
    await mapGoroutines(manager, [1], (x) => x, { limit: maybe<number>() }),
    [1],
  );
  await waitFor(manager, {
    signal: maybe<AbortSignal>(),
    timeout: maybe<number>(),
  });
  const app = new ShutdownCascade({ rescue: maybe<AbortSignal>() });
  app.add("db", { dependsOn: maybe<string[]>(), manager: maybe() });
  app.stop();
  await app.wait();
  const upstream = new AbortController();
  const signal = dependentSignal(upstream.signal, {
    after: maybe<AbortSignal[]>(),
    rescue: maybe<AbortSignal>(),
  });
  upstream.abort();
  assert.equal(signal.aborted, true);
  // No process object is touched here: the handler is disposed at once.
  handleProcessSignals(() => {}, {
    exitCode: maybe<number>(),
    onRescue: maybe<() => void>(),
    onError: maybe<(error: Error) => void>(),
  })[Symbol.dispose]();
  await manager.wait();
  assert.deepEqual(manager.errors, []);
});

test("new GoroutineWaitError() takes objects with a string name", () => {
  const error = new GoroutineWaitError([{ name: "uploader" }], 2, "deadline");
  assert.equal(error.message, 'Gave up waiting for "uploader", 2 unnamed');
  assert.equal(error.running[0]?.name, "uploader");
  assert.equal(error.running[0]?.foreground, undefined, "copied as given");
});

test("a collector's collect fits the callback types it is handed to", () => {
  const manager = new GoroutineManager();
  const collector = manager.createForegroundPanicCollector();
  const optional: (error?: unknown) => void = collector.collect;
  const done: () => void = collector.collect;
  const fail: (error: unknown) => void = collector.collect;
  assert.deepEqual([optional, done, fail].map((f) => typeof f), [
    "function",
    "function",
    "function",
  ]);
  fail(new Error("reported"));
  assert.equal(manager.pending, 0);
  assert.equal(manager.error?.message, "reported");
});

test("running and errors are new arrays each time: changing one type-checks and changes nothing", async () => {
  const manager = new GoroutineManager();
  const release = Promise.withResolvers<void>();
  manager.startForegroundGoroutine(() => release.promise, { name: "job" });
  manager.startBackgroundGoroutine(() => {
    throw new Error("failed");
  });
  const running = manager.running;
  running.length = 0;
  const errors = manager.errors;
  errors.push(new Error("not collected"));
  assert.deepEqual(manager.running.map(({ name }) => name), ["job"]);
  assert.deepEqual(manager.errors.map(({ message }) => message), ["failed"]);
  const app = new ShutdownCascade();
  app.add("db", { manager });
  const appErrors = app.errors;
  appErrors.length = 0;
  assert.equal(app.errors.length, 1);
  release.resolve();
  await manager.wait();
});

test("dependsOn: a string is a compile error as well as a TypeError; arrays and Sets type-check", () => {
  const app = new ShutdownCascade();
  app.add("db");
  app.add("cache");
  // @ts-expect-error a string is iterable, but never a list of names
  assert.throws(() => app.add("api", { dependsOn: "db" }), TypeError);
  app.add("api", { dependsOn: ["db"] });
  app.add("worker", { dependsOn: new Set(["db", "cache"]) });
  app.stop();
});
