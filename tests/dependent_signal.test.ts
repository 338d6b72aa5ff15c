// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// dependentSignal(): a proxy signal that aborts after its upstream and its
// dependencies, or at once on rescue, and leaves no listener behind.

import { test } from "node:test";
import assert from "node:assert/strict";
import { dependentSignal, GoroutineManager } from "goroutine-manager";
import { countListeners, escapes, tick } from "./_helpers.ts";

test("dependentSignal() aborts only after upstream has aborted and every promise has settled", async () => {
  const upstream = new AbortController();
  const first = Promise.withResolvers<void>();
  const second = Promise.withResolvers<void>();
  const signal = dependentSignal(upstream.signal, {
    after: [first.promise, second.promise],
  });
  first.resolve();
  second.resolve();
  await tick();
  assert.equal(signal.aborted, false, "dependencies alone do not abort it");

  const reason = new Error("interrupt");
  upstream.abort(reason);
  assert.equal(signal.aborted, false, "promises are awaited asynchronously");
  await tick();
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, reason);
});

test("dependentSignal() waits for a promise that settles after upstream aborted", async () => {
  const upstream = new AbortController();
  const drain = Promise.withResolvers<void>();
  const signal = dependentSignal(upstream.signal, { after: [drain.promise] });
  upstream.abort();
  await tick();
  assert.equal(signal.aborted, false);
  drain.resolve();
  await tick();
  assert.equal(signal.aborted, true);
});

test("dependentSignal() counts a rejected promise as finished and never leaves it unhandled", async () => {
  const seen = await escapes(async () => {
    const upstream = new AbortController();
    const failing = Promise.withResolvers<void>();
    const signal = dependentSignal(upstream.signal, {
      after: [failing.promise],
    });
    failing.reject(new Error("drain failed"));
    await tick(); // rejected before anyone awaits it
    upstream.abort();
    await tick();
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, upstream.signal.reason);
  });
  assert.deepEqual(seen, []);
});

test("dependentSignal() follows thenables that are not native promises", async () => {
  const upstream = new AbortController();
  let resolveThenable!: () => void;
  const thenable = {
    then(onFulfilled: () => void) {
      resolveThenable = onFulfilled;
    },
  } as PromiseLike<void>;
  const signal = dependentSignal(upstream.signal, { after: [thenable] });
  upstream.abort();
  await tick();
  assert.equal(signal.aborted, false);
  resolveThenable();
  await tick();
  assert.equal(signal.aborted, true);
});

test("dependentSignal() aborts synchronously when upstream aborts and every dependency is an aborted signal", () => {
  const upstream = new AbortController();
  const done = new AbortController();
  done.abort();
  const signal = dependentSignal(upstream.signal, { after: [done.signal] });
  assert.equal(signal.aborted, false);
  upstream.abort("stop");
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, "stop");

  const already = dependentSignal(upstream.signal);
  assert.equal(
    already.aborted,
    true,
    "an aborted upstream and no dependencies",
  );
});

test("dependentSignal() waits for dependency signals one at a time, in order", () => {
  const upstream = new AbortController();
  const a = new AbortController();
  const b = new AbortController();
  const listenersA = countListeners(a.signal);
  const listenersB = countListeners(b.signal);
  const signal = dependentSignal(upstream.signal, {
    after: [a.signal, b.signal],
  });
  assert.equal(
    listenersA.count,
    0,
    "nothing is watched before upstream aborts",
  );
  upstream.abort();
  assert.equal(listenersA.count, 1);
  assert.equal(listenersB.count, 0, "b is watched only once a has aborted");
  b.abort();
  assert.equal(signal.aborted, false);
  assert.equal(listenersB.count, 0);
  a.abort();
  assert.equal(signal.aborted, true);
  assert.equal(listenersA.count, 0);
  assert.equal(listenersB.count, 0);
});

test("dependentSignal() calls a function dependency only when its turn comes, after upstream", async () => {
  const events: string[] = [];
  const upstream = new AbortController();
  const hypervisor = new AbortController();
  const inflight = Promise.withResolvers<void>();
  const signal = dependentSignal(upstream.signal, {
    after: [
      hypervisor.signal,
      () => {
        events.push("drain called");
        return inflight.promise.then(() => events.push("drained"));
      },
    ],
  });
  signal.addEventListener("abort", () => events.push("aborted"));
  upstream.abort();
  await tick();
  assert.deepEqual(events, [], "not before the signal before it aborted");
  hypervisor.abort();
  assert.deepEqual(events, ["drain called"]);
  await tick();
  assert.equal(signal.aborted, false);
  inflight.resolve();
  await tick();
  assert.deepEqual(events, ["drain called", "drained", "aborted"]);
});

test("dependentSignal() counts a function that throws, or returns a plain value, as finished", async () => {
  const upstream = new AbortController();
  const signal = dependentSignal(upstream.signal, {
    after: [
      () => {
        throw new Error("drain failed");
      },
      () => 42,
    ],
  });
  upstream.abort();
  await tick();
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, upstream.signal.reason);
});

test("dependentSignal() waits for a manager to be stopped and then drained", async () => {
  const upstream = new AbortController();
  const manager = new GoroutineManager();
  const resume = Promise.withResolvers<void>();
  manager.startForegroundGoroutine(() => resume.promise);
  const signal = dependentSignal(upstream.signal, { after: [manager] });
  upstream.abort();
  await tick();
  assert.equal(signal.aborted, false, "the manager has not stopped");
  manager.stopAllGoroutines();
  await tick();
  assert.equal(signal.aborted, false, "the manager has not drained");
  resume.resolve();
  await tick();
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, upstream.signal.reason);
});

