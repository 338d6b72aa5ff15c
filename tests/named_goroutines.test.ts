// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Named (tracked) goroutines, the running list, and wait() with a deadline.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineError,
  GoroutineManager,
  GoroutineWaitError,
  waitFor,
} from "goroutine-manager";
import { aborted, countListeners, settlesNow, tick } from "./_helpers.ts";

test("GoroutineManager.running lists tracked goroutines until they finish", async () => {
  const m = new GoroutineManager();
  const release = Promise.withResolvers<void>();
  const before = Date.now();
  m.startForegroundGoroutine(() => release.promise, { name: "consumer" });
  m.startBackgroundGoroutine(() => release.promise, { name: "metrics" });
  m.startForegroundGoroutine(() => release.promise); // untracked
  const running = m.running;
  assert.deepEqual(
    running.map(({ name, foreground }) => ({ name, foreground })),
    [
      { name: "consumer", foreground: true },
      { name: "metrics", foreground: false },
    ],
  );
  for (const info of running) {
    assert.ok(info.startedAt >= before && info.startedAt <= Date.now());
  }
  release.resolve();
  await m.wait();
  await tick();
  assert.deepEqual(m.running, []);
  assert.equal(running.length, 2, "earlier snapshots do not change");
});

test("GoroutineManager names a tracked goroutine after its function when no name is given", async () => {
  const m = new GoroutineManager();
  const release = Promise.withResolvers<void>();
  async function pollInbox(): Promise<void> {
    await release.promise;
  }
  m.startForegroundGoroutine(pollInbox, {});
  m.startForegroundGoroutine(() => release.promise, {});
  assert.deepEqual(m.running.map((info) => info.name), [
    "pollInbox",
    "goroutine",
  ]);
  release.resolve();
  await m.wait();
});

test("GoroutineManager collects a named goroutine's failure as a GoroutineError with the original cause", async () => {
  const m = new GoroutineManager();
  const cause = new Error("connection reset");
  m.startForegroundGoroutine(() => Promise.reject(cause), {
    name: "db-writer",
  });
  m.startBackgroundGoroutine(() => {
    throw "plain string";
  }, { name: "cron" });
  await m.wait();
  await tick();
  assert.equal(m.errors.length, 2);
  const [sync, async] = [
    m.errors.find((e) => (e as GoroutineError).goroutine === "cron"),
    m.errors.find((e) => (e as GoroutineError).goroutine === "db-writer"),
  ];
  assert.ok(async instanceof GoroutineError);
  assert.equal(async.cause, cause);
  assert.equal(async.message, 'Goroutine "db-writer" failed: connection reset');
  assert.ok(sync instanceof GoroutineError);
  assert.equal(sync.cause, "plain string");
  assert.equal(
    sync.message,
    'Goroutine "cron" failed: Goroutine panicked with "plain string"',
  );
  assert.deepEqual(m.running, []);
});

test("GoroutineManager treats a named goroutine's graceful exit as no error", async () => {
  const m = new GoroutineManager();
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    signal.throwIfAborted();
  }, { name: "worker" });
  m.stopAllGoroutines();
  await m.wait();
  assert.deepEqual(m.errors, []);
  assert.deepEqual(m.running, []);
});

test("GoroutineManager.start…Goroutine() rejects a null options object at once, without leaking a pending count", async () => {
  const m = new GoroutineManager();
  assert.throws(
    () => m.startForegroundGoroutine(() => {}, null as never),
    TypeError,
  );
  assert.throws(
    () => m.startBackgroundGoroutine(() => {}, null as never),
    TypeError,
  );
  assert.equal(await settlesNow(m.wait()), true);
  assert.equal(m.pending, 0);
  assert.deepEqual(m.running, []);
});

test("waitFor(manager, { timeout }) rejects with a GoroutineWaitError naming the stragglers", async () => {
  const m = new GoroutineManager();
  const never = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => never.promise, { name: "uploader" });
  m.startForegroundGoroutine(() => never.promise, { name: "indexer" });
  m.startForegroundGoroutine(() => never.promise);
  m.createForegroundPanicCollector();
  m.startBackgroundGoroutine(() => never.promise, {
    name: "background is not listed",
  });
  const error = await waitFor(m, { timeout: 1 }).then(
    () => undefined,
    (e) => e,
  );
  assert.ok(error instanceof GoroutineWaitError);
  assert.deepEqual(error.running.map((info) => info.name), [
    "uploader",
    "indexer",
  ]);
  assert.equal(error.unnamed, 2);
  assert.match(
    error.message,
    /^Gave up waiting for "uploader", "indexer", 2 unnamed$/,
  );
  assert.ok(error.cause instanceof DOMException);
  assert.equal(error.cause.name, "TimeoutError");
  never.resolve();
});

