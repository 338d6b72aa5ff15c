// deno-lint-ignore-file no-console
// (a benchmark driver: it prints its results)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Server load test (issue 10), over 127.0.0.1 only. For each runtime (Bun with
// Bun.serve, Deno with Deno.serve, Node 24 with node:http) and each mode of
// bench/_load_server.mjs (bare, manager, and once the shared-signal contrast),
// starts the server as a child process, drives it with a bounded client
// (run by the Node that runs this script: --load-connections keep-alive TCP
// connections, each with one request in flight at a time) for --load-duration
// seconds after a --load-warmup-second warm-up, reads the server's counters
// and its CPU time (/proc/<pid>/stat) at both edges of the measured window,
// and kills the server. (autocannon, also a devDependency, reopens every
// connection after its warm-up: with 5,000 connections its measured window was
// mostly connection setup; the node:http client was slower than the servers.)
// Modes alternate within each runtime for --load-rounds rounds (bare, manager,
// manager, bare, …) so that drift from other load hits both the same way.
//
// Reports requests/s, latency percentiles, the server's CPU time per request,
// the largest number of requests in flight the server saw (whole run), errors,
// and the
// throughput cost of the manager: 1 − (manager req/s ÷ bare req/s), median
// over rounds.
//
// Everything is bounded: the client runs for a fixed duration with a fixed
// number of connections and a 20 s request timeout; each server exits by
// itself after 300 s and is killed (SIGKILL) when its run ends, also on error.
//
//   node bench/server_load.mjs [--runtimes=node24,bun,deno]
//     [--load-connections=5000] [--load-duration=10] [--load-warmup=5]
//     [--load-rounds=3] [--load-ms=50,1000] [--load-no-shared]
// Results: `@@RESULT {json}` lines (bench/run.mjs collects them).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (...p) => join(root, "node_modules", ...p);

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const RUNTIMES = opt("runtimes", "node24,bun,deno").split(",");
const CONNECTIONS = Number(opt("load-connections", "5000"));
const DURATION = Number(opt("load-duration", "10"));
const WARMUP = Number(opt("load-warmup", "5"));
const ROUNDS = Number(opt("load-rounds", "3"));
// Timer lengths: 50 ms (the server is CPU-bound: 5,000 connections offer up
// to 100,000 req/s) and 1,000 ms (about 5,000 tasks live in the manager at
// once, the server is not saturated: the cost shows in CPU and latency).
const MS_LIST = opt("load-ms", "50,1000").split(",").map(Number);
let MS = MS_LIST[0];
const SHARED = !argv.includes("--load-no-shared");

const CMDS = {
  node24: {
    label: "Node 24 (node:http)",
    cmd: bin("node24", "bin", "node"),
    args: [],
  },
  bun: { label: "Bun (Bun.serve)", cmd: bin(".bin", "bun"), args: [] },
  deno: {
    label: "Deno (Deno.serve)",
    cmd: bin(".bin", "deno"),
    args: ["run", "--allow-all", "--no-prompt"],
  },
};

