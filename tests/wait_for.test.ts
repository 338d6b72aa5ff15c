// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// waitFor() and GoroutineWaitError: every mistake throws at once and leaves no
// listener or timer behind; options are optional; the error is safe to build
// by hand and never changes afterwards.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type GoroutineInfo,
  GoroutineManager,
  GoroutineWaitError,
  waitFor,
} from "goroutine-manager";
import { countListeners, settlesNow } from "./_helpers.ts";

const wait = (message: string) => `Cannot wait as ${message}`;

test("waitFor(manager) without options waits like manager.wait()", async () => {
  const manager = new GoroutineManager();
  await waitFor(manager); // nothing running: resolves
  const release = Promise.withResolvers<void>();
  manager.startForegroundGoroutine(() => release.promise);
  const waiting = waitFor(manager);
  assert.equal(await settlesNow(waiting), false);
  release.resolve();
  await waiting;
  await waitFor(manager, {});
});

test("waitFor() rejects a manager that is not a GoroutineManager", () => {
  const lookAlike = {
    wait: () => Promise.resolve(),
    pending: 0,
    running: [],
  };
  for (
    const [value, shown] of [
      [undefined, "undefined"],
      [null, "null"],
      [42, "42"],
      [lookAlike, "[object Object]"],
    ] as const
  ) {
    assert.throws(() => waitFor(value as never), {
      name: "TypeError",
      message: wait(
        `'manager' must be a GoroutineManager: current value is ${shown}`,
      ),
    });
  }
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  assert.throws(() => waitFor(revoked.proxy as never), TypeError);
});

test("waitFor() rejects bad options at once, adding no listener and no timer", () => {
  const manager = new GoroutineManager();
  manager.startForegroundGoroutine(() => new Promise(() => {}));
  const rescue = new AbortController().signal;
  const listeners = countListeners(rescue);
  const cases: [unknown, typeof TypeError, string][] = [
    [42, TypeError, "'options' must be an object: current value is 42"],
    [null, TypeError, "'options' must be an object: current value is null"],
    ["5", TypeError, `'options' must be an object: current value is "5"`],
    [
      { signal: 0 },
      TypeError,
      "'signal' must be an AbortSignal: current value is 0",
    ],
    [
      { signal: null },
      TypeError,
      "'signal' must be an AbortSignal: current value is null",
    ],
    [
      { signal: { aborted: false, addEventListener() {} } },
      TypeError,
      "'signal' must be an AbortSignal: current value is [object Object]",
    ],
    [
      { timeout: "5" },
      TypeError,
      `'timeout' must be a non-negative number: current value is "5"`,
    ],
    [
      { timeout: 5n },
      TypeError,
      `'timeout' must be a non-negative number: current value is 5n`,
    ],
    [
      { signal: rescue, timeout: -1 },
      RangeError,
      "'timeout' must be a non-negative number: current value is -1",
    ],
    [
      { signal: rescue, timeout: NaN },
      RangeError,
      "'timeout' must be a non-negative number: current value is NaN",
    ],
  ];
  for (const [options, Class, message] of cases) {
    assert.throws(() => waitFor(manager, options as never), (error) => {
      assert.equal((error as Error).constructor, Class);
      assert.equal((error as Error).message, wait(message));
      return true;
    });
  }
  // A leaked timer would keep `node --test` from finishing and fail Deno's
  // sanitizer; a listener shows here.
  assert.equal(listeners.count, 0);
  manager.stopAllGoroutines();
});

