// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
//
// `npm run mutation`: mutation testing of src/ with StrykerJS, one Stryker run
// per group of stryker.config.mjs (some src/ files, and only the test files
// that exercise them), one group after another, then one table per src/ file:
// killed / timed out / survived / no coverage / errors / score, and the total.
// Exits 1 if a run fails or the score is below the goal (97% over src/, 90% in
// every file). Not part of `npm test` (it takes minutes).
//
// Incremental: each group keeps its results in tests/mutation/<group>.
// incremental.json (committed), so a rerun only tests mutants in code that
// changed. The command runner reports no per-test coverage, so Stryker cannot
// see a test change by itself; this script fingerprints each group's command
// and test files (tests/mutation/fingerprints.json) and reruns the whole group
// (--force) when they change.
//
// Usage: node scripts/mutation.mjs [--head] [--force] [group ...]
//          --head: in an export of HEAD, not the working tree (see fromHead)
//        node scripts/mutation.mjs --report          (the table only)
//        node scripts/mutation.mjs --check-timeouts[=N] [--limit=S] [group ...]
//          applies each timed-out mutant (or N of them per group, spread over
//          the list) to a copy of the sources and runs the group's command
//          for up to S seconds (default 60), to tell a real hang from a slow
//          run: prints whether it was still running, and its CPU time.
//
// Runs on the machine's Node (20 or newer); Stryker runs on node_modules/node24
// under `nice -n 10`.

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandOf, GROUPS, incrementalFileOf } from "../stryker.config.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const node24 = join(root, "node_modules", "node24", "bin", "node");
const stryker = join(
  root,
  "node_modules",
  "@stryker-mutator",
  "core",
  "bin",
  "stryker.js",
);
const deno = join(root, "node_modules", ".bin", "deno");
const FINGERPRINTS = "tests/mutation/fingerprints.json";
const GOAL_TOTAL = 97;
const GOAL_FILE = 90;

const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a === name || a.startsWith(`${name}=`));
const value = (name, fallback) => {
  const found = flag(name);
  return found?.includes("=") ? Number(found.split("=")[1]) : fallback;
};
const named = args.filter((a) => !a.startsWith("--"));
for (const name of named) {
  if (!Object.hasOwn(GROUPS, name)) {
    console.error(`No group ${name}: ${Object.keys(GROUPS).join(", ")}`);
    process.exit(2);
  }
}
const selected = named.length > 0 ? named : Object.keys(GROUPS);

/**
 * Every src/ file must be mutated by exactly one group: throws on a file in
 * two groups or a missing file, returns the src/ files in no group.
 */