// The library: the snapshot of bench/run.mjs if it gave one, else a fresh
// esbuild bundle of the last commit (`git archive HEAD`: in a shared tree the
// working tree may hold someone's half-saved edit).
let lib = process.env.GM_LIB;
if (!lib) {
  const dir = join(root, "bench", ".snapshot");
  const src = join(dir, "src-load");
  mkdirSync(src, { recursive: true });
  const archive = spawnSync("git", ["archive", "HEAD", "mod.ts", "src"], {
    cwd: root,
    maxBuffer: 1 << 28,
  });
  const tar = spawnSync("tar", ["-x", "-C", src], { input: archive.stdout });
  if (archive.status !== 0 || tar.status !== 0) {
    throw new Error(`git archive HEAD failed: ${archive.stderr}${tar.stderr}`);
  }
  const out = join(dir, "goroutine-manager.load.mjs");
  const r = spawnSync(bin(".bin", "esbuild"), [
    "mod.ts",
    "--bundle",
    "--format=esm",
    "--target=es2022",
    `--outfile=${out}`,
    "--log-level=warning",
  ], { cwd: src, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr}`);
  lib = pathToFileURL(out).href;
}

const children = new Set();
const killAll = () => {
  for (const c of children) c.kill("SIGKILL");
};
process.on("exit", killAll);
for (const s of ["SIGINT", "SIGTERM"]) {
  process.on(s, () => {
    killAll();
    process.exit(130);
  });
}

/** Starts a server; resolves to { child, port } once it printed its port. */
function startServer(rt, mode) {
  // The server exits by itself after 300 s at most.
  const { cmd, args } = CMDS[rt];
  const child = spawn(
    cmd,
    [...args, "bench/_load_server.mjs", `--mode=${mode}`, `--ms=${MS}`],
    {
      cwd: root,
      env: { ...process.env, GM_LIB: lib },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.add(child);
  child.on("exit", () => children.delete(child));
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${rt} ${mode}: no port after 30 s: ${err}`));
    }, 30_000);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/PORT (\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${rt} ${mode} exited with ${code}: ${err}`));
    });
  });
}

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ = 100
  } catch {
    return NaN;
  }
}

async function get(port, path) {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return r.text();
}

/**
 * The client: CONNECTIONS keep-alive TCP connections (node:net, opened 250 at
 * a time during the warm-up), each with one HTTP/1.1 request in flight at a
 * time: a fixed request, responses read by Content-Length. A raw client
 * because the node:http client costs more CPU per request than the servers
 * under test. Runs for WARMUP + DURATION seconds; no request starts after
 * the end, each connection gives up after a 20 s silence. The measured window
 * is from the server's counter reset after the warm-up to the end: requests
 * completed in it, latencies of those that started in it, and the server's
 * CPU time (/proc) at both edges.
 */
async function load(port, child) {
  const REQ = Buffer.from(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`,
  );
  const t0 = performance.now();
  const warmEnd = t0 + WARMUP * 1000;
  const end = warmEnd + DURATION * 1000;
  const starts = [];
  const ends = [];
  let errors = 0;
  let open = 0;
  const { promise: allClosed, resolve: closed } = Promise.withResolvers();
  const connect = () => {
    open++;
    const sock = net.connect({ host: "127.0.0.1", port });
    sock.setNoDelay(true);
    sock.setTimeout(20_000, () => sock.destroy(new Error("timeout")));
    let buf = "";
    let sent = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      sock.destroy();
      if (--open === 0) closed();
    };
    const send = () => {
      sent = performance.now();
      if (sent >= end) return finish();
      sock.write(REQ);
    };
    sock.on("connect", send);
    sock.on("data", (chunk) => {
      buf += chunk.toString("latin1");
      for (;;) {
        const h = buf.indexOf("\r\n\r\n");
        if (h < 0) return;
        const m = /content-length: *(\d+)/i.exec(buf.slice(0, h));
        const size = h + 4 + (m ? Number(m[1]) : 0);
        if (buf.length < size) return;
        const ok = buf.startsWith("HTTP/1.1 200");
        buf = buf.slice(size);
        const now = performance.now();
        if (ok) {
          starts.push(sent);
          ends.push(now);
        } else if (now >= warmEnd) errors++;
        send();
      }
    });
    sock.on("error", () => {
      if (performance.now() >= warmEnd) errors++;
      finish();
    });
    sock.on("close", finish);
  };
  for (let i = 0; i < CONNECTIONS; i += 250) {
    for (let j = i; j < Math.min(CONNECTIONS, i + 250); j++) connect();
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) =>
    setTimeout(r, Math.max(0, warmEnd - performance.now()))
  );
  // No control request while the load runs (a new connection queues behind
  // the 5,000 busy ones): the window is timed here, CPU read from /proc.
  const from = performance.now();
  const cpuFrom = cpuSeconds(child.pid);
  await new Promise((r) => setTimeout(r, Math.max(0, end - performance.now())));
  const to = performance.now();
  const cpuTo = cpuSeconds(child.pid);
  const stillOpen = open;
  await Promise.race([allClosed, new Promise((r) => setTimeout(r, 25_000))]);
  const stats = JSON.parse(await get(port, "/__stats"));
  let completed = 0;
  const latencies = [];
  for (let i = 0; i < ends.length; i++) {
    if (ends[i] >= from && ends[i] < to) {
      completed++;
      if (starts[i] >= from) latencies.push(ends[i] - starts[i]);
    }
  }
  latencies.sort((a, b) => a - b);
  const q = (p) =>
    latencies.length
      ? Math.round(
        latencies[
          Math.min(latencies.length - 1, Math.floor(latencies.length * p))
        ],
      )
      : NaN;
  const seconds = (to - from) / 1000;
  return {
    requestsPerSecond: completed / seconds,
    total: completed,
    errors,
    connectionsOpen: stillOpen,
    latency: {
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      max: Math.round(latencies[latencies.length - 1] ?? NaN),
    },
    serverCpuSeconds: cpuTo - cpuFrom,
    serverCpuShare: (cpuTo - cpuFrom) / seconds,
    stats,
  };
}

