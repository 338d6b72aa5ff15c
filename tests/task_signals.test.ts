// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The signal each task receives (issue 10): a child of manager.signal shared by
// a few running tasks. Every handed-out signal aborts with the manager's
// reason, whenever it was handed out; nothing stays subscribed; and a task's
// signal works wherever an AbortSignal does.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dependentSignal, GoroutineManager } from "goroutine-manager";
import { aborted, tick, withListenerCounts } from "./_helpers.ts";

/**
 * Starts `count` tasks that stay in flight until the returned `release` is
 * called, alternating foreground and background, and records their signals.
 */
function startHeld(
  manager: GoroutineManager,
  count: number,
  signals: AbortSignal[],
): () => void {
  const held = Promise.withResolvers<void>();
  for (let i = 0; i < count; i++) {
    const task = (signal: AbortSignal) => {
      signals.push(signal);
      return held.promise;
    };
    if (i % 2) manager.startBackgroundGoroutine(task);
    else manager.startForegroundGoroutine(task);
  }
  return () => held.resolve();
}

/** Starts `count` tasks that finish at once, and records their signals. */
function startFinished(
  manager: GoroutineManager,
  count: number,
  signals: AbortSignal[],
): void {
  for (let i = 0; i < count; i++) {
    manager.startForegroundGoroutine((signal) => void signals.push(signal));
  }
}

function assertAllAborted(
  signals: readonly AbortSignal[],
  reason: unknown,
  label: string,
): void {
  assert.ok(signals.length > 0, `${label}: no signals recorded`);
  signals.forEach((signal, i) => {
    assert.equal(signal.aborted, true, `${label}: signal ${i} aborted`);
    assert.equal(signal.reason, reason, `${label}: signal ${i}'s reason`);
  });
}

for (
  const [moment, end] of [
    ["a stop", (m: GoroutineManager) => m.stopAllGoroutines()],
    [
      "a failure",
      (m: GoroutineManager) =>
        m.startBackgroundGoroutine(() => {
          throw new Error("boom");
        }),
    ],
  ] as const
) {
  test(`every task signal aborts with the stop reason after ${moment}: in flight, finished, and started after`, async () => {
    const m = new GoroutineManager();
    const before: AbortSignal[] = [];
    const finished: AbortSignal[] = [];
    startFinished(m, 70, finished); // their shards are reused below
    const release = startHeld(m, 150, before);
    end(m);
    assert.equal(m.signal.reason, m.getErrGoroutineStopped());
    assertAllAborted(before, m.getErrGoroutineStopped(), "in flight");
    assertAllAborted(finished, m.getErrGoroutineStopped(), "finished");
    const after: AbortSignal[] = [];
    startFinished(m, 5, after);
    const releaseAfter = startHeld(m, 40, after);
    assertAllAborted(after, m.getErrGoroutineStopped(), "started after");
    release();
    releaseAfter();
    await m.wait();
  });
}

test("every task signal aborts with the parent's reason after a parent abort", async () => {
  const parent = new AbortController();
  const m = new GoroutineManager({ signal: parent.signal });
  const signals: AbortSignal[] = [];
  startFinished(m, 10, signals);
  const release = startHeld(m, 100, signals);
  const reason = new DOMException("client went away", "AbortError");
  parent.abort(reason);
  assertAllAborted(signals, reason, "before the parent abort");
  const after: AbortSignal[] = [];
  startFinished(m, 3, after);
  assertAllAborted(after, reason, "after the parent abort");
  release();
  await m.wait();
});

test("task signals are shared by at most a few dozen running tasks, and each task listener fires once", async () => {
  const m = new GoroutineManager();
  const signals: AbortSignal[] = [];
  let fired = 0;
  const held = Promise.withResolvers<void>();
  for (let i = 0; i < 1000; i++) {
    m.startForegroundGoroutine((signal) => {
      signals.push(signal);
      signal.addEventListener("abort", () => fired++);
      return held.promise;
    });
  }
  const perSignal = new Map<AbortSignal, number>();
  for (const signal of signals) {
    perSignal.set(signal, (perSignal.get(signal) ?? 0) + 1);
  }
  assert.ok(perSignal.size >= 1000 / 64, `${perSignal.size} signals`);
  assert.ok(Math.max(...perSignal.values()) <= 64, "tasks per signal");
  m.stopAllGoroutines();
  assert.equal(fired, 1000);
  held.resolve();
  await m.wait();
});

test("listeners on every internal signal return to zero: the manager adds none, and tasks' own are removed", async () => {
  await withListenerCounts(async (count) => {
    const m = new GoroutineManager();
    const signals = new Set<AbortSignal>();
    for (let i = 0; i < 300; i++) {
      m.startForegroundGoroutine(async (signal) => {
        signals.add(signal);
        // An abortable timer subscribes and unsubscribes (node:timers/promises).
        await sleep(1, undefined, { signal });
        const listener = () => {};
        signal.addEventListener("abort", listener);
        await null;
        signal.removeEventListener("abort", listener);
      });
    }
    await m.wait();
    assert.ok(signals.size > 1);
    for (const signal of signals) assert.equal(count(signal), 0);
    assert.equal(count(m.signal), 0);
    // Stopping adds nothing either.
    m.stopAllGoroutines();
    for (const signal of signals) assert.equal(count(signal), 0);
  });
});

