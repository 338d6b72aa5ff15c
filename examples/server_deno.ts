// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console

// An HTTP server on `Deno.serve` that runs every request as a task of one
// manager and a background job under another. The first Ctrl-C (or SIGTERM)
// stops accepting connections, stops the job, lets every in-flight request
// finish and exits 0; the second exits 130 at once.
//
//   deno run --allow-net examples/server_deno.ts [port] [tick-ms]
//
// Try `curl 127.0.0.1:8000/poll` (answers at the next tick of the job, or when
// the server shuts down) and `curl '127.0.0.1:8000/slow?ms=3000'`, then Ctrl-C.

import { GoroutineManager, handleProcessSignals } from "goroutine-manager";

const port = Number(Deno.args[0] ?? 8000);
const tickMs = Number(Deno.args[1] ?? 1000);

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

const server = Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: (address) => console.log(`listening on ${address.port}`),
}, (request) => {
  const url = new URL(request.url);
  console.log(`${request.method} ${url.pathname}${url.search}`);
  // The handler waits for its task, which never rejects: a failing request is
  // a 500, not a reason to stop the other requests.
  const response = Promise.withResolvers<Response>();
  requests.startForegroundGoroutine(async (signal) => {
    try {
      response.resolve(await route(url, signal));
    } catch (error) {
      response.resolve(new Response(`${error}\n`, { status: 500 }));
    }
  });
  return response.promise;
});

// First signal: stop accepting connections and stop the job. Use shutdown(),
// not Deno.serve's `signal` option: aborting that signal also cuts the
// connections of in-flight requests.
const signals = handleProcessSignals(() => {
  console.log("stopping: draining in-flight requests (Ctrl-C again to quit)");
  jobs.stopAllGoroutines();
  return server.shutdown(); // a rejection is reported at once (uncaught error)
});

await server.finished; // after shutdown(), once in-flight requests are done
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
