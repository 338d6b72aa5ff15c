// deno-lint-ignore-file no-console
// (a benchmark server: it prints its port)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// The server of bench/server_load.mjs (issue 10). Runs on Bun (Bun.serve),
// Deno (Deno.serve) and Node (node:http), listens on 127.0.0.1 only, prints
// `PORT <n>` once listening, and answers every request after an abortable
// ~50 ms timer:
//   --mode=bare     no manager: the timer alone, no signal
//   --mode=manager  one GoroutineManager for all requests, one foreground task
//                   per request; the timer gets the task's signal (it adds an
//                   abort listener and removes it when it fires)
//   --mode=shared   no manager: every request's timer listens on ONE shared
//                   bare AbortSignal (what one shared signal costs)
// GET /__stats answers {inFlight, maxInFlight, served, errors} and GET
// /__reset resets the counters. The process exits by itself after --max-s
// seconds (default 300), so it can never outlive a crashed driver for long.
//
//   bun bench/_load_server.mjs --mode=manager [--ms=50] [--max-s=300]

const g = globalThis;
const argv = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const opt = (name, fallback) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const mode = opt("mode", "manager");
const ms = Number(opt("ms", "50"));
const maxS = Number(opt("max-s", "300"));
const lib = g.Deno ? g.Deno.env.get("GM_LIB") : g.process.env.GM_LIB;
const { GoroutineManager } = await import(lib ?? "../mod.ts");

/** A timer that rejects with the signal's reason if it aborts first. */
function sleep(delay, signal) {
  return new Promise((resolve, reject) => {
    if (signal === undefined) {
      setTimeout(resolve, delay);
      return;
    }
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, delay);
    signal.addEventListener("abort", onAbort);
  });
}

let inFlight = 0;
let maxInFlight = 0;
let served = 0;
let errors = 0;

const manager = new GoroutineManager();
const shared = new AbortController();

/** The work of one request: resolves to the body text. */
let work;
if (mode === "bare") {
  work = async () => {
    await sleep(ms);
    return "ok\n";
  };
} else if (mode === "shared") {
  work = async () => {
    await sleep(ms, shared.signal);
    return "ok\n";
  };
} else if (mode === "manager") {
  // The README's server pattern: the handler awaits its task, which never
  // rejects (a failed request is a 500, not a reason to stop the others).
  work = () => {
    const body = Promise.withResolvers();
    manager.startForegroundGoroutine(async (signal) => {
      try {
        await sleep(ms, signal);
        body.resolve("ok\n");
      } catch (error) {
        body.reject(error);
      }
    });
    return body.promise;
  };
} else {
  throw new Error(`unknown --mode=${mode}`);
}

/** Handles one request: [status, body]. */
async function handle(path) {
  if (path === "/__stats") {
    return [
      200,
      JSON.stringify({
        mode,
        inFlight,
        maxInFlight,
        served,
        errors,
        managerErrors: manager.errors.length,
      }),
    ];
  }
  if (path === "/__reset") {
    maxInFlight = inFlight;
    served = 0;
    errors = 0;
    return [200, "reset\n"];
  }
  if (++inFlight > maxInFlight) maxInFlight = inFlight;
  try {
    const body = await work();
    served++;
    return [200, body];
  } catch (error) {
    errors++;
    return [500, `${error}\n`];
  } finally {
    inFlight--;
  }
}

const pathOf = (url) => {
  const i = url.indexOf("/", url.indexOf("//") + 2);
  return i < 0 ? "/" : url.slice(i);
};
const toResponse = ([status, body]) => new Response(body, { status });

let port;
if (g.Bun) {
  const server = g.Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 120,
    fetch: (request) => handle(pathOf(request.url)).then(toResponse),
  });
  port = server.port;
} else if (g.Deno) {
  const ready = Promise.withResolvers();
  g.Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => ready.resolve(port),
    },
    (request) => handle(pathOf(request.url)).then(toResponse),
  );
  port = await ready.promise;
} else {
  const http = await import("node:http");
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    handle(req.url).then(([status, body]) => {
      res.statusCode = status;
      res.end(body);
    });
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.requestTimeout = 0;
  await new Promise((resolve) =>
    server.listen({ host: "127.0.0.1", port: 0, backlog: 8192 }, resolve)
  );
  port = server.address().port;
}
console.log(`PORT ${port}`);
// Never outlive the driver by long.
setTimeout(() => {
  console.error(`exiting after ${maxS} s`);
  (g.Deno ?? g.process).exit(0);
}, maxS * 1000);
