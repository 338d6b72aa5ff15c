// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// ShutdownCascade: ordered shutdowns of named managers, started by a stop or a
// failure, cut short by a rescue signal (a second interrupt or a deadline).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineManager,
  GoroutineStoppedError,
  ShutdownCascade,
} from "goroutine-manager";
import {
  aborted,
  countListeners,
  escapes,
  settlesNow,
  tick,
} from "./_helpers.ts";

/**
 * Starts a foreground task on `manager` that logs "<name> stopped" when the
 * manager's signal aborts and "<name> drained" when the returned `release` is
 * resolved (at once unless `hold`), so the test decides when each drain ends.
 */
function service(
  events: string[],
  name: string,
  manager: GoroutineManager,
  hold = false,
): PromiseWithResolvers<void> {
  const release = Promise.withResolvers<void>();
  if (!hold) release.resolve();
  manager.startForegroundGoroutine(async (signal) => {
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    events.push(`${name} stopped`);
    await release.promise;
    events.push(`${name} drained`);
  });
  return release;
}

test("ShutdownCascade stops four levels in order, each drained before what it depends on stops", async () => {
  const events: string[] = [];
  const app = new ShutdownCascade();
  const db = app.add("db");
  const cache = app.add("cache", { dependsOn: ["db"] });
  const api = app.add("api", { dependsOn: ["cache", "db"] });
  const http = app.add("http", { dependsOn: ["api"] });
  const releases = {
    db: service(events, "db", db, true),
    cache: service(events, "cache", cache, true),
    api: service(events, "api", api, true),
    http: service(events, "http", http, true),
  };
  app.stop();
  assert.ok(app.signal.reason instanceof GoroutineStoppedError);
  assert.equal(
    http.signal.aborted,
    true,
    "nothing depends on http: it stops at once",
  );
  assert.equal(api.signal.aborted, false);
  await tick();
  assert.deepEqual(events, ["http stopped"]);

  for (const level of ["http", "api", "cache"] as const) {
    releases[level].resolve();
    await tick();
  }
  assert.deepEqual(events, [
    "http stopped",
    "http drained",
    "api stopped",
    "api drained",
    "cache stopped",
    "cache drained",
    "db stopped",
  ]);
  assert.equal(await settlesNow(app.wait()), false, "db has not drained");
  releases.db.resolve();
  await app.wait();
  assert.equal(events.at(-1), "db drained");
  assert.equal(app.error, undefined);
  assert.deepEqual(app.errors, []);
});

test("ShutdownCascade stops a shared dependency only after all of its dependents drained", async () => {
  const events: string[] = [];
  const app = new ShutdownCascade();
  const store = app.add("store");
  const left = app.add("left", { dependsOn: ["store"] });
  const right = app.add("right", { dependsOn: ["store"] });
  const top = app.add("top", { dependsOn: ["left", "right"] });
  service(events, "store", store);
  const releaseLeft = service(events, "left", left, true);
  const releaseRight = service(events, "right", right, true);
  service(events, "top", top);
  app.stop();
  await tick();
  assert.deepEqual(events, [
    "top stopped",
    "top drained",
    "left stopped",
    "right stopped",
  ]);
  releaseRight.resolve();
  await tick();
  assert.equal(store.signal.aborted, false, "left has not drained");
  releaseLeft.resolve();
  await app.wait();
  assert.deepEqual(events.slice(-2), ["store stopped", "store drained"]);
});

test("ShutdownCascade starts the same cascade when a manager in the middle fails", async () => {
  const events: string[] = [];
  const app = new ShutdownCascade();
  const db = app.add("db");
  const queue = app.add("queue", { dependsOn: ["db"] });
  const http = app.add("http", { dependsOn: ["queue"] });
  service(events, "db", db);
  const releaseHttp = service(events, "http", http, true);
  const failure = new Error("queue broke");
  const fail = Promise.withResolvers<void>();
  queue.startForegroundGoroutine(async () => {
    await fail.promise;
    events.push("queue failed");
    throw failure;
  });

  fail.resolve();
  await tick();
  assert.equal(app.signal.aborted, true, "the failure started the cascade");
  assert.equal(app.signal.reason, failure);
  assert.equal(queue.signal.aborted, true, "the failed manager stopped itself");
  assert.deepEqual(events, ["queue failed", "http stopped"]);
  assert.equal(
    db.signal.aborted,
    false,
    "db waits for http, which depends on it through queue",
  );

  releaseHttp.resolve();
  await app.wait();
  assert.deepEqual(events, [
    "queue failed",
    "http stopped",
    "http drained",
    "db stopped",
    "db drained",
  ]);
  assert.deepEqual(app.errors, [failure]);
  assert.equal(app.error, failure);
});