test("a task's signal works as a parent signal: the child manager stops with it, gracefully", async () => {
  const m = new GoroutineManager();
  let child: GoroutineManager | undefined;
  m.startForegroundGoroutine(async (signal) => {
    child = new GoroutineManager({ signal });
    child.startForegroundGoroutine(async (childSignal) => {
      await aborted(childSignal);
      childSignal.throwIfAborted(); // the parent's stop reason: graceful
    });
    child.startForegroundGoroutine((childSignal) =>
      sleep(60_000, undefined, { signal: childSignal }) // AbortError: graceful
    );
    await child.wait();
  });
  m.stopAllGoroutines();
  await m.wait();
  assert.equal(child?.signal.reason, m.getErrGoroutineStopped());
  assert.deepEqual(child?.errors, []);
  assert.deepEqual(m.errors, []);
  await child![Symbol.asyncDispose](); // does not throw
});

test("a task's signal works as dependentSignal's upstream", async () => {
  const m = new GoroutineManager();
  const drained = Promise.withResolvers<void>();
  let dependent: AbortSignal | undefined;
  m.startForegroundGoroutine(async (signal) => {
    dependent = dependentSignal(signal, { after: [drained.promise] });
    await aborted(signal);
  });
  m.stopAllGoroutines();
  await m.wait();
  assert.equal(dependent?.aborted, false); // waits for the drain
  drained.resolve();
  await tick();
  assert.equal(dependent?.aborted, true);
  assert.equal(dependent?.reason, m.getErrGoroutineStopped());
});

test("a task's signal works with fetch: an in-flight request is aborted with the stop reason, a graceful exit", async () => {
  // A local server that never answers, so the request is in flight at the stop.
  const requested = Promise.withResolvers<void>();
  const server = createServer(() => requested.resolve());
  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve())
  );
  const { port } = server.address() as AddressInfo;
  try {
    const m = new GoroutineManager();
    let rejection: unknown;
    m.startForegroundGoroutine(async (signal) => {
      try {
        await fetch(`http://127.0.0.1:${port}/`, { signal });
      } catch (error) {
        rejection = error;
        throw error;
      }
    });
    await requested.promise;
    m.stopAllGoroutines();
    await m.wait();
    assert.ok(rejection !== undefined, "fetch rejected");
    assert.deepEqual(m.errors, []); // the stop reason or an AbortError
    // A task started after the stop: fetch refuses its signal at once.
    let late: unknown;
    m.startForegroundGoroutine(async (signal) => {
      late = await fetch(`http://127.0.0.1:${port}/`, { signal }).catch((
        error,
      ) => error);
    });
    await m.wait();
    assert.ok(
      late === m.getErrGoroutineStopped() ||
        (late as Error).name === "AbortError",
      `late fetch rejected with ${String(late)}`,
    );
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("signals of finished tasks are handed to later tasks: a long-lived manager makes no new ones at the same concurrency", async () => {
  const m = new GoroutineManager();
  const rounds: Set<AbortSignal>[] = [];
  for (let round = 0; round < 3; round++) {
    const signals: AbortSignal[] = [];
    const release = startHeld(m, 500, signals);
    release();
    await m.wait();
    await tick(); // the background half settles too
    rounds.push(new Set(signals));
  }
  const [first, ...later] = rounds;
  for (const signals of later) {
    for (const signal of signals) {
      assert.ok(first!.has(signal), "a later task got a new signal");
    }
  }
});

test("a task started from an abort listener while the stop runs gets an aborted signal, with the stop reason", async () => {
  const manager = new GoroutineManager();
  const release = Promise.withResolvers<void>();
  // Two shards (foreground and background) with free places in them.
  manager.startForegroundGoroutine(() => release.promise);
  let taskSignal: AbortSignal | undefined;
  manager.startBackgroundGoroutine((signal) => {
    taskSignal = signal;
    return release.promise;
  });
  const seen: [string, boolean, unknown][] = [];
  const startFrom = (where: string) => () => {
    manager.startForegroundGoroutine((signal) => {
      seen.push([`${where}, foreground`, signal.aborted, signal.reason]);
    });
    manager.startBackgroundGoroutine((signal) => {
      seen.push([`${where}, background`, signal.aborted, signal.reason]);
    });
  };
  manager.signal.addEventListener("abort", startFrom("manager.signal"));
  taskSignal!.addEventListener("abort", startFrom("a task signal"));
  manager.stopAllGoroutines();
  const reason = manager.getErrGoroutineStopped();
  // The order depends on which shard aborts first (a listener's own start
  // aborts its shard at once); every one of them must be aborted.
  seen.sort(([a], [b]) => a < b ? -1 : 1);
  assert.deepEqual(seen, [
    ["a task signal, background", true, reason],
    ["a task signal, foreground", true, reason],
    ["manager.signal, background", true, reason],
    ["manager.signal, foreground", true, reason],
  ]);
  release.resolve();
  await manager.wait();
  assert.deepEqual(manager.errors, []);
});