test("waitFor() reports a copy: changing what running returned changes nothing", async () => {
  const manager = new GoroutineManager();
  manager.startForegroundGoroutine(() => new Promise(() => {}), {
    name: "uploader",
  });
  const snapshot = manager.running as GoroutineInfo[];
  assert.throws(() => {
    (snapshot[0] as { name: string }).name = "changed";
  }, TypeError);
  snapshot.length = 0;
  const error = await waitFor(manager, { timeout: 0 }).then(
    () => assert.fail("resolved"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof GoroutineWaitError);
  assert.deepEqual(error.running.map(({ name }) => name), ["uploader"]);
  assert.ok(Object.isFrozen(error.running));
  assert.ok(Object.isFrozen(error.running[0]));
});

test("waitFor() settles even if a subclass's running getter throws", async () => {
  class Broken extends GoroutineManager {
    override get running(): GoroutineInfo[] {
      throw new Error("running failed");
    }
  }
  const manager = new Broken();
  manager.startForegroundGoroutine(() => new Promise(() => {}));
  await assert.rejects(waitFor(manager, { timeout: 0 }), {
    message: "running failed",
  });
});

test("new GoroutineWaitError() checks its arguments and keeps its own frozen copy", () => {
  const create = (message: string) =>
    `Cannot create GoroutineWaitError as ${message}`;
  const revoked = Proxy.revocable([], {});
  revoked.revoke();
  const throwing = {
    get name(): string {
      throw new Error("name getter");
    },
  };
  for (
    const running of [
      undefined,
      null,
      42,
      "uploader",
      { length: 1, 0: { name: "a" } },
      [null],
      [{}],
      [{ name: 42 }],
      ["uploader"],
      [throwing],
      revoked.proxy,
    ]
  ) {
    assert.throws(() => new GoroutineWaitError(running as never, 0, "x"), {
      name: "TypeError",
      message: new RegExp(
        `^${
          create("'running' must be an array of GoroutineInfo").replace(
            /[()]/g,
            "\\$&",
          )
        }: current value is `,
      ),
    });
  }
  const cases: [unknown, typeof TypeError][] = [
    [undefined, TypeError],
    ["1", TypeError],
    [1n, TypeError],
    [-1, RangeError],
    [1.5, RangeError],
    [NaN, RangeError],
    [Infinity, RangeError],
  ];
  for (const [unnamed, Class] of cases) {
    assert.throws(() => new GoroutineWaitError([], unnamed as never, "x"), (
      error,
    ) => {
      assert.equal((error as Error).constructor, Class);
      assert.match(
        (error as Error).message,
        /^Cannot create GoroutineWaitError as 'unnamed' must be a non-negative integer: current value is /,
      );
      return true;
    });
  }

  const infos = [{ name: "a", foreground: true, startedAt: 1 }];
  const error = new GoroutineWaitError(infos, 2, "why");
  assert.equal(error.message, `Gave up waiting for "a", 2 unnamed`);
  assert.equal(error.name, "GoroutineWaitError");
  assert.equal(error.cause, "why");
  assert.equal(error.unnamed, 2);
  infos[0]!.name = "b";
  infos.push({ name: "c", foreground: true, startedAt: 2 });
  assert.deepEqual(error.running, [{
    name: "a",
    foreground: true,
    startedAt: 1,
  }]);
  assert.ok(
    Object.isFrozen(error.running) && Object.isFrozen(error.running[0]),
  );
  assert.equal(
    new GoroutineWaitError([], 0, undefined).message,
    "Gave up waiting for nothing",
  );
});

test("new GoroutineWaitError() copies each info's name, foreground and startedAt, inherited or from getters", () => {
  class Info {
    get name(): string {
      return "indexer";
    }
    foreground = true;
    startedAt = 7;
  }
  const inherited = Object.create({
    name: "uploader",
    foreground: false,
    startedAt: 3,
  });
  const error = new GoroutineWaitError([inherited, new Info()], 0, "deadline");
  assert.equal(error.message, 'Gave up waiting for "uploader", "indexer"');
  assert.deepEqual(error.running.map((info) => ({ ...info })), [
    { name: "uploader", foreground: false, startedAt: 3 },
    { name: "indexer", foreground: true, startedAt: 7 },
  ]);
  assert.ok(error.running.every((info) => Object.isFrozen(info)));
});