test("ShutdownCascade collects the errors of every manager, in the order they were added", async () => {
  const app = new ShutdownCascade();
  const a = app.add("a");
  const b = app.add("b", { dependsOn: ["a"] });
  b.startForegroundGoroutine(() => Promise.reject(new Error("b failed")));
  a.startForegroundGoroutine(async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    throw new Error("a failed while stopping");
  });
  await app.wait();
  assert.deepEqual(app.errors.map((error) => error.message), [
    "a failed while stopping",
    "b failed",
  ]);
  assert.ok(app.error instanceof AggregateError);
  assert.equal(app.error.message, "2 errors collected");
  assert.deepEqual(app.error.errors, [...app.errors]);
});

test("ShutdownCascade treats a parent-signal abort of a member as a failure", async () => {
  const parent = new AbortController();
  const app = new ShutdownCascade();
  const other = app.add("other");
  app.add("child", {
    manager: new GoroutineManager({ signal: parent.signal }),
  });
  parent.abort("lost upstream");
  assert.equal(app.signal.aborted, true);
  assert.equal(app.signal.reason, "lost upstream");
  assert.equal(other.signal.aborted, true);
  await app.wait();
});

test("ShutdownCascade is not started by a graceful stop of one member", async () => {
  const app = new ShutdownCascade();
  const one = app.add("one");
  app.add("two");
  one.stopAllGoroutines();
  assert.equal(app.signal.aborted, false);
  app.stop();
  await app.wait();
  assert.equal(app.error, undefined);
});

test("ShutdownCascade rejects a dependency cycle at declaration: dependencies must be added first", async () => {
  const events: string[] = [];
  const app = new ShutdownCascade();
  assert.throws(() => app.add("self", { dependsOn: ["self"] }), {
    name: "RangeError",
    message:
      `Cannot add "self" to shutdown cascade as no manager is named "self" yet`,
  });
  service(events, "c", app.add("c"));
  service(events, "b", app.add("b", { dependsOn: ["c"] }));
  service(events, "a", app.add("a", { dependsOn: ["b"] }));
  // "c" -> "a" -> "b" -> "c" would need "c" to be added again.
  assert.throws(() => app.add("c", { dependsOn: ["a"] }), {
    name: "RangeError",
    message: `Cannot add "c" to shutdown cascade as the name is taken`,
  });
  assert.throws(() => app.add("d", { dependsOn: ["a", "dbb"] }), {
    name: "RangeError",
    message:
      `Cannot add "d" to shutdown cascade as no manager is named "dbb" yet`,
  });
  // A rejected add() adds nothing: "self" and "d" can still be added, and a
  // name given twice counts once.
  service(events, "self", app.add("self"));
  service(events, "d", app.add("d", { dependsOn: ["a", "self", "a"] }));
  app.stop();
  await app.wait();
  assert.deepEqual(events, [
    "d stopped",
    "d drained",
    "a stopped",
    "self stopped",
    "a drained",
    "self drained",
    "b stopped",
    "b drained",
    "c stopped",
    "c drained",
  ]);
  assert.equal(app.error, undefined);
});

test("ShutdownCascade rescue during a drain stops everything at once and names what had not drained", async () => {
  const events: string[] = [];
  const rescue = new AbortController();
  const app = new ShutdownCascade({ rescue: rescue.signal });
  const db = app.add("db");
  const cache = app.add("cache", { dependsOn: ["db"] });
  const api = app.add("api", { dependsOn: ["cache"] });
  service(events, "db", db);
  service(events, "cache", cache);
  const hung = service(events, "api", api, true);
  app.stop();
  await tick();
  assert.deepEqual(events, ["api stopped"]);
  assert.equal(await settlesNow(app.wait()), false);

  const reason = new Error("second interrupt");
  rescue.abort(reason);
  assert.equal(cache.signal.aborted, true, "stopped at once");
  assert.equal(db.signal.aborted, true, "stopped at once");
  await app.wait(); // without api's drain
  assert.equal(events.includes("api drained"), false);
  assert.equal(app.errors.length, 1);
  assert.equal(
    app.errors[0]?.message,
    `Shutdown cascade was cut short before "api" drained`,
  );
  assert.equal(app.errors[0]?.cause, reason);
  hung.resolve();
  await api.wait();
});

test("ShutdownCascade rescued before it starts stops everything at once when it starts", async () => {
  const app = new ShutdownCascade({ rescue: AbortSignal.abort("already") });
  const db = app.add("db");
  app.add("api", { dependsOn: ["db"] });
  app.stop();
  assert.equal(db.signal.aborted, true);
  await app.wait();
  assert.equal(app.error, undefined, "nothing was left running");
});