test("waitFor(manager, { signal }) gives up when the signal aborts, with its reason as cause, and removes its listener", async () => {
  const m = new GoroutineManager();
  const rescue = new AbortController();
  const listeners = countListeners(rescue.signal);
  const never = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => never.promise, { name: "drain" });
  const waiting = waitFor(m, { signal: rescue.signal });
  assert.equal(listeners.count, 1);
  assert.equal(await settlesNow(waiting), false);
  const reason = new Error("second Ctrl-C");
  rescue.abort(reason);
  await assert.rejects(waiting, (error) => {
    assert.ok(error instanceof GoroutineWaitError);
    assert.equal(error.cause, reason);
    assert.deepEqual(error.running.map((info) => info.name), ["drain"]);
    return true;
  });
  assert.equal(listeners.count, 0);
  assert.equal(m.signal.aborted, false, "giving up stops nothing");
  never.resolve();
  await m.wait();
});

test("waitFor(manager, { signal }) with an aborted signal rejects at once, and resolves at once with nothing pending", async () => {
  const m = new GoroutineManager();
  await waitFor(m, { signal: AbortSignal.abort(), timeout: 0 });
  const never = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => never.promise);
  await assert.rejects(
    waitFor(m, { signal: AbortSignal.abort(new Error("now")) }),
    GoroutineWaitError,
  );
  never.resolve();
});

test("waitFor(manager, { signal, timeout }) resolves when the work finishes first, and clears its timer and listener", async () => {
  const m = new GoroutineManager();
  const rescue = new AbortController();
  const listeners = countListeners(rescue.signal);
  const release = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => release.promise, { name: "quick" });
  const waiting = waitFor(m, { signal: rescue.signal, timeout: 600_000 });
  release.resolve();
  await waiting; // a timer left running would keep Node's test file alive
  assert.equal(listeners.count, 0);
  rescue.abort(); // no effect on a settled wait
});

test("waitFor() rejects malformed arguments", () => {
  const m = new GoroutineManager();
  // Not a manager, or no options object: the runtime's own TypeError, at once.
  assert.throws(() => waitFor({} as never, {}), TypeError);
  assert.throws(() => waitFor(m, null as never), TypeError);
  assert.throws(() => waitFor(m, { signal: {} as never }), {
    name: "TypeError",
    message:
      "Cannot wait as 'signal' must be an AbortSignal: current value is [object Object]",
  });
  assert.throws(() => waitFor(m, { timeout: "5" as never }), {
    name: "TypeError",
    message:
      `Cannot wait as 'timeout' must be a non-negative number: current value is "5"`,
  });
  assert.throws(() => waitFor(m, { timeout: -1 }), {
    name: "RangeError",
    message:
      "Cannot wait as 'timeout' must be a non-negative number: current value is -1",
  });
  assert.throws(() => waitFor(m, { timeout: NaN }), { name: "RangeError" });
});

test("waitFor() caps a timeout over 2^31 - 1 ms instead of firing at once", async () => {
  const m = new GoroutineManager();
  const release = Promise.withResolvers<void>();
  m.startForegroundGoroutine(() => release.promise);
  const waiting = waitFor(m, { timeout: 2 ** 40 });
  let settled = false;
  waiting.then(() => settled = true, () => settled = true);
  // An uncapped overflow would fire after 1 ms (Node: TimeoutOverflowWarning).
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(settled, false);
  release.resolve();
  await waiting;
});

test("while a named task's failure is collected, pending and running both still count it", async () => {
  const seen: { pending: number; running: string[] }[] = [];
  const manager = new GoroutineManager({
    hooks: {
      onAfterRecover: () =>
        seen.push({
          pending: manager.pending,
          running: manager.running.map((info) => info.name),
        }),
    },
  });
  let straggler: unknown;
  manager.signal.addEventListener("abort", () => {
    // waitFor() from the stop this failure causes names the failing task.
    waitFor(manager, { signal: AbortSignal.abort("give up") }).catch(
      (error) => straggler = error,
    );
  });
  manager.startForegroundGoroutine(() => {
    throw new Error("x");
  }, { name: "worker" });
  assert.deepEqual(seen, [{ pending: 1, running: ["worker"] }]);
  assert.equal(manager.pending, 0);
  assert.deepEqual(manager.running, []);
  await manager.wait();
  await Promise.resolve();
  assert.ok(straggler instanceof GoroutineWaitError);
  assert.equal(straggler.message, 'Gave up waiting for "worker"');
});

test('a task whose name cannot be read (throwing getter, revoked proxy) is tracked as "goroutine"', async () => {
  const throwing = () => {
    throw new Error("failed");
  };
  Object.defineProperty(throwing, "name", {
    get() {
      throw new Error("name getter");
    },
  });
  const { proxy, revoke } = Proxy.revocable(() => {}, {});
  revoke();
  const manager = new GoroutineManager();
  assert.doesNotThrow(() => manager.startForegroundGoroutine(throwing, {}));
  // Calling a revoked proxy throws: that is the task's failure.
  assert.doesNotThrow(() => manager.startBackgroundGoroutine(proxy, {}));
  await manager.wait();
  assert.deepEqual(
    manager.errors.map((error) => [
      error instanceof GoroutineError,
      (error as GoroutineError).goroutine,
    ]),
    [[true, "goroutine"], [true, "goroutine"]],
  );
});
