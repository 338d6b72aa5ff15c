// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// What holds the process while handleProcessSignals() listens, on the runtime
// running the suite: tests/_keep_alive.ts as a child process. The library's
// own part (the listener) holds nothing on any runtime; the differences left
// are the runtimes' own handling of a pending top-level await, pinned here so
// that the README's table stays true.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type Child, RUNTIME, withExample } from "./_child.ts";

const FIXTURE = "../tests/_keep_alive.ts";

/**
 * Fails if the child exits within a short real delay after its "ready" line.
 * The children that do exit do so within milliseconds of it.
 */
async function staysAlive(child: Child): Promise<void> {
  await child.line(/^ready$/);
  let exited = false;
  child.exited.then(() => exited = true);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(exited, false, `exited early\n${child.stderr}`);
}

test(`keep-alive on ${RUNTIME}: a program that has finished exits 0 while the handler still listens`, async () => {
  await withExample(FIXTURE, ["finished"], async (child) => {
    assert.deepEqual(
      await child.exited,
      { code: 0, signal: null },
      child.stderr,
    );
    assert.deepEqual(child.lines, ["ready"]);
  });
});

test(`keep-alive on ${RUNTIME}: a top-level await that only the handler's signal settles`, async () => {
  await withExample(FIXTURE, ["waiting"], async (child) => {
    if (RUNTIME === "node") {
      // Nothing holds Node's event loop: "unsettled top-level await".
      assert.deepEqual(await child.exited, { code: 13, signal: null });
      assert.match(child.stderr, /unsettled top-level await/);
      assert.deepEqual(child.lines, ["ready"]);
      return;
    }
    // Deno: the signal listener holds a pending top-level await (through
    // process.on() or Deno.addSignalListener() alike). Bun: it always waits.
    await staysAlive(child);
    child.kill("SIGINT");
    assert.deepEqual(
      await child.exited,
      { code: 0, signal: null },
      child.stderr,
    );
    assert.deepEqual(child.lines, ["ready", "stop", "stopped"]);
  });
});

test(`keep-alive on ${RUNTIME}: the same top-level await after dispose`, async () => {
  await withExample(FIXTURE, ["disposed"], async (child) => {
    if (RUNTIME === "node") {
      assert.deepEqual(await child.exited, { code: 13, signal: null });
      assert.match(child.stderr, /unsettled top-level await/);
    } else if (RUNTIME === "deno") {
      // Without a listener, Deno reports the pending await and exits 1.
      assert.deepEqual(await child.exited, { code: 1, signal: null });
      assert.match(child.stderr, /Top-level await promise never resolved/);
    } else {
      // Bun waits on a pending top-level await even with nothing to wake it;
      // with the listener removed, SIGINT gets the default: the process dies.
      await staysAlive(child);
      child.kill("SIGINT");
      assert.deepEqual(await child.exited, { code: null, signal: "SIGINT" });
    }
    assert.deepEqual(child.lines, ["ready"]);
  });
});

test(`keep-alive on ${RUNTIME}: a stop that throws is reported by the runtime at once, exit code 1`, async () => {
  await withExample(FIXTURE, ["throwing"], async (child) => {
    await child.line(/^ready$/);
    child.kill("SIGINT");
    assert.deepEqual(await child.exited, { code: 1, signal: null });
    assert.deepEqual(child.lines, ["ready", "stop"]);
    assert.match(child.stderr, /stop failed/);
  });
});

test(`keep-alive on ${RUNTIME}: an onError that throws is reported by the runtime too`, async () => {
  await withExample(FIXTURE, ["onerror"], async (child) => {
    await child.line(/^ready$/);
    child.kill("SIGINT");
    assert.deepEqual(await child.exited, { code: 1, signal: null });
    assert.deepEqual(child.lines, ["ready", "stop", "onError: stop failed"]);
    assert.match(child.stderr, /onError failed/);
  });
});

test(`keep-alive on ${RUNTIME}: what onRescue throws is printed before the exit, exit code 1`, async () => {
  await withExample(FIXTURE, ["rescue-throwing"], async (child) => {
    await child.line(/^ready$/);
    child.kill("SIGINT");
    await child.line(/^stop$/);
    child.kill("SIGINT");
    assert.deepEqual(await child.exited, { code: 1, signal: null });
    assert.deepEqual(child.lines, ["ready", "stop", "rescue"]);
    assert.match(child.stderr, /rescue failed/);
  });
});

test(`keep-alive on ${RUNTIME}: with exitCode null, what onRescue throws is an uncaught exception`, async () => {
  await withExample(FIXTURE, ["rescue-held"], async (child) => {
    await child.line(/^ready$/);
    child.kill("SIGINT");
    await child.line(/^stop$/);
    child.kill("SIGINT");
    assert.deepEqual(await child.exited, { code: 3, signal: null });
    assert.deepEqual(child.lines, [
      "ready",
      "stop",
      "rescue",
      "uncaught: rescue failed",
    ]);
  });
});
