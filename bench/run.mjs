// deno-lint-ignore-file no-console
// (a benchmark script: it prints its results and drives peers' loosely typed APIs)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// `npm run bench`: runs every benchmark script under every installed runtime
// (Node 24, Bun, Deno, and Node 22), collects the `@@RESULT {json}` lines they
// print, and writes
//   bench/results.json  every figure, per runtime
//   bench/results.md    the ratio tables, with the targets of issue 5 checked
//   bench/chart.svg     a bar chart of the ratios (log scale)
// Runs on the machine's own Node (20 or newer): it only spawns the runtimes.
//
// Usage: node bench/run.mjs [--render-only] [--runtimes=node24,bun,deno,node22]
//          [--scenarios=spawn,failure,stop,memory,churn,server] [--full]
//          [--rounds=15]
//          [--lib=<git revision>|worktree] [--before=<git revision>] ...
// Unknown flags are passed on to the scripts (see bench/_harness.ts).
// The library measured is the last commit (`git archive HEAD` of mod.ts and
// src/, bundled by esbuild), `--lib=<rev>` another commit, `--lib=worktree`
// the working tree. `--before=<rev>` measures <rev> and stores the figures as
// the "before" part of bench/results.json (issue 10: `--before=39dd7e5`, the
// last commit before shard signals).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { renderChart } from "./_chart.mjs";
import { renderMarkdown } from "./_report.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (...p) => join(root, "node_modules", ...p);

const RUNTIMES = {
  node24: {
    label: "Node 24",
    cmd: bin("node24", "bin", "node"),
    args: ["--expose-gc"],
  },
  bun: { label: "Bun", cmd: bin(".bin", "bun"), args: [] },
  deno: {
    label: "Deno",
    cmd: bin(".bin", "deno"),
    args: ["run", "--allow-all", "--no-prompt", "--v8-flags=--expose-gc"],
  },
  node22: {
    label: "Node 22",
    cmd: bin("node22", "bin", "node"),
    args: ["--expose-gc"],
  },
};
const SCRIPTS = {
  spawn: "bench/spawn.bench.ts",
  failure: "bench/failure.bench.ts",
  stop: "bench/stop.bench.ts",
  memory: "bench/memory.bench.ts",
  churn: "bench/churn.bench.ts",
  limit: "bench/limit.bench.ts",
  map: "bench/map.bench.ts",
};

const argv = process.argv.slice(2);
if (argv.includes("--render-only")) {
  // Re-render results.md and chart.svg from results.json without measuring.
  const out = JSON.parse(
    readFileSync(join(root, "bench", "results.json"), "utf8"),
  );
  writeFileSync(join(root, "bench", "results.md"), renderMarkdown(out));
  writeFileSync(join(root, "bench", "chart.svg"), renderChart(out));
  process.exit(0);
}
const opt = (name, fallback) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3).split(",") : fallback;
};
// Node 22 adds three minutes; ask for it with --runtimes=node24,bun,deno,node22.
const runtimes = opt("runtimes", ["node24", "bun", "deno"]);
// "server": bench/server_load.mjs, run once for all runtimes (not node22).
const ALL = [...Object.keys(SCRIPTS), "server"];
const scenarios = opt("scenarios", ALL);
// Which library to measure: by default the last commit (HEAD), not the
// working tree: in a shared tree, another agent's half-saved edit of src/
// would be measured (it happened: a snapshot whose tasks' signals never
// aborted, and the stop scenarios hung). `--lib=worktree` measures the
// working tree, `--lib=<rev>` a commit; `--before=<rev>` measures a commit
// and stores it as the "before" figures.
const beforeRev = opt("before", [])[0];
const libArg = beforeRev ?? opt("lib", ["HEAD"])[0];
const libRev = libArg === "worktree" ? undefined : spawnSync("git", [
  "rev-parse",
  "--short",
  libArg,
], { cwd: root, encoding: "utf8" }).stdout.trim();
if (libArg !== "worktree" && !libRev) {
  throw new Error(`unknown revision ${libArg}`);
}
const passOn = argv.filter((x) =>
  !x.startsWith("--runtimes=") && !x.startsWith("--scenarios=") &&
  !x.startsWith("--lib=") && !x.startsWith("--before=")
);

const version = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  const text = (r.stdout || r.stderr || "").split("\n")[0].trim();
  return text.match(/\d+\.\d+\.\d+/)?.[0] ?? text;
};

