// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Edges of waitFor() and GoroutineWaitError: what a timeout's cause says, that
// a wait without a deadline starts no timer (so it never holds the process
// open by itself), and that `running` must be a real array.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineManager,
  GoroutineWaitError,
  waitFor,
} from "goroutine-manager";

/**
 * How many timers the runtime reports as live (Node and Deno do, through
 * `process.getActiveResourcesInfo()`), or undefined where it does not report
 * them (Bun lists none).
 */
function liveTimers(): number | undefined {
  const info = globalThis.process?.getActiveResourcesInfo;
  if (typeof info !== "function") return undefined;
  const count = () => info().filter((kind) => kind === "Timeout").length;
  const probe = setTimeout(() => {}, 1_000_000);
  const withProbe = count();
  clearTimeout(probe);
  const without = count();
  return withProbe === without + 1 ? without : undefined;
}

test("waitFor() with a timeout: the cause is a TimeoutError that says how long it waited", async () => {
  const manager = new GoroutineManager();
  const hold = Promise.withResolvers<void>();
  manager.startForegroundGoroutine(() => hold.promise, { name: "slow" });
  const error: unknown = await waitFor(manager, { timeout: 5 }).then(
    () => undefined,
    (error) => error,
  );
  assert.ok(error instanceof GoroutineWaitError);
  assert.deepEqual(error.running.map((info) => info.name), ["slow"]);
  const cause = error.cause;
  assert.ok(cause instanceof DOMException);
  assert.equal(cause.name, "TimeoutError");
  assert.equal(cause.message, "Waited 5 ms");
  hold.resolve();
  await manager.wait();
});

test(
  "waitFor() without a timeout, or with Infinity, starts no timer; a finite timeout starts one",
  { skip: liveTimers() === undefined && "this runtime does not report timers" },
  async () => {
    const manager = new GoroutineManager();
    const hold = Promise.withResolvers<void>();
    manager.startForegroundGoroutine(() => hold.promise);
    const before = liveTimers();
    const waits = [
      waitFor(manager),
      waitFor(manager, {}),
      waitFor(manager, { timeout: Infinity }),
      waitFor(manager, { signal: new AbortController().signal }),
    ];
    try {
      assert.equal(liveTimers(), before, "a wait without a deadline");
      waits.push(waitFor(manager, { timeout: 60_000 }));
      assert.equal(liveTimers(), before! + 1, "a wait with a deadline");
    } finally {
      // Settles every wait, which clears any timer it started.
      hold.resolve();
      await Promise.all(waits);
    }
  },
);

test("GoroutineWaitError: running must be an array; array-likes with a map method are refused", () => {
  const info = { name: "a", foreground: true, startedAt: 0 };
  for (
    const running of [
      new Uint8Array(0),
      { map: () => [info], length: 1 },
      { 0: info, length: 1 },
    ]
  ) {
    assert.throws(
      () => new GoroutineWaitError(running as never, 0, "cause"),
      {
        name: "TypeError",
        message:
          /^Cannot create GoroutineWaitError as 'running' must be an array of GoroutineInfo: current value is /,
      },
    );
  }
  assert.deepEqual(
    new GoroutineWaitError([info], 0, "cause").running.map((i) => i.name),
    ["a"],
  );
});