test("ShutdownCascade with a timer-driven rescue signal has a deadline counted from the stop", async () => {
  const deadline = new AbortController();
  const app = new ShutdownCascade({ rescue: deadline.signal });
  const stuck = app.add("stuck");
  const release = Promise.withResolvers<void>();
  stuck.startForegroundGoroutine(() => release.promise);
  app.stop();
  const timer = setTimeout(
    () => deadline.abort(new DOMException("Too slow", "TimeoutError")),
    1,
  );
  await app.wait();
  clearTimeout(timer);
  assert.equal(app.errors.length, 1);
  assert.match(app.errors[0]?.message ?? "", /"stuck" drained/);
  const cause = app.errors[0]?.cause as DOMException;
  assert.equal(cause.name, "TimeoutError");
  release.resolve();
  await stuck.wait();
});

test("ShutdownCascade leaves no listener on its rescue signal or its managers once it ends", async () => {
  const rescue = new AbortController();
  const onRescue = countListeners(rescue.signal);
  const app = new ShutdownCascade({ rescue: rescue.signal });
  const db = app.add("db");
  const api = app.add("api", { dependsOn: ["db"] });
  const onDb = countListeners(db.signal);
  const release = service([], "api", api, true);
  assert.equal(onRescue.count, 0, "the rescue is watched only while stopping");

  app.stop();
  assert.equal(app.signal.aborted, true);
  assert.equal(
    onRescue.count,
    2,
    "the cascade's own, and the turn of db (a dependent signal waiting for api to drain)",
  );
  release.resolve();
  await app.wait();
  assert.equal(onRescue.count, 0);
  assert.equal(onDb.count, 0);
});

test("ShutdownCascade.wait() resolves at once for an empty cascade once stopped, and is pending before", async () => {
  const app = new ShutdownCascade();
  assert.equal(await settlesNow(app.wait()), false);
  app.stop();
  app.stop();
  assert.equal(await settlesNow(app.wait()), true);
});

test("ShutdownCascade[Symbol.asyncDispose]() stops, waits and throws the collected error", async () => {
  const events: string[] = [];
  const app = new ShutdownCascade();
  const db = app.add("db");
  const api = app.add("api", { dependsOn: ["db"] });
  service(events, "db", db);
  service(events, "api", api);
  api.startBackgroundGoroutine(async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    throw new Error("flush failed");
  });
  await assert.rejects(app[Symbol.asyncDispose](), { message: "flush failed" });
  assert.deepEqual(events, [
    "api stopped",
    "api drained",
    "db stopped",
    "db drained",
  ]);
});

test("ShutdownCascade lets no error escape while it stops", async () => {
  const seen = await escapes(async () => {
    const app = new ShutdownCascade({ rescue: new AbortController().signal });
    const a = app.add("a");
    app.add("b", { dependsOn: ["a"] }).startForegroundGoroutine(() => {
      throw new Error("b");
    });
    a.startForegroundGoroutine(() => Promise.reject(new Error("a")));
    await app.wait();
    assert.equal(app.errors.length, 2);
  });
  assert.deepEqual(seen, []);
});

