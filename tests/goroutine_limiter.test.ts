// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// GoroutineLimiter (issue 11): bounded concurrency, queue and stop
// semantics, tryGo, typed results, per-task cancel and timeout, backpressure.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineError,
  GoroutineLimiter,
  GoroutineManager,
  GoroutineStoppedError,
  GoroutineWaitError,
  waitFor,
} from "goroutine-manager";
import {
  countListeners,
  escapes,
  requireBlocked,
  settlesNow,
  tick,
} from "./_helpers.ts";

/** A task that runs until released (or, if `abortable`, until its signal aborts). */
function gate() {
  const release = Promise.withResolvers<void>();
  return {
    release: () => release.resolve(),
    fail: (error: unknown) => release.reject(error),
    task: () => release.promise,
  };
}

const forever = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    });
  });

test("GoroutineLimiter starts tasks in FIFO order and never more than the limit at once", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 2);
  const gates = Array.from({ length: 6 }, gate);
  const started: number[] = [];
  let running = 0;
  let most = 0;
  gates.forEach((g, i) =>
    limiter.go(async () => {
      started.push(i);
      most = Math.max(most, ++running);
      await g.task();
      running--;
    })
  );
  assert.deepEqual(started, [0, 1]);
  assert.equal(limiter.active, 2);
  assert.equal(limiter.queued, 4);
  assert.equal(m.pending, 2, "queued tasks are not pending goroutines");
  gates[1]!.release();
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  for (const g of gates) g.release();
  await m.wait();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  assert.equal(most, 2);
  assert.equal(limiter.active, 0);
  assert.equal(limiter.queued, 0);
  assert.equal(m.pending, 0);
  assert.equal(m.error, undefined);
});

test("GoroutineLimiter keeps wait() blocked while tasks are queued", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 1);
  const a = gate();
  const b = gate();
  limiter.go(a.task);
  limiter.go(b.task);
  a.release();
  await tick();
  assert.equal(limiter.active, 1, "b started when a finished");
  await requireBlocked(m);
  b.release();
  assert.equal(await settlesNow(m.wait()), true);
});

test("GoroutineLimiter keeps wait() blocked across synchronous tasks, a long queue and cancelled entries", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 3);
  let done = 0;
  const cancel = new AbortController();
  let cancelledRan = 0;
  for (let i = 0; i < 3000; i++) {
    // Every seventh task is cancelled while queued (the queue spans chunks).
    if (i % 7 === 6) {
      limiter.go(() => void cancelledRan++, { signal: cancel.signal });
      continue;
    }
    limiter.go(
      i % 2 ? () => void done++ : async () => {
        await null;
        done++;
      },
    );
  }
  assert.equal(limiter.queued, 2997);
  cancel.abort();
  assert.equal(limiter.queued, 2997 - 428);
  assert.equal(limiter.dropped, 428);
  await m.wait();
  assert.equal(done, 3000 - 428);
  assert.equal(cancelledRan, 0);
  assert.equal(limiter.queued, 0);
});

test("GoroutineLimiter.tryGo() starts only while a slot is free, and never queues", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 2);
  const g = gate();
  assert.equal(limiter.tryGo(g.task), true);
  assert.equal(limiter.tryGo(g.task), true);
  let ran = false;
  assert.equal(limiter.tryGo(() => void (ran = true)), false);
  assert.equal(limiter.queued, 0);
  assert.equal(limiter.active, 2);
  g.release();
  await m.wait();
  assert.equal(ran, false);
  assert.equal(limiter.tryGo(() => void (ran = true)), true);
  assert.equal(ran, true);
  m.stopAllGoroutines();
  assert.equal(limiter.tryGo(() => {}), false, "not after a stop");
  assert.equal(limiter.dropped, 0, "a refused tryGo was never accepted");
});