test("dependentSignal() accepts any object with a signal and a wait() method", async () => {
  const upstream = new AbortController();
  const stop = new AbortController();
  const drained = Promise.withResolvers<void>();
  let waits = 0;
  const resource = {
    signal: stop.signal,
    wait() {
      waits++;
      return drained.promise;
    },
  };
  const signal = dependentSignal(upstream.signal, { after: [resource] });
  upstream.abort();
  await tick();
  assert.equal(waits, 0, "wait() is called only after its signal aborted");
  stop.abort();
  assert.equal(waits, 1);
  drained.resolve();
  await tick();
  assert.equal(signal.aborted, true);
});

test("dependentSignal() aborts at once when the rescue signal aborts, even before upstream", () => {
  const upstream = new AbortController();
  const rescue = new AbortController();
  let called = false;
  const signal = dependentSignal(upstream.signal, {
    after: [() => called = true],
    rescue: rescue.signal,
  });
  const reason = new Error("second interrupt");
  rescue.abort(reason);
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, reason);
  upstream.abort();
  assert.equal(called, false, "no dependency is looked at after a rescue");
});

test("dependentSignal() rescue cuts a drain short", async () => {
  const upstream = new AbortController();
  const rescue = new AbortController();
  const hung = Promise.withResolvers<void>();
  let laterCalled = false;
  const signal = dependentSignal(upstream.signal, {
    after: [() => hung.promise, () => laterCalled = true],
    rescue: rescue.signal,
  });
  upstream.abort("first");
  await tick();
  assert.equal(signal.aborted, false);
  rescue.abort("second");
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, "second");
  hung.resolve();
  await tick();
  assert.equal(laterCalled, false);
  assert.equal(signal.reason, rescue.signal.reason, "the reason never changes");
});

test("dependentSignal() with an already aborted rescue signal returns an aborted signal and adds no listener", () => {
  const upstream = new AbortController();
  const listeners = countListeners(upstream.signal);
  const signal = dependentSignal(upstream.signal, {
    rescue: AbortSignal.abort("gone"),
  });
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, "gone");
  assert.equal(listeners.count, 0);
});

test("dependentSignal() leaves no listener on upstream, rescue or dependencies once it aborts", () => {
  for (const rescueFirst of [false, true]) {
    const upstream = new AbortController();
    const rescue = new AbortController();
    const dependency = new AbortController();
    const onUpstream = countListeners(upstream.signal);
    const onRescue = countListeners(rescue.signal);
    const onDependency = countListeners(dependency.signal);
    const signal = dependentSignal(upstream.signal, {
      after: [dependency.signal],
      rescue: rescue.signal,
    });
    assert.equal(onUpstream.count, 1);
    assert.equal(onRescue.count, 1);
    upstream.abort();
    assert.equal(onUpstream.count, 0);
    assert.equal(onDependency.count, 1);
    if (rescueFirst) rescue.abort();
    else dependency.abort();
    assert.equal(signal.aborted, true);
    assert.equal(
      signal.reason,
      rescueFirst ? rescue.signal.reason : upstream.signal.reason,
    );
    assert.equal(onUpstream.count, 0);
    assert.equal(onRescue.count, 0, "the rescue listener is removed");
    assert.equal(onDependency.count, 0, "the dependency listener is removed");
  }
});

test("dependentSignal() removes its upstream listener when rescued before upstream aborts", () => {
  const upstream = new AbortController();
  const rescue = new AbortController();
  const onUpstream = countListeners(upstream.signal);
  const onRescue = countListeners(rescue.signal);
  dependentSignal(upstream.signal, { rescue: rescue.signal });
  assert.equal(onUpstream.count, 1);
  rescue.abort();
  assert.equal(onUpstream.count, 0);
  assert.equal(onRescue.count, 0);
});

test("dependentSignal() many signals on one long-lived upstream keep no listener after they settle", async () => {
  const upstream = new AbortController();
  const rescue = new AbortController(); // never aborts: outlives them all
  const onRescue = countListeners(rescue.signal);
  const signals = [];
  for (let i = 0; i < 100; i++) {
    signals.push(dependentSignal(upstream.signal, {
      after: [Promise.resolve(i)],
      rescue: rescue.signal,
    }));
  }
  assert.equal(onRescue.count, 100);
  upstream.abort();
  await tick();
  assert.ok(signals.every((signal) => signal.aborted));
  assert.equal(onRescue.count, 0);
});

test("dependentSignal() validates its arguments before it adds any listener", () => {
  const upstream = new AbortController().signal;
  const rescue = new AbortController().signal;
  const onUpstream = countListeners(upstream);
  const onRescue = countListeners(rescue);
  assert.throws(() => dependentSignal("nope" as never), {
    name: "TypeError",
    message:
      `Cannot create dependent signal as 'upstream' must be an AbortSignal: current value is "nope"`,
  });
  // The runtime's own TypeError, before any listener is added.
  assert.throws(
    () => dependentSignal(upstream, { rescue: {} as never }),
    TypeError,
  );
  assert.throws(() => dependentSignal(upstream, null as never), TypeError);
  assert.throws(
    () => dependentSignal(upstream, { after: 42 as never, rescue }),
    TypeError,
  );
  assert.throws(
    () =>
      dependentSignal(upstream, {
        after: [Promise.resolve(), 42 as never],
        rescue,
      }),
    {
      name: "TypeError",
      message:
        "Cannot create dependent signal as 'after[1]' must be a Dependency: current value is 42",
    },
  );
  assert.throws(
    () => dependentSignal(upstream, { after: [{ signal: upstream } as never] }),
    { name: "TypeError", message: /'after\[0\]'/ },
  );
  assert.equal(onUpstream.count, 0);
  assert.equal(onRescue.count, 0);
});
