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
  const message = (name: string, expected: string, shown: unknown) =>
    `Cannot create dependent signal as '${name}' must be ${expected}: current value is ${shown}`;
  assert.throws(() => dependentSignal("nope" as never), {
    name: "TypeError",
    message: message("upstream", "an AbortSignal", `"nope"`),
  });
  for (const [options, shown] of [[42, "42"], [null, "null"], ["x", `"x"`]]) {
    assert.throws(() => dependentSignal(upstream, options as never), {
      name: "TypeError",
      message: message("options", "an object", shown),
    });
  }
  // Not even a look-alike: today's "rescue?.addEventListener is not a function".
  const fake = { aborted: false, addEventListener() {}, reason: undefined };
  for (
    const [value, shown] of [
      ["x", `"x"`],
      [0, "0"],
      [null, "null"],
      [fake, "[object Object]"],
    ]
  ) {
    assert.throws(
      () => dependentSignal(upstream, { rescue: value as never }),
      {
        name: "TypeError",
        message: message("rescue", "an AbortSignal", shown),
      },
    );
  }
  // Not iterable (a manager is one dependency: wrap it in [ ]), or a string.
  const manager = new GoroutineManager();
  for (
    const [after, shown] of [
      [42, "42"],
      [manager, "[object Object]"],
      ["abc", `"abc"`],
      [null, "null"],
      [{
        *[Symbol.iterator]() {
          yield Promise.resolve();
          throw new Error("iterator failed");
        },
      }, "[object Object]"],
    ]
  ) {
    assert.throws(
      () => dependentSignal(upstream, { after: after as never, rescue }),
      {
        name: "TypeError",
        message: message("after", "an iterable of Dependency", shown),
      },
    );
  }
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const throwingThen = {
    get then() {
      throw new Error("then getter");
    },
  };
  for (
    const [dependency, shown] of [
      [42, "42"],
      [null, "null"],
      [undefined, "undefined"],
      ["abc", `"abc"`],
      [{ signal: upstream }, "[object Object]"],
      [{ signal: {}, wait() {} }, "[object Object]"],
      [revoked.proxy, "[object Object]"],
      [throwingThen, "[object Object]"],
    ] as const
  ) {
    assert.throws(
      () =>
        dependentSignal(upstream, {
          after: [Promise.resolve(), dependency as never],
          rescue,
        }),
      {
        name: "TypeError",
        message: message("after[1]", "a Dependency", shown),
      },
    );
  }
  assert.equal(onUpstream.count, 0);
  assert.equal(onRescue.count, 0);
});

test("dependentSignal() touches no dependency before every one is checked", () => {
  const upstream = new AbortController().signal;
  let thens = 0;
  const thenable = {
    then() {
      thens++;
    },
  };
  let calls = 0;
  assert.throws(
    () =>
      dependentSignal(upstream, {
        after: [thenable as never, () => calls++, 42 as never],
      }),
    TypeError,
  );
  // Promise jobs would call `then` on the next microtask: none is queued.
  return Promise.resolve().then(() => {
    assert.equal(thens, 0);
    assert.equal(calls, 0);
  });
});

test("dependentSignal() counts a misbehaving thenable or function result once", async () => {
  const upstream = new AbortController();
  const order: string[] = [];
  const drain = Promise.withResolvers<void>();
  const twice = {
    then(resolve: () => void, reject: (error: unknown) => void) {
      resolve();
      resolve();
      reject(new Error("late"));
    },
  };
  const throwing = {
    then() {
      throw new Error("then failed");
    },
  };
  const throwingGetter = Object.defineProperty(Promise.resolve(), "then", {
    get() {
      throw new Error("then getter");
    },
  });
  const signal = dependentSignal(upstream.signal, {
    after: [
      twice as never,
      () => {
        order.push("a");
        return twice;
      },
      () => {
        order.push("b");
        return throwing;
      },
      () => {
        order.push("c");
        return throwingGetter;
      },
      () => {
        order.push("d");
        // A native promise with its own `then` that calls back twice.
        const promise = Promise.resolve();
        Object.defineProperty(promise, "then", {
          value: (resolve: () => void) => {
            resolve();
            resolve();
          },
        });
        return promise;
      },
      () => {
        order.push("e");
        return drain.promise;
      },
      () => {
        order.push("f");
      },
    ],
  });
  const seen = await escapes(async () => {
    upstream.abort();
    for (let i = 0; i < 10 && order.length < 5; i++) await tick();
    await tick();
    // Counted once: "e" is still draining, so "f" has not had its turn.
    assert.deepEqual(order, ["a", "b", "c", "d", "e"]);
    assert.equal(signal.aborted, false);
    drain.resolve();
    await tick();
  });
  assert.deepEqual(seen, []);
  assert.equal(signal.aborted, true);
  assert.deepEqual(
    order,
    ["a", "b", "c", "d", "e", "f"],
    "each step once, in order",
  );
});