test("GoroutineLimiter.limit raised mid-run starts queued tasks at once; lowered, waits for running ones", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 1);
  const gates = Array.from({ length: 6 }, gate);
  const started: number[] = [];
  gates.forEach((g, i) =>
    limiter.go(() => {
      started.push(i);
      return g.task();
    })
  );
  assert.deepEqual(started, [0]);
  limiter.limit = 4;
  assert.deepEqual(started, [0, 1, 2, 3]);
  assert.equal(limiter.active, 4);
  limiter.limit = 2;
  assert.equal(limiter.active, 4, "running tasks are not stopped");
  gates[0]!.release();
  gates[1]!.release();
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3], "still 2 running: at the limit");
  gates[2]!.release();
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  limiter.limit = Infinity;
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  for (const g of gates) g.release();
  await m.wait();
  assert.equal(m.error, undefined);
});

test("GoroutineLimiter drops the queue when the manager stops: nothing queued starts, nothing is an error, wait() resolves", async () => {
  const seen = await escapes(async () => {
    const m = new GoroutineManager();
    const limiter = new GoroutineLimiter(m, 2);
    const listeners = countListeners(m.signal);
    const started: number[] = [];
    const results: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      results.push(limiter.run(async (signal) => {
        started.push(i);
        await forever(signal);
      }));
    }
    assert.equal(listeners.count, 1, "one listener while tasks are queued");
    m.stopAllGoroutines();
    assert.equal(limiter.queued, 0);
    assert.equal(limiter.dropped, 8);
    assert.equal(listeners.count, 0);
    await m.wait();
    assert.deepEqual(started, [0, 1]);
    assert.equal(m.error, undefined);
    for (const result of results) {
      await assert.rejects(result, (e) => e === m.getErrGoroutineStopped());
    }
    limiter.go(() => started.push(99));
    assert.deepEqual(started, [0, 1], "submitted after the stop: dropped");
    assert.equal(limiter.dropped, 9);
  });
  assert.deepEqual(seen, []);
});

test("GoroutineLimiter: the first failure with a full queue is collected once and no queued task starts", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 2);
  const a = gate();
  const started: number[] = [];
  limiter.go(async (signal) => {
    started.push(0);
    await forever(signal);
  });
  limiter.go(() => {
    started.push(1);
    return a.task();
  });
  for (let i = 2; i < 6; i++) limiter.go(() => void started.push(i));
  const boom = new Error("boom");
  a.fail(boom);
  await m.wait();
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(m.errors, [boom]);
  assert.equal(limiter.dropped, 4);
  assert.equal(limiter.active, 0);
  assert.ok(m.signal.reason instanceof GoroutineStoppedError);
});

test("GoroutineLimiter: a synchronous throw is collected and frees its slot", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 1);
  const result = limiter.run(() => {
    throw "plain string";
  });
  await assert.rejects(result, (e) => e === "plain string");
  await m.wait();
  assert.equal(m.errors.length, 1);
  assert.equal(m.errors[0]?.cause, "plain string");
  assert.equal(limiter.active, 0);
});

test("GoroutineLimiter.run() resolves with the task's result", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 1);
  const a = limiter.run(() => Promise.resolve(1));
  const b = limiter.run(() => "sync");
  const c = limiter.run(
    () => ({ then: (ok: (v: number) => void) => ok(3) }) as PromiseLike<number>,
  );
  assert.deepEqual(await Promise.all([a, b, c]), [1, "sync", 3]);
  await m.wait();
});

test("GoroutineLimiter.run(): an unawaited failing result is no unhandled rejection, the error is collected, and awaiting it rejects", async () => {
  const boom = new Error("unawaited");
  let result: Promise<unknown> | undefined;
  const m = new GoroutineManager();
  const seen = await escapes(async () => {
    const limiter = new GoroutineLimiter(m, 1);
    result = limiter.run(async () => {
      await null;
      throw boom;
    });
    limiter.run(() => Promise.reject(new Error("never awaited")));
    await m.wait();
    await tick();
  });
  assert.deepEqual(seen, []);
  assert.deepEqual(m.errors, [boom]);
  await assert.rejects(result!, (e) => e === boom);
});

