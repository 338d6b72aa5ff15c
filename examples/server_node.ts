// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console

// An HTTP server on `node:http` that runs every request as a task of one
// manager and a background job under another. The first Ctrl-C (or SIGTERM)
// stops accepting connections, stops the job, lets every in-flight request
// finish and exits 0; the second exits 130 at once. Runs on Node 22.18+ (type
// stripping), and on Deno and Bun through their node:http.
//
//   node examples/server_node.ts [port] [tick-ms]
//
// Try `curl 127.0.0.1:8000/poll` (answers at the next tick of the job, or when
// the server shuts down) and `curl '127.0.0.1:8000/slow?ms=3000'`, then Ctrl-C.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { GoroutineManager, handleProcessSignals } from "goroutine-manager";

const port = Number(process.argv[2] ?? 8000);
const tickMs = Number(process.argv[3] ?? 1000);

const requests = new GoroutineManager(); // one foreground task per request
const jobs = new GoroutineManager(); // background work, stopped first

// The job: publishes a tick every `tickMs`, and "shutting down" when stopped,
// which answers every waiting long poll.
let next = Promise.withResolvers<string>();
jobs.startForegroundGoroutine(async (signal) => {
  for (let n = 1; !signal.aborted; n++) {
    await sleep(tickMs, signal);
    const current = next;
    next = Promise.withResolvers();
    current.resolve(signal.aborted ? "shutting down" : `tick ${n}`);
  }
});

async function route(url: URL, signal: AbortSignal): Promise<[number, string]> {
  switch (url.pathname) {
    case "/":
      return [200, "hello\n"];
    case "/poll":
      return [200, `${await next.promise}\n`];
    case "/slow":
      await sleep(Number(url.searchParams.get("ms") ?? 1000), signal);
      return [200, "done\n"];
    default:
      return [404, "not found\n"];
  }
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  console.log(`${request.method} ${url.pathname}${url.search}`);
  requests.startForegroundGoroutine(async (signal) => {
    // A failing request is a 500, not a reason to stop the other requests.
    let status: number, body: string;
    try {
      [status, body] = await route(url, signal);
    } catch (error) {
      [status, body] = [500, `${error}\n`];
    }
    // The task ends when the response is sent (or the client went away), so
    // requests.wait() below also waits for the last bytes.
    await new Promise((resolve) => {
      response.once("close", resolve);
      response.writeHead(status, { "content-type": "text/plain" }).end(body);
    });
  });
});
server.listen(port, "127.0.0.1", () => {
  console.log(`listening on ${(server.address() as AddressInfo).port}`);
});

// First signal: stop accepting connections (in-flight requests go on) and stop
// the job. A rejection of `closed` is reported at once (as an uncaught error).
let closed: Promise<void> | undefined;
const signals = handleProcessSignals(() => {
  console.log("stopping: draining in-flight requests (Ctrl-C again to quit)");
  jobs.stopAllGoroutines();
  return closed = new Promise<void>((resolve, reject) => {
    server.close((error) => error ? reject(error) : resolve());
  });
});

await new Promise((resolve) =>
  signals.signal.addEventListener("abort", resolve)
);
await Promise.all([requests.wait(), jobs.wait()]);
server.closeIdleConnections(); // the keep-alive connections of drained requests
await closed;
signals[Symbol.dispose]();
const error = jobs.error ?? requests.error;
if (error !== undefined) throw error;
console.log("stopped gracefully");

/** Resolves after `ms` milliseconds, or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
