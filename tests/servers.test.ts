// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The example HTTP servers, run as child processes with the current runtime
// and sent real requests over 127.0.0.1 and real signals: the first SIGINT
// drops no in-flight request and exits 0, a second one exits 130 at once.
// Deno runs server_deno.ts, Bun server_bun.ts, and all three server_node.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { RUNTIME, withExample } from "./_child.ts";

const SERVERS: [file: string, runtimes: string[]][] = [
  ["server_deno.ts", ["deno"]],
  ["server_bun.ts", ["bun"]],
  ["server_node.ts", ["node", "deno", "bun"]],
];

/** The outcome of one request: never rejects, so it can be awaited late. */
type Outcome = { status: number; body: string } | { error: unknown };

function request(
  port: number,
  path: string,
  signal: AbortSignal,
): Promise<Outcome> {
  return fetch(`http://127.0.0.1:${port}${path}`, { signal }).then(
    async (response) => ({
      status: response.status,
      body: await response.text(),
    }),
    (error) => ({ error }),
  );
}

/** Requests per test: bounded, and all in flight at once. */
const POLLS = 4;
const SLOW = 2;

for (const [file, runtimes] of SERVERS) {
  const skip = !runtimes.includes(RUNTIME);

  test(
    `examples/${file} on ${RUNTIME}: one SIGINT drains every in-flight request and exits 0`,
    {
      skip,
    },
    async () => {
      // Every fetch is aborted when the test ends; the child's guard timer
      // bounds everything else.
      const requests = new AbortController();
      try {
        await withExample(file, ["0", "600000"], async (child) => {
          const [, port] = await child.line(/^listening on (\d+)$/);
          assert.ok(port !== undefined);
          await assertResponds(Number(port), "/", {
            status: 200,
            body: "hello\n",
          }, requests.signal);

          // Long polls wait for the job's next tick (ten minutes away): they are
          // certainly in flight when the signal arrives.
          const polls = Array.from(
            { length: POLLS },
            () => request(Number(port), "/poll", requests.signal),
          );
          const slow = Array.from(
            { length: SLOW },
            () => request(Number(port), "/slow?ms=20", requests.signal),
          );
          await child.linesMatching(/^GET \/poll$/, POLLS);
          await child.linesMatching(/^GET \/slow\?ms=20$/, SLOW);
          child.kill("SIGINT");

          for (const outcome of await Promise.all(polls)) {
            assert.deepEqual(outcome, { status: 200, body: "shutting down\n" });
          }
          for (const outcome of await Promise.all(slow)) {
            assert.deepEqual(outcome, { status: 200, body: "done\n" });
          }
          assert.deepEqual(
            await child.exited,
            { code: 0, signal: null },
            child.stderr,
          );
          assert.ok(
            child.lines.some((line) => line.startsWith("stopping: draining")),
            child.lines.join("\n"),
          );
          assert.equal(child.lines.at(-1), "stopped gracefully");
        });
      } finally {
        requests.abort();
      }
    },
  );

  test(
    `examples/${file} on ${RUNTIME}: a second SIGINT during the drain exits 130 at once`,
    {
      skip,
    },
    async () => {
      const requests = new AbortController();
      try {
        await withExample(file, ["0", "600000"], async (child) => {
          const [, port] = await child.line(/^listening on (\d+)$/);
          // A request that would hold the drain for a minute (the guard timer
          // is 20 s), and long polls that the first signal answers.
          const stuck = request(
            Number(port),
            "/slow?ms=60000",
            requests.signal,
          );
          const polls = Array.from(
            { length: 2 },
            () => request(Number(port), "/poll", requests.signal),
          );
          await child.linesMatching(/^GET \/slow\?ms=60000$/, 1);
          await child.linesMatching(/^GET \/poll$/, 2);
          child.kill("SIGINT");
          await child.line(/^stopping: draining/);
          for (const outcome of await Promise.all(polls)) {
            assert.deepEqual(outcome, { status: 200, body: "shutting down\n" });
          }
          child.kill("SIGINT");
          assert.deepEqual(
            await child.exited,
            { code: 130, signal: null },
            child.stderr,
          );
          assert.ok(!child.lines.includes("stopped gracefully"));
          // The stuck request was cut off by the exit, not answered.
          assert.ok(
            "error" in (await stuck),
            "the stuck request got no response",
          );
        });
      } finally {
        requests.abort();
      }
    },
  );
}

async function assertResponds(
  port: number,
  path: string,
  expected: Outcome,
  signal: AbortSignal,
): Promise<void> {
  assert.deepEqual(await request(port, path, signal), expected);
}