async function once(rt, mode) {
  const { child, port } = await startServer(rt, mode);
  try {
    const r = await load(port, child);
    const { stats } = r;
    return {
      mode,
      requestsPerSecond: r.requestsPerSecond,
      total: r.total,
      latency: r.latency,
      errors: r.errors,
      serverCpuSeconds: r.serverCpuSeconds,
      serverCpuShare: r.serverCpuShare,
      serverCpuUsPerRequest: (r.serverCpuSeconds * 1e6) / r.total,
      maxInFlight: stats.maxInFlight,
      connectionsOpen: r.connectionsOpen,
      served: stats.served,
      serverErrors: stats.errors + stats.managerErrors,
    };
  } finally {
    child.kill("SIGKILL");
  }
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

for (const rt of RUNTIMES) {
  for (MS of MS_LIST) {
    const { cmd, label } = CMDS[rt] ?? {};
    if (!cmd || !existsSync(cmd)) {
      console.error(`skipping ${rt}: not installed`);
      continue;
    }
    const version = spawnSync(cmd, ["--version"], { encoding: "utf8" }).stdout
      .match(/\d+\.\d+\.\d+/)?.[0];
    const runs = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? ["manager", "bare"] : ["bare", "manager"];
      for (const mode of order) {
        const x = await once(rt, mode);
        runs.push(x);
        console.error(
          `  ${label} ${MS} ms ${mode.padEnd(8)} ${
            x.requestsPerSecond.toFixed(0).padStart(7)
          } req/s  p50 ${x.latency.p50} ms  p99 ${x.latency.p99} ms  server CPU ${
            x.serverCpuUsPerRequest.toFixed(1)
          } µs/req  max in flight ${x.maxInFlight}  errors ${
            x.errors + x.serverErrors
          }`,
        );
      }
    }
    if (SHARED) {
      const x = await once(rt, "shared");
      runs.push(x);
      console.error(
        `  ${label} ${MS} ms shared   ${
          x.requestsPerSecond.toFixed(0).padStart(7)
        } req/s  p50 ${x.latency.p50} ms  p99 ${x.latency.p99} ms  server CPU ${
          x.serverCpuUsPerRequest.toFixed(1)
        } µs/req  max in flight ${x.maxInFlight}`,
      );
    }
    // Per round: the manager's throughput against the bare run of that round.
    const costs = [];
    const cpuRatios = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = runs.slice(round * 2, round * 2 + 2);
      const bare = a.mode === "bare" ? a : b;
      const withManager = a.mode === "bare" ? b : a;
      costs.push(1 - withManager.requestsPerSecond / bare.requestsPerSecond);
      cpuRatios.push(
        withManager.serverCpuUsPerRequest / bare.serverCpuUsPerRequest,
      );
    }
    const result = {
      scenario: MS === 50 ? "server-load" : `server-load-${MS}ms`,
      runtime: rt,
      label,
      version,
      connections: CONNECTIONS,
      duration: DURATION,
      timerMs: MS,
      rounds: ROUNDS,
      runs,
      throughputCost: median(costs),
      throughputCosts: costs,
      serverCpuRatio: median(cpuRatios),
    };
    console.error(
      `  ${label} ${MS} ms: manager throughput cost ${
        (result.throughputCost * 100).toFixed(1)
      }% (rounds: ${
        costs.map((c) => `${(c * 100).toFixed(1)}%`).join(", ")
      }), server CPU per request ×${result.serverCpuRatio.toFixed(2)}`,
    );
    console.log(`@@RESULT ${JSON.stringify(result)}`);
  }
}
killAll();
