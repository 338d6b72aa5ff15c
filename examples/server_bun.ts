// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console

// An HTTP server on `Bun.serve` that runs every request as a task of one
// manager and a background job under another. The first Ctrl-C (or SIGTERM)
// stops accepting connections, stops the job, lets every in-flight request
// finish and exits 0; the second exits 130 at once.
//
//   bun examples/server_bun.ts [port] [tick-ms]
//
// Try `curl 127.0.0.1:8000/poll` (answers at the next tick of the job, or when
// the server shuts down) and `curl '127.0.0.1:8000/slow?ms=3000'`, then Ctrl-C.

import { GoroutineManager, handleProcessSignals } from "goroutine-manager";

// The part of Bun's types this example uses (it type-checks without bun-types).
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request): Promise<Response>;
  }): { port: number; stop(closeActiveConnections?: boolean): Promise<void> };
};

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

async function route(url: URL, signal: AbortSignal): Promise<Response> {
  switch (url.pathname) {
    case "/":
      return new Response("hello\n");
    case "/poll":
      return new Response(`${await next.promise}\n`);
    case "/slow":
      await sleep(Number(url.searchParams.get("ms") ?? 1000), signal);
      return new Response("done\n");
    default:
      return new Response("not found\n", { status: 404 });
  }
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(request) {
    const url = new URL(request.url);
    console.log(`${request.method} ${url.pathname}${url.search}`);
    // The handler waits for its task, which never rejects: a failing request
    // is a 500, not a reason to stop the other requests.
    const response = Promise.withResolvers<Response>();
    requests.startForegroundGoroutine(async (signal) => {
      try {
        response.resolve(await route(url, signal));
      } catch (error) {
        response.resolve(new Response(`${error}\n`, { status: 500 }));
      }
    });
    return response.promise;
  },
});
console.log(`listening on ${server.port}`);

// First signal: stop accepting connections (in-flight requests go on) and stop
// the job. A rejection of `stopped` is reported at once (as an uncaught error).
let stopped: Promise<void> | undefined;
const signals = handleProcessSignals(() => {
  console.log("stopping: draining in-flight requests (Ctrl-C again to quit)");
  jobs.stopAllGoroutines();
  return stopped = server.stop();
});

await new Promise((resolve) =>
  signals.signal.addEventListener("abort", resolve)
);
await stopped;
await Promise.all([requests.wait(), jobs.wait()]);
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
