// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// ShutdownCascade edges: which managers a rescue names as cut short (those
// draining: pending work, every dependent drained), an already aborted
// rescue, stop() called twice, a clean `await using`, and no listener left on
// a member's signal once the cascade is over.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ShutdownCascade } from "goroutine-manager";
import { aborted, tick, withListenerCounts } from "./_helpers.ts";

/** A task that ignores its signal until `release` is called. */
function stuck(): { task: () => Promise<void>; release: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { task: () => promise, release: () => resolve() };
}

test("a rescue names the member that was draining once its dependents drained", async () => {
  const rescue = new AbortController();
  const app = new ShutdownCascade({ rescue: rescue.signal });
  const db = app.add("db");
  const http = app.add("http", { dependsOn: ["db"] });
  const hang = stuck();
  db.startForegroundGoroutine(hang.task);
  http.startForegroundGoroutine((signal) => aborted(signal));
  app.stop();
  await http.wait();
  await tick();
  assert.equal(db.signal.aborted, true, "db's turn came after http drained");
  rescue.abort(new Error("second interrupt"));
  await app.wait();
  assert.equal(app.errors.length, 1);
  assert.equal(
    app.errors[0]?.message,
    'Shutdown cascade was cut short before "db" drained',
  );
  assert.equal((app.errors[0]?.cause as Error).message, "second interrupt");
  hang.release();
  await db.wait();
});

test("a rescue names every draining member, in order, separated by commas", async () => {
  const rescue = new AbortController();
  const app = new ShutdownCascade({ rescue: rescue.signal });
  const hangs = [stuck(), stuck()];
  app.add("a").startForegroundGoroutine(hangs[0]!.task);
  app.add("b").startForegroundGoroutine(hangs[1]!.task);
  app.stop();
  rescue.abort(new Error("deadline"));
  await app.wait();
  assert.deepEqual(app.errors.map((error) => error.message), [
    'Shutdown cascade was cut short before "a", "b" drained',
  ]);
  for (const hang of hangs) hang.release();
});

test("stop() with an already aborted rescue stops every member at once and names only those draining", async () => {
  const rescue = new AbortController();
  rescue.abort(new Error("already"));
  const app = new ShutdownCascade({ rescue: rescue.signal });
  const db = app.add("db");
  const http = app.add("http", { dependsOn: ["db"] });
  const hangs = [stuck(), stuck()];
  db.startForegroundGoroutine(hangs[0]!.task);
  http.startForegroundGoroutine(hangs[1]!.task);
  assert.doesNotThrow(() => app.stop());
  assert.equal(db.signal.aborted, true);
  assert.equal(http.signal.aborted, true);
  await app.wait();
  // db's turn had not come: http, which depends on it, had not drained.
  assert.deepEqual(app.errors.map((error) => error.message), [
    'Shutdown cascade was cut short before "http" drained',
  ]);
  for (const hang of hangs) hang.release();
});

test("stop() twice is one cascade: one rescue report", async () => {
  const rescue = new AbortController();
  const app = new ShutdownCascade({ rescue: rescue.signal });
  const hang = stuck();
  app.add("worker").startForegroundGoroutine(hang.task);
  app.stop();
  app.stop();
  rescue.abort(new Error("deadline"));
  await app.wait();
  assert.equal(app.errors.length, 1);
  hang.release();
});

test("await using a cascade that drains cleanly does not throw", async () => {
  const app = new ShutdownCascade();
  app.add("db").startForegroundGoroutine((signal) => aborted(signal));
  app.add("http", { dependsOn: ["db"] }).startForegroundGoroutine((signal) =>
    aborted(signal)
  );
  assert.equal(await app[Symbol.asyncDispose](), undefined);
  assert.equal(app.error, undefined);
  assert.deepEqual(app.errors, []);
});

test("no listener is left on a member's signal once the cascade is over", async () => {
  await withListenerCounts(async (count) => {
    const app = new ShutdownCascade();
    const db = app.add("db");
    const http = app.add("http", { dependsOn: ["db"] });
    assert.equal(count(db.signal), 1, "the cascade listens to each member");
    app.stop();
    await app.wait();
    assert.equal(count(db.signal), 0);
    assert.equal(count(http.signal), 0);
  });
});