function checkGroups() {
  const owner = new Map();
  for (const [name, group] of Object.entries(GROUPS)) {
    for (const file of group.mutate) {
      if (owner.has(file)) {
        throw new Error(`${file} is in groups ${owner.get(file)} and ${name}`);
      }
      owner.set(file, name);
    }
    for (const file of [...group.mutate, ...group.tests]) {
      if (!existsSync(join(root, file))) {
        throw new Error(`group ${name}: ${file} does not exist`);
      }
    }
  }
  return readdirSync(join(root, "src"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `src/${f}`)
    .filter((f) => !owner.has(f));
}

/**
 * The command, timeout and test files (with the tests/_*.ts helpers) of a
 * group: when they change, every mutant of the group is tested again.
 */
function fingerprint(group) {
  const hash = createHash("sha256").update(
    JSON.stringify([commandOf(group), group.timeoutMS]),
  );
  const helpers = readdirSync(join(root, "tests"))
    .filter((f) => f.startsWith("_") && f.endsWith(".ts"))
    .map((f) => `tests/${f}`);
  for (const file of [...group.tests, ...helpers].sort()) {
    hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  }
  return hash.digest("hex");
}

const readJson = (file, fallback) =>
  existsSync(join(root, file))
    ? JSON.parse(readFileSync(join(root, file), "utf8"))
    : fallback;

/**
 * Keeps the incremental file small and readable: a killed mutant's reason is
 * the first failing test, not the whole test output.
 */
function tidy(file) {
  const report = readJson(file);
  for (const { mutants } of Object.values(report.files)) {
    for (const mutant of mutants) {
      if (typeof mutant.statusReason !== "string") continue;
      const failed = mutant.statusReason.split("\n").find((line) =>
        /^\s*✖ /.test(line)
      );
      mutant.statusReason = (failed ?? mutant.statusReason).trim().slice(
        0,
        300,
      );
    }
  }
  writeFileSync(join(root, file), JSON.stringify(report, null, 2) + "\n");
  spawnSync(deno, ["fmt", "--quiet", file], { cwd: root, stdio: "inherit" });
}

/** One Stryker run; resolves with its exit code. */
function runStryker(name, force) {
  return new Promise((resolve) => {
    const child = spawn(
      "nice",
      [
        "-n",
        "10",
        node24,
        stryker,
        "run",
        "stryker.config.mjs",
        ...(force ? ["--force"] : []),
      ],
      {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, MUTATION_GROUP: name },
      },
    );
    child.on("error", (error) => {
      console.error(error);
      resolve(1);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const minutes = (ms) => `${(ms / 60_000).toFixed(1)} min`;

async function mutate() {
  const fingerprints = readJson(FINGERPRINTS, {});
  const times = [];
  let failed = false;
  for (const name of selected) {
    const group = GROUPS[name];
    const print = fingerprint(group);
    const stale = fingerprints[name] !== print;
    const force = args.includes("--force") || stale ||
      !existsSync(join(root, incrementalFileOf(name)));
    console.log(
      `\n=== group ${name}: ${group.mutate.join(" ")}\n    command: ${
        commandOf(group)
      }${
        force
          ? `\n    all mutants (${
            stale ? "its tests changed or were never run" : "--force"
          })`
          : ""
      }`,
    );
    const start = Date.now();
    const code = await runStryker(name, force);
    times.push([name, Date.now() - start, code]);
    if (code !== 0) {
      failed = true;
      console.error(`group ${name}: Stryker exited with ${code}`);
    }
    // Stryker also writes what it tested when interrupted (Ctrl-C): keep it.
    const file = join(root, incrementalFileOf(name));
    if (!existsSync(file) || statSync(file).mtimeMs < start) continue;
    tidy(incrementalFileOf(name));
    fingerprints[name] = print;
    writeFileSync(
      join(root, FINGERPRINTS),
      JSON.stringify(fingerprints, null, 2) + "\n",
    );
  }
  console.log("\nRun times:");
  for (const [name, ms, code] of times) {
    console.log(`  ${name.padEnd(20)} ${minutes(ms)}${code ? " FAILED" : ""}`);
  }
  const total = times.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`  ${"total".padEnd(20)} ${minutes(total)}`);
  return failed;
}

/** Every mutant of the groups' incremental files, by src/ file. */
function results() {
  const byFile = new Map();
  for (const [name, group] of Object.entries(GROUPS)) {
    const report = readJson(incrementalFileOf(name));
    if (!report) continue;
    for (const [file, { mutants, source }] of Object.entries(report.files)) {
      if (!group.mutate.includes(file)) continue;
      byFile.set(
        file,
        mutants.map((m) => ({ ...m, group: name, file, source })),
      );
    }
  }
  return byFile;
}

/** The survivors listed as equivalent in tests/MUTANTS.md (`file:line:col Mutator`). */
function listedEquivalents() {
  const file = join(root, "tests", "MUTANTS.md");
  if (!existsSync(file)) return new Set();
  const text = readFileSync(file, "utf8");
  return new Set(
    [...text.matchAll(/`(src\/[\w.]+\.ts:\d+:\d+) (\w+)`/g)].map((m) =>
      `${m[1]} ${m[2]}`
    ),
  );
}

const keyOf = (m) =>
  `${m.file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}`;

function report() {
  const byFile = results();
  const rows = [];
  const sum = {
    killed: 0,
    timeout: 0,
    survived: 0,
    noCoverage: 0,
    errors: 0,
  };
  const score = (c) => {
    const valid = c.killed + c.timeout + c.survived + c.noCoverage;
    return valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid;
  };
  const below = [];
  for (const [file, mutants] of [...byFile].sort()) {
    const count = (...s) => mutants.filter((m) => s.includes(m.status)).length;
    const c = {
      killed: count("Killed"),
      timeout: count("Timeout"),
      survived: count("Survived"),
      noCoverage: count("NoCoverage"),
      errors: count("CompileError", "RuntimeError"),
    };
    for (const k of Object.keys(sum)) sum[k] += c[k];
    if (score(c) < GOAL_FILE) below.push(file);
    rows.push([file, c]);
  }
  const line = (label, c) =>
    `${label.padEnd(28)} ${String(c.killed).padStart(6)} ${
      String(c.timeout).padStart(9)
    } ${String(c.survived).padStart(8)} ${String(c.noCoverage).padStart(7)} ${
      String(c.errors).padStart(6)
    } ${score(c).toFixed(1).padStart(6)}%`;
  console.log(
    `\n${"file".padEnd(28)} ${"killed".padStart(6)} ${
      "timed out".padStart(9)
    } ${"survived".padStart(8)} ${"no cov".padStart(7)} ${
      "errors".padStart(6)
    } ${"score".padStart(7)}`,
  );
  for (const [file, c] of rows) console.log(line(file, c));
  console.log(line("total", sum));

  const equivalents = listedEquivalents();
  const survivors = [...byFile.values()].flat().filter((m) =>
    m.status === "Survived" || m.status === "NoCoverage"
  );
  const unlisted = survivors.filter((m) => !equivalents.has(keyOf(m)));
  console.log(
    `\nSurvivors: ${survivors.length}, ${
      survivors.length - unlisted.length
    } of them listed as equivalent in tests/MUTANTS.md.`,
  );
  for (const m of unlisted) {
    console.log(
      `  not listed: \`${keyOf(m)}\` -> ${JSON.stringify(m.replacement)}`,
    );
  }
  if (unmutated.length > 0) {
    console.log(
      `Not in any group of stryker.config.mjs (not mutated): ${
        unmutated.join(", ")
      }`,
    );
  }
  const met = score(sum) >= GOAL_TOTAL && below.length === 0 &&
    unmutated.length === 0;
  console.log(
    met
      ? `Goal met: ${
        score(sum).toFixed(1)
      }% >= ${GOAL_TOTAL}% over src/, every file >= ${GOAL_FILE}%.`
      : `Goal NOT met: ${
        score(sum).toFixed(1)
      }% over src/ (goal ${GOAL_TOTAL}%)${
        below.length > 0 ? `; below ${GOAL_FILE}%: ${below.join(", ")}` : ""
      }.`,
  );
  return met;
}

/** Replaces a mutant's location (1-based lines and columns) in `source`. */
function applyMutant(source, { location: { start, end }, replacement }) {
  const lines = source.split("\n");
  const offset = ({ line, column }) =>
    lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  return source.slice(0, offset(start)) + replacement +
    source.slice(offset(end));
}

/** CPU seconds a process has used (Linux /proc), or NaN. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Runs `argv` in `cwd` for at most `limit` seconds. */
function runFor(argv, cwd, limit) {
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    // The end of its output: the failing test (scripts/mutation_reporter.mjs).
    let output = "";
    const keep = (chunk) => output = (output + chunk).slice(-2000);
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let cpu = NaN;
    const timer = setTimeout(() => {
      cpu = cpuSeconds(child.pid);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, limit * 1000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const last = output.trim().split("\n").at(-1) ?? "";
      resolve({
        code,
        signal,
        seconds: (Date.now() - start) / 1000,
        cpu,
        last: last.slice(0, 240),
      });
    });
  });
}

async function checkTimeouts() {
  const limit = value("--limit", 60);
  const perGroup = value("--check-timeouts", Infinity);
  const byFile = results();
  let hung = 0;
  let finished = 0;
  for (const name of selected) {
    const group = GROUPS[name];
    const timeouts = group.mutate.flatMap((file) =>
      (byFile.get(file) ?? []).filter((m) => m.status === "Timeout")
    );
    const step = Math.max(1, timeouts.length / perGroup);
    const sample = [];
    for (let i = 0; i < timeouts.length; i += step) {
      sample.push(timeouts[Math.floor(i)]);
    }
    console.log(
      `\n=== group ${name}: ${sample.length} of ${timeouts.length} timed-out mutants, up to ${limit} s each`,
    );
    for (const mutant of sample) {
      const dir = mkdtempSync(join(tmpdir(), "mutant-"));
      try {
        for (const entry of ["src", "tests", "examples", "scripts"]) {
          cpSync(join(root, entry), join(dir, entry), { recursive: true });
        }
        for (const entry of ["mod.ts", "package.json", "deno.json"]) {
          cpSync(join(root, entry), join(dir, entry));
        }
        symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
        // The source the mutant was made from (the tree may have moved on).
        const file = join(dir, mutant.file);
        if (readFileSync(file, "utf8") !== mutant.source) {
          console.log(
            `  (${mutant.file} changed since the run: using its source then)`,
          );
        }
        writeFileSync(file, applyMutant(mutant.source, mutant));
        const r = await runFor(
          ["sh", "-c", `exec nice -n 10 ${commandOf(group)}`],
          dir,
          limit,
        );
        const what = r.code === null && r.signal === "SIGKILL"
          ? `HANGS: still running after ${limit} s, ${
            r.cpu.toFixed(1)
          } s of CPU (${r.cpu > limit / 4 ? "busy loop" : "idle, waiting"})`
          : `finished in ${
            r.seconds.toFixed(1)
          } s, exit code ${r.code}: ${r.last}`;
        if (r.code === null && r.signal === "SIGKILL") hung++;
        else finished++;
        console.log(
          `  ${keyOf(mutant)} -> ${
            JSON.stringify(mutant.replacement)
          }: ${what}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(`\nHung: ${hung}, finished: ${finished}.`);
  return finished === 0;
}

/**
 * --head: runs this script, as committed, in an export of HEAD (so that
 * uncommitted edits in the tree cannot leak into the results), then copies the
 * incremental files and fingerprints back.
 */
async function fromHead() {
  const dir = mkdtempSync(join(tmpdir(), "mutation-head-"));
  try {
    const archive = spawnSync(
      "sh",
      ["-c", `git archive HEAD | tar -x -C '${dir}'`],
      { cwd: root, stdio: "inherit" },
    );
    if (archive.status !== 0) throw new Error("git archive HEAD failed");
    // A directory of links (Stryker links a real node_modules into its sandbox).
    mkdirSync(join(dir, "node_modules"));
    for (const entry of readdirSync(join(root, "node_modules"))) {
      symlinkSync(
        join(root, "node_modules", entry),
        join(dir, "node_modules", entry),
      );
    }
    // The latest results, committed or not, are where the run goes on from.
    const results = join(root, "tests", "mutation");
    if (existsSync(results)) {
      cpSync(results, join(dir, "tests", "mutation"), { recursive: true });
    }
    const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: root,
      encoding: "utf8",
    }).stdout.trim();
    console.log(`Mutation testing HEAD (${head}) in ${dir}`);
    // Ctrl-C reaches the child too; wait for it to save what it tested.
    const ignore = () => {};
    process.on("SIGINT", ignore);
    const code = await new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          join(dir, "scripts", "mutation.mjs"),
          ...args.filter((a) => a !== "--head"),
        ],
        { cwd: dir, stdio: "inherit" },
      );
      child.on("exit", (code) => resolve(code ?? 1));
    });
    process.off("SIGINT", ignore);
    // Back: the results of the groups that ran (others may have run
    // meanwhile), and their fingerprints merged into the tree's.
    const ran = named.length > 0 ? named : Object.keys(GROUPS);
    mkdirSync(join(root, "tests", "mutation"), { recursive: true });
    for (const name of ran) {
      const file = incrementalFileOf(name);
      if (existsSync(join(dir, file))) {
        cpSync(join(dir, file), join(root, file));
      }
    }
    const theirs = existsSync(join(dir, FINGERPRINTS))
      ? JSON.parse(readFileSync(join(dir, FINGERPRINTS), "utf8"))
      : {};
    const ours = readJson(FINGERPRINTS, {});
    for (const name of ran) {
      if (Object.hasOwn(theirs, name)) ours[name] = theirs[name];
    }
    writeFileSync(
      join(root, FINGERPRINTS),
      JSON.stringify(ours, null, 2) + "\n",
    );
    return code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (flag("--head")) process.exit(await fromHead());

// Stryker and --check-timeouts copy the working tree: say if it is not HEAD.
const dirty = spawnSync(
  "git",
  ["status", "--porcelain", "--", "src", "tests", "mod.ts"],
  { cwd: root, encoding: "utf8" },
).stdout?.trim();
if (dirty) {
  console.log(
    `Note: uncommitted changes in src/ or tests/ are part of this run (--head runs on HEAD):\n${dirty}`,
  );
}

let unmutated;
try {
  unmutated = checkGroups();
} catch (error) {
  console.error(`stryker.config.mjs: ${error.message}`);
  process.exit(2);
}
if (flag("--check-timeouts")) {
  process.exit((await checkTimeouts()) ? 0 : 1);
}
const failed = flag("--report") ? false : await mutate();
const met = report();
process.exit(failed || !met ? 1 : 0);