test("ShutdownCascade validates its arguments with std-style messages", () => {
  const create = (value: unknown, expected = "an object") =>
    `Cannot create shutdown cascade as '${
      expected === "an object" ? "options" : "rescue"
    }' must be ${expected}: current value is ${value}`;
  for (const [options, shown] of [[42, "42"], [null, "null"], ["x", `"x"`]]) {
    assert.throws(() => new ShutdownCascade(options as never), {
      name: "TypeError",
      message: create(shown),
    });
  }
  for (const [rescue, shown] of [["x", `"x"`], [0, "0"], [null, "null"]]) {
    assert.throws(() => new ShutdownCascade({ rescue: rescue as never }), {
      name: "TypeError",
      message: create(shown, "an AbortSignal"),
    });
  }
  // A look-alike is no signal.
  assert.throws(
    () =>
      new ShutdownCascade({
        rescue: { aborted: false, addEventListener() {} } as never,
      }),
    TypeError,
  );

  const app = new ShutdownCascade();
  const name = (shown: string) =>
    `Cannot add to shutdown cascade as 'name' must be a non-empty string: current value is ${shown}`;
  for (
    const [value, shown] of [
      ["", `""`],
      [42, "42"],
      [null, "null"],
      [undefined, "undefined"],
      [{}, "[object Object]"],
      [Symbol("db"), "Symbol(db)"],
      [1n, "1n"],
      [["db"], "db"],
    ] as const
  ) {
    assert.throws(() => app.add(value as never), {
      name: "TypeError",
      message: name(shown),
    });
  }
  const add = (message: string) =>
    `Cannot add "x" to shutdown cascade as ${message}`;
  assert.throws(() => app.add("x", 42 as never), {
    name: "TypeError",
    message: add("'options' must be an object: current value is 42"),
  });
  assert.throws(() => app.add("x", null as never), {
    name: "TypeError",
    message: add("'options' must be an object: current value is null"),
  });
  assert.throws(() => app.add("x", { manager: {} as never }), {
    name: "TypeError",
    message: add(
      "'manager' must be a GoroutineManager: current value is [object Object]",
    ),
  });
  for (
    const [dependsOn, shown] of [["db", `"db"`], [1, "1"], [
      {},
      "[object Object]",
    ]]
  ) {
    assert.throws(() => app.add("x", { dependsOn: dependsOn as never }), {
      name: "TypeError",
      message: add(
        `'dependsOn' must be an iterable of strings: current value is ${shown}`,
      ),
    });
  }
  assert.throws(() => app.add("x", { dependsOn: [1 as never] }), {
    name: "TypeError",
    message: add("'dependsOn[0]' must be a string: current value is 1"),
  });
  assert.throws(() => app.add("x", { dependsOn: ["nobody"] }), {
    name: "RangeError",
    message: add(`no manager is named "nobody" yet`),
  });
  // None of the mistakes above registered anything: "x" is free, and the
  // manager of a failed add can be added.
  assert.deepEqual(app.errors, []);
  const manager = new GoroutineManager();
  assert.throws(
    () => app.add("x", { manager, dependsOn: ["nobody"] }),
    RangeError,
  );
  assert.equal(app.add("x", { manager }), manager);
  assert.throws(() => app.add("x"), {
    name: "RangeError",
    message: add("the name is taken"),
  });
  // One manager under two names, or in two cascades: its turn would come twice
  // in two orders, and its errors would be reported twice.
  assert.throws(() => app.add("y", { manager }), {
    name: "RangeError",
    message:
      `Cannot add "y" to shutdown cascade as its manager was added to a shutdown cascade already`,
  });
  assert.throws(() => new ShutdownCascade().add("x", { manager }), RangeError);
  app.stop();
  assert.throws(() => app.add("late"), {
    name: "TypeError",
    message: `Cannot add "late" to shutdown cascade as it has started`,
  });
});

test("ShutdownCascade: a mistake in add() leaves the cascade as it was", async () => {
  const app = new ShutdownCascade();
  const db = app.add("db");
  const events: string[] = [];
  db.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    events.push("db closed");
  });
  assert.throws(() => app.add("api", { dependsOn: "db" as never }), TypeError);
  assert.throws(
    () => app.add("api", { dependsOn: ["db", 7 as never] }),
    TypeError,
  );
  const api = app.add("api", { dependsOn: ["db"] });
  api.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    events.push("api closed");
  });
  app.stop();
  await app.wait();
  assert.deepEqual(events, ["api closed", "db closed"]);
  assert.deepEqual(app.errors, []);
});

test("ShutdownCascade: a member stopped by a parent manager's graceful stop is no failure", async () => {
  const parent = new GoroutineManager();
  const app = new ShutdownCascade();
  const child = app.add("child", {
    manager: new GoroutineManager({ signal: parent.signal }),
  });
  child.startForegroundGoroutine((signal) => aborted(signal));
  parent.stopAllGoroutines();
  assert.equal(child.signal.aborted, true);
  assert.equal(child.signal.reason, parent.getErrGoroutineStopped());
  assert.equal(app.signal.aborted, false, "the cascade did not start");
  await child.wait();
  app.stop();
  await app.wait();
  assert.deepEqual(app.errors, []);

  // A parent reason that is no stop (a timeout) is a failure: it starts the
  // cascade, with that reason.
  const deadline = new AbortController();
  const other = new ShutdownCascade();
  const timedOut = other.add("timed out", {
    manager: new GoroutineManager({ signal: deadline.signal }),
  });
  const sibling = other.add("sibling");
  const reason = new DOMException("Too slow", "TimeoutError");
  deadline.abort(reason);
  assert.equal(timedOut.signal.aborted, true);
  assert.equal(other.signal.reason, reason);
  assert.equal(sibling.signal.aborted, true);
  await other.wait();
});

test("a manager that has already failed when it is added starts the cascade from add()", async () => {
  const app = new ShutdownCascade();
  const other = app.add("other");
  const failed = new GoroutineManager();
  const early = new Error("early");
  failed.startForegroundGoroutine(() => {
    throw early;
  });
  assert.equal(app.signal.aborted, false);
  app.add("failed", { manager: failed });
  assert.equal(app.signal.aborted, true);
  assert.equal(app.signal.reason, early);
  assert.equal(other.signal.aborted, true, "the other member stops");
  await app.wait();
  assert.deepEqual(app.errors, [early]);
});