test("GoroutineLimiter: a per-task timeout fails the task with a GoroutineError naming it, cause a TimeoutError", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 4);
  let otherSignal: AbortSignal | undefined;
  limiter.go(async (signal) => {
    otherSignal = signal;
    await forever(signal);
  });
  const listeners = countListeners(m.signal);
  const result = limiter.run(forever, { name: "fetch-user", timeout: 1 });
  assert.deepEqual(m.running.map((info) => info.name), ["fetch-user"]);
  await assert.rejects(result, (e) => {
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, "TimeoutError");
    assert.equal(e.message, "Timed out after 1 ms");
    return true;
  });
  await m.wait();
  assert.equal(m.errors.length, 1);
  const [error] = m.errors;
  assert.ok(error instanceof GoroutineError);
  assert.equal(error.goroutine, "fetch-user");
  assert.equal((error.cause as DOMException).name, "TimeoutError");
  // The README's promise: the collected error says which task timed out, and after how long.
  assert.equal(
    error.message,
    'Goroutine "fetch-user" failed: Timed out after 1 ms',
  );
  assert.equal(otherSignal?.aborted, true, "a failure stops the manager");
  assert.equal(listeners.count, 0);
});

test("GoroutineLimiter: a timeout that does not fire leaves no timer or listener behind", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 1);
  const own = new AbortController();
  const ownListeners = countListeners(own.signal);
  const value = await limiter.run(() => Promise.resolve(42), {
    timeout: 60_000,
    signal: own.signal,
  });
  assert.equal(value, 42);
  assert.equal(ownListeners.count, 0);
  await m.wait();
  // Node's test runner would hang on a leaked 60 s timer.
});

test("GoroutineLimiter: cancelling one running task with its signal does not stop the others and is not collected", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 2);
  const other = gate();
  let otherDone = false;
  limiter.go(async () => {
    await other.task();
    otherDone = true;
  });
  const cancel = new AbortController();
  const reason = new Error("user cancelled");
  const cancelled = limiter.run(forever, { signal: cancel.signal });
  const next = limiter.run(() => Promise.resolve("next"));
  assert.equal(limiter.queued, 1);
  cancel.abort(reason);
  await assert.rejects(cancelled, (e) => e === reason);
  assert.equal(await next, "next", "its slot went to the next task");
  assert.equal(m.signal.aborted, false);
  other.release();
  await m.wait();
  assert.equal(otherDone, true);
  assert.deepEqual(m.errors, []);
});

test("GoroutineLimiter: a cancelled task that fails with something else still fails", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 2);
  const cancel = new AbortController();
  const broken = new Error("cleanup failed");
  limiter.go(async (signal) => {
    await forever(signal).catch(() => {});
    throw broken;
  }, { name: "cleaner", signal: cancel.signal });
  cancel.abort();
  await m.wait();
  assert.equal(m.errors.length, 1);
  assert.equal((m.errors[0] as GoroutineError).cause, broken);
});

test("GoroutineLimiter: a queued task whose signal aborts never starts and frees its place", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 1);
  const g = gate();
  limiter.go(g.task);
  const cancel = new AbortController();
  const listeners = countListeners(cancel.signal);
  let ran = false;
  const result = limiter.run(() => void (ran = true), {
    signal: cancel.signal,
  });
  assert.equal(listeners.count, 1);
  cancel.abort();
  assert.equal(limiter.queued, 0);
  assert.equal(limiter.dropped, 1);
  await assert.rejects(result, { name: "AbortError" });
  g.release();
  await m.wait();
  assert.equal(ran, false);
  assert.equal(listeners.count, 0);
  assert.equal(m.error, undefined);
  const aborted = limiter.run(() => 1, { signal: AbortSignal.abort() });
  await assert.rejects(aborted, { name: "AbortError" });
  assert.equal(limiter.dropped, 2);
});

test("GoroutineLimiter: a named task is listed by manager.running and named in its error", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 1);
  const g = gate();
  limiter.go(g.task, { name: "first" });
  limiter.go(function second() {
    throw new Error("bad");
  }, {});
  assert.deepEqual(m.running.map((info) => info.name), ["first"]);
  g.release();
  await m.wait();
  const [error] = m.errors;
  assert.ok(error instanceof GoroutineError);
  assert.equal(error.goroutine, "second");
});