const out = {
  date: new Date().toISOString(),
  machine: {
    cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
    memoryGB: Math.round(totalmem() / 1e9),
    os: `${process.platform} ${process.arch}`,
  },
  command: `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
  runtimes: {},
  results: [],
};

// Snapshot the library once (src/ may change while this runs): bundle mod.ts
// with esbuild into bench/.snapshot/, and have every script import that.
const snapshotDir = join(root, "bench", ".snapshot");
mkdirSync(snapshotDir, { recursive: true });
const snapshot = join(
  snapshotDir,
  libRev ? `goroutine-manager.${libRev}.mjs` : "goroutine-manager.mjs",
);
let sourceDir = root;
if (libRev) {
  // The sources as committed at libRev, extracted next to the snapshot.
  sourceDir = join(snapshotDir, `src-${libRev}`);
  mkdirSync(sourceDir, { recursive: true });
  const archive = spawnSync("git", ["archive", libRev, "mod.ts", "src"], {
    cwd: root,
    maxBuffer: 1 << 28,
  });
  if (archive.status !== 0) {
    throw new Error(`git archive ${libRev} failed: ${archive.stderr}`);
  }
  const tar = spawnSync("tar", ["-x", "-C", sourceDir], {
    input: archive.stdout,
  });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
}
const esbuild = spawnSync(bin(".bin", "esbuild"), [
  "mod.ts",
  "--bundle",
  "--format=esm",
  "--target=es2022",
  `--outfile=${snapshot}`,
  "--log-level=warning",
], { cwd: sourceDir, encoding: "utf8" });
if (esbuild.status !== 0) throw new Error(`esbuild failed: ${esbuild.stderr}`);
const rev = libRev ?? spawnSync("git", ["rev-parse", "--short", "HEAD"], {
  cwd: root,
  encoding: "utf8",
}).stdout.trim();
const dirty = !libRev &&
  spawnSync("git", ["status", "--porcelain", "--", "src", "mod.ts"], {
      cwd: root,
      encoding: "utf8",
    })
      .stdout.trim() !== "";
out.library = `${rev}${dirty ? " + uncommitted src changes" : ""}`;
const env = { ...process.env, GM_LIB: pathToFileURL(snapshot).href };

const failures = [];
const started = Date.now();
for (const id of runtimes) {
  const rt = RUNTIMES[id];
  if (!rt || !existsSync(rt.cmd)) {
    console.error(`skipping ${id}: not installed`);
    continue;
  }
  out.runtimes[id] = {
    label: rt.label,
    version: version(rt.cmd, ["--version"]),
    library: out.library,
    command: out.command,
    date: out.date,
  };
  for (const sc of scenarios.filter((x) => x !== "server")) {
    const script = SCRIPTS[sc];
    if (!script) throw new Error(`unknown scenario ${sc}`);
    const t0 = Date.now();
    console.error(`\n▶ ${rt.label}: ${script}`);
    const r = spawnSync(rt.cmd, [...rt.args, script, ...passOn], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 1 << 28,
      env,
      timeout: 15 * 60_000,
    });
    for (const line of (r.stdout ?? "").split("\n")) {
      if (line.startsWith("@@RESULT ")) {
        const parsed = JSON.parse(line.slice(9));
        out.results.push({
          ...parsed,
          runtime: id,
          runtimeVersion: parsed.runtime,
          // Provenance per figure: a partial run merged into results.json
          // relabels its runtimes, not the figures it did not measure.
          library: out.library,
          command: out.command,
          date: out.date,
        });
      } else if (line.trim() !== "") {
        console.error(line);
      }
    }
    if (r.status !== 0) {
      console.error(r.stderr);
      failures.push(
        `${rt.label} ${script} exited with ${r.status ?? r.signal}`,
      );
    }
    console.error(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}
if (scenarios.includes("server")) {
  // The server load test drives Bun.serve, Deno.serve and node:http itself,
  // with autocannon as the client, run by Node 24.
  const ids = runtimes.filter((r) => ["node24", "bun", "deno"].includes(r));
  const t0 = Date.now();
  console.error(`\n▶ bench/server_load.mjs: ${ids.join(", ")}`);
  const r = spawnSync(
    RUNTIMES.node24.cmd,
    ["bench/server_load.mjs", `--runtimes=${ids.join(",")}`, ...passOn],
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 1 << 28,
      env,
      timeout: 20 * 60_000,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  for (const line of (r.stdout ?? "").split("\n")) {
    if (line.startsWith("@@RESULT ")) {
      const parsed = JSON.parse(line.slice(9));
      // Its own library, command and date: a server-only run must not relabel
      // the other figures of its runtime.
      out.results.push({
        ...parsed,
        runtimeVersion: parsed.version,
        library: out.library,
        command: out.command,
        date: out.date,
      });
    }
  }
  if (r.status !== 0) {
    failures.push(`bench/server_load.mjs exited with ${r.status ?? r.signal}`);
  }
  console.error(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
out.seconds = Math.round((Date.now() - started) / 1000);

// Merge with earlier results for runtimes/scenarios not run this time, so a
// partial run (--runtimes=bun) updates only its own rows. A `--before=<rev>`
// run goes into the `before` part of results.json (merged the same way),
// which results.md shows next to the current figures; a normal run keeps it.
const jsonPath = join(root, "bench", "results.json");
const previous = existsSync(jsonPath)
  ? JSON.parse(readFileSync(jsonPath, "utf8"))
  : undefined;
const merge = (fresh, old) => {
  if (!old) return fresh;
  const seen = new Set(fresh.results.map((r) => `${r.runtime}/${r.scenario}`));
  fresh.results.push(
    ...old.results.filter((r) => !seen.has(`${r.runtime}/${r.scenario}`)),
  );
  fresh.runtimes = { ...old.runtimes, ...fresh.runtimes };
  return fresh;
};
let whole;
if (beforeRev) {
  delete out.machine;
  whole = { ...previous, before: merge(out, previous?.before) };
} else {
  const partial = runtimes.length < 3 || scenarios.length < ALL.length;
  whole = partial ? merge(out, previous) : out;
  if (previous?.before) whole.before = previous.before;
}
for (const r of whole.results) {
  if (r.scenario.startsWith("server-load") && !whole.runtimes[r.runtime]) {
    whole.runtimes[r.runtime] = {
      label: RUNTIMES[r.runtime].label,
      version: r.version,
      library: r.library,
      command: r.command,
      date: r.date,
    };
  }
}
writeFileSync(jsonPath, JSON.stringify(whole, null, 2) + "\n");
const md = renderMarkdown(whole);
writeFileSync(join(root, "bench", "results.md"), md);
writeFileSync(join(root, "bench", "chart.svg"), renderChart(whole));
console.log(md);
for (const f of failures) console.error(`FAILED: ${f}`);
if (failures.length) process.exitCode = 1;
console.error(
  `\nwrote bench/results.json, bench/results.md, bench/chart.svg in ${out.seconds} s`,
);
