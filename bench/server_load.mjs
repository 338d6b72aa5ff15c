// deno-lint-ignore-file no-console
// (a benchmark driver: it prints its results)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Server load test (issue 10), over 127.0.0.1 only. For each runtime (Bun with
// Bun.serve, Deno with Deno.serve, Node 24 with node:http) and each mode of
// bench/_load_server.mjs (bare, manager, and once the shared-signal contrast),
// starts the server as a child process, drives it with autocannon (run by the
// Node that runs this script) with --load-connections requests in flight at
// once, for --load-duration seconds after a --load-warmup-second warm-up, then reads the
// server's counters and its CPU time (/proc/<pid>/stat), and kills it.
// Modes alternate within each runtime for --load-rounds rounds (bare, manager,
// manager, bare, …) so that drift from other load hits both the same way.
//
// Reports requests/s, latency percentiles, the server's CPU time per request,
// the largest number of requests in flight the server saw, errors, and the
// throughput cost of the manager: 1 − (manager req/s ÷ bare req/s), median
// over rounds.
//
// Everything is bounded: autocannon runs for a fixed duration with a fixed
// number of connections and a 20 s request timeout; each server exits by
// itself after 300 s and is killed (SIGKILL) when its run ends, also on error.
//
//   node bench/server_load.mjs [--runtimes=node24,bun,deno]
//     [--load-connections=5000] [--load-duration=10] [--load-warmup=3]
//     [--load-rounds=2] [--load-ms=50] [--load-no-shared]
// Results: `@@RESULT {json}` lines (bench/run.mjs collects them).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (...p) => join(root, "node_modules", ...p);
const autocannon = createRequire(import.meta.url)("autocannon");

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const RUNTIMES = opt("runtimes", "node24,bun,deno").split(",");
const CONNECTIONS = Number(opt("load-connections", "5000"));
const DURATION = Number(opt("load-duration", "10"));
const WARMUP = Number(opt("load-warmup", "3"));
const ROUNDS = Number(opt("load-rounds", "2"));
const MS = Number(opt("load-ms", "50"));
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
// esbuild bundle of the working tree.
let lib = process.env.GM_LIB;
if (!lib) {
  const dir = join(root, "bench", ".snapshot");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, "goroutine-manager.load.mjs");
  const r = spawnSync(bin(".bin", "esbuild"), [
    "mod.ts",
    "--bundle",
    "--format=esm",
    "--target=es2022",
    `--outfile=${out}`,
    "--log-level=warning",
  ], { cwd: root, encoding: "utf8" });
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

function cannon(port, duration) {
  return autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: CONNECTIONS,
    duration,
    timeout: 20,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  });
}

async function once(rt, mode) {
  const { child, port } = await startServer(rt, mode);
  try {
    // Warm-up: opens the connections, compiles the hot paths.
    await cannon(port, WARMUP);
    await get(port, "/__reset");
    const cpu0 = cpuSeconds(child.pid);
    const r = await cannon(port, DURATION);
    const cpu1 = cpuSeconds(child.pid);
    const stats = JSON.parse(await get(port, "/__stats"));
    const total = r.requests.total;
    return {
      mode,
      requestsPerSecond: total / r.duration,
      total,
      latency: {
        p50: r.latency.p50,
        p90: r.latency.p90,
        p99: r.latency.p99,
        max: r.latency.max,
        mean: r.latency.average,
      },
      errors: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      serverCpuSeconds: cpu1 - cpu0,
      serverCpuUsPerRequest: ((cpu1 - cpu0) * 1e6) / stats.served,
      maxInFlight: stats.maxInFlight,
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
        `  ${label} ${mode.padEnd(8)} ${
          x.requestsPerSecond.toFixed(0).padStart(7)
        } req/s  p50 ${x.latency.p50} ms  p99 ${x.latency.p99} ms  server CPU ${
          x.serverCpuUsPerRequest.toFixed(1)
        } µs/req  max in flight ${x.maxInFlight}  errors ${
          x.errors + x.timeouts + x.non2xx + x.serverErrors
        }`,
      );
    }
  }
  if (SHARED) {
    const x = await once(rt, "shared");
    runs.push(x);
    console.error(
      `  ${label} shared   ${
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
    scenario: "server-load",
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
    `  ${label}: manager throughput cost ${
      (result.throughputCost * 100).toFixed(1)
    }% (rounds: ${
      costs.map((c) => `${(c * 100).toFixed(1)}%`).join(", ")
    }), server CPU per request ×${result.serverCpuRatio.toFixed(2)}`,
  );
  console.log(`@@RESULT ${JSON.stringify(result)}`);
}
killAll();