test("GoroutineLimiter.ready() keeps a producer's queue bounded and resolves false when the manager stops", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 4);
  const listeners = countListeners(m.signal);
  let most = 0;
  let produced = 0;
  for (let i = 0; i < 300; i++) {
    if (!(await limiter.ready(2))) break;
    limiter.go(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    produced++;
    most = Math.max(most, limiter.active + limiter.queued);
  }
  assert.equal(produced, 300);
  assert.equal(most, 6, "limit + backlog, and reached");
  await m.wait();
  assert.equal(listeners.count, 0);

  const g = gate();
  for (let i = 0; i < 4; i++) limiter.go(g.task);
  const waiting = limiter.ready();
  assert.equal(await settlesNow(waiting), false);
  m.stopAllGoroutines();
  assert.equal(await waiting, false);
  assert.equal(await limiter.ready(), false);
  g.release();
  await m.wait();
  assert.equal(listeners.count, 0);
});

test("GoroutineLimiter with background: true runs background goroutines", async () => {
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 1, { background: true });
  const g = gate();
  limiter.go(g.task);
  limiter.go(() => Promise.reject(new Error("background failure")));
  assert.equal(m.pending, 0);
  await m.wait();
  assert.equal(limiter.queued, 1);
  g.release();
  await tick();
  await tick();
  assert.equal(m.error?.message, "background failure");
});

test("GoroutineLimiter rejects bad limits and options at once, starting nothing", () => {
  const m = new GoroutineManager();
  for (const limit of [0, -1, NaN, 1.5, -Infinity]) {
    assert.throws(() => new GoroutineLimiter(m, limit), {
      name: "RangeError",
      message:
        `Cannot limit goroutines as 'limit' must be a positive integer or Infinity: current value is ${limit}`,
    });
  }
  assert.throws(() => new GoroutineLimiter(m, "8" as never), {
    name: "TypeError",
    message:
      `Cannot limit goroutines as 'limit' must be a positive integer or Infinity: current value is "8"`,
  });
  assert.throws(() => new GoroutineLimiter({} as never, 1), TypeError);
  assert.throws(() => new GoroutineLimiter(m, 1, 42 as never), TypeError);
  const limiter = new GoroutineLimiter(m, 2);
  assert.throws(() => limiter.limit = 0, RangeError);
  assert.throws(() => limiter.limit = "3" as never, TypeError);
  assert.equal(limiter.limit, 2);
  assert.throws(() => limiter.go(42 as never), TypeError);
  assert.throws(() => limiter.go(() => {}, 42 as never), TypeError);
  assert.throws(() => limiter.go(() => {}, { name: "" }), TypeError);
  assert.throws(() => limiter.run(() => {}, { signal: 0 as never }), TypeError);
  assert.throws(() => limiter.tryGo(() => {}, { timeout: -1 }), {
    name: "RangeError",
    message:
      "Cannot start goroutine as 'options.timeout' must be a non-negative number: current value is -1",
  });
  assert.throws(
    () => limiter.go(() => {}, { timeout: "1" as never }),
    TypeError,
  );
  assert.throws(() => limiter.ready(-1), RangeError);
  assert.throws(() => limiter.ready(0.5), RangeError);
  assert.throws(() => limiter.ready("1" as never), TypeError);
  assert.equal(limiter.active, 0);
  assert.equal(limiter.queued, 0);
  assert.equal(m.pending, 0);
});

test("GoroutineLimiter: waitFor names the running tasks, not the queued ones; a parent abort drops the queue", async () => {
  const parent = new AbortController();
  const m = new GoroutineManager({ signal: parent.signal });
  const limiter = new GoroutineLimiter(m, 2);
  const g = gate();
  limiter.go(g.task, { name: "a" });
  limiter.go(g.task, { name: "b" });
  const queued = limiter.run(() => 1, { name: "c" });
  await assert.rejects(waitFor(m, { timeout: 1 }), (error) => {
    assert.ok(error instanceof GoroutineWaitError);
    assert.deepEqual(error.running.map((info) => info.name), ["a", "b"]);
    return true;
  });
  assert.equal(m.pending, 2);
  const reason = new Error("request aborted");
  parent.abort(reason);
  assert.equal(limiter.queued, 0);
  assert.equal(limiter.dropped, 1);
  await assert.rejects(queued, (e) => e === reason);
  g.release();
  await m.wait();
  assert.deepEqual(m.running, []);
});
