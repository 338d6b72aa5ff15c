// deno-lint-ignore-file no-console no-explicit-any
// (a benchmark script: it prints its results and drives peers' loosely typed APIs)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// A tiny cross-runtime benchmark loop (Deno, Bun, Node 22/24). Every case of a
// scenario is measured in the same process, interleaved (the order rotates each
// round), after warm-up rounds, with a forced GC before each sample when the
// runtime exposes one. A case's figure is the median over rounds of
// (its time / the baseline's time in the same round): a ratio, never a time.

export interface Case {
  /** Shown in the table. */
  name: string;
  /** One sample: runs the whole scenario once (for example N tasks + wait). */
  run: (state: unknown) => unknown;
  /**
   * For very slow peers: sample only every `every`-th round (default 1), so
   * they still run interleaved with the baseline without dominating run time.
   */
  every?: number;
  /** Batches per sample for this case (default: the scenario's). */
  batches?: number;
  /** Extra text for the table (for example "not comparable: …"). */
  note?: string;
  /**
   * Times only part of a sample: `setup` runs untimed, then `run` receives
   * its result and is timed.
   */
  setup?: () => unknown;
  teardown?: (state: unknown) => unknown;
}

export interface CaseResult {
  name: string;
  /** Median of per-round ratios to the baseline. */
  ratio: number;
  /** 25th / 75th percentile of the per-round ratios. */
  p25: number;
  p75: number;
  samples: number;
  /** Median time of one batch (N tasks) in ms (informative only, never a target). */
  medianMs: number;
  note?: string;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  runtime: string;
  n: number;
  baseline: string;
  rounds: number;
  cases: CaseResult[];
}

export function runtimeName(): string {
  const g = globalThis as Record<string, any>;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${g.process.versions.node}`;
}

/** Forces a full GC if the runtime lets us; returns whether it could. */
export function gc(): boolean {
  const g = globalThis as Record<string, any>;
  if (typeof g.gc === "function") {
    g.gc();
    return true;
  }
  if (g.Bun) {
    g.Bun.gc(true);
    return true;
  }
  return false;
}

export function arg(name: string, fallback: number): number {
  const g = globalThis as Record<string, any>;
  const argv: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
  const env = g.Deno
    ? g.Deno.env.get(name.toUpperCase())
    : g.process.env[name.toUpperCase()];
  for (const a of argv) {
    if (a.startsWith(`--${name}=`)) return Number(a.slice(name.length + 3));
  }
  if (env !== undefined && env !== "") return Number(env);
  return fallback;
}

export function flag(name: string): boolean {
  const g = globalThis as Record<string, any>;
  const argv: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
  return argv.includes(`--${name}`);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const now = () => performance.now();

/**
 * `--gc-each` forces a full GC before every sample. Off by default: a forced
 * GC shrinks V8's young generation, so the next sample pays extra scavenges
 * that a long-running server never pays (measured: it made the library and the
 * hand-rolled pattern look ×1.4 slower than a bare Promise.all on Node 24, but
 * ×0.7 without it). Steady state, with the GC cost of each case amortised
 * inside its own samples, is what a server sees.
 */
const GC_EACH = flag("gc-each");

async function sample(c: Case, batches: number): Promise<number> {
  if (GC_EACH) gc();
  const run = c.run as (s: unknown) => unknown;
  let t = 0;
  for (let b = 0; b < batches; b++) {
    let state: unknown;
    if (c.setup) {
      state = await c.setup();
      // The setup leaves N live tasks in the young generation: collect now so
      // that the timed part does not pay for promoting them (a scavenge that
      // happens to fall into one case's sample and not into another's).
      gc();
    }
    const t0 = now();
    const r = run(state);
    if (r !== undefined && typeof (r as Promise<unknown>).then === "function") {
      await r;
    }
    t += now() - t0;
    if (c.teardown) await c.teardown(state);
  }
  return t;
}

/**
 * Measures `cases` against `cases[0]` (the baseline) and prints one line
 * `@@RESULT {json}` for the orchestrator (bench/run.mjs), plus a readable table.
 */
export async function scenario(
  id: string,
  title: string,
  n: number,
  cases: Case[],
  {
    rounds = arg("rounds", 15),
    warmup = arg("warmup", 3),
    batches = arg("batches", 4),
  }: { rounds?: number; warmup?: number; batches?: number } = {},
): Promise<ScenarioResult> {
  // Some peers (effection) start work in a way that does not keep Node's event
  // loop alive: hold it open until the scenario ends.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const baseline = cases[0]!;
  const ratios: number[][] = cases.map(() => []);
  const times: number[][] = cases.map(() => []);
  const contenders = cases.map((_, i) => i).slice(1);
  for (let round = -warmup; round < rounds; round++) {
    // Rotate the order so no case always runs first or right after another,
    // and pair every contender sample with an adjacent baseline sample (their
    // order alternates): the ratio compares two runs a few ms apart, so load
    // from other processes drifts both the same way.
    const shift = ((round % contenders.length) + contenders.length) %
      contenders.length;
    const rotated = contenders.slice(shift).concat(contenders.slice(0, shift));
    for (const i of rotated) {
      const c = cases[i]!;
      const every = c.every ?? 1;
      if (round >= 0 && round % every !== 0) continue;
      if (round < 0 && every > 1 && round !== -1) continue;
      const cb = c.batches ?? batches;
      let tb: number;
      let tc: number;
      if ((round + i) % 2 === 0) {
        tb = (await sample(baseline, batches)) / batches;
        tc = (await sample(c, cb)) / cb;
      } else {
        tc = (await sample(c, cb)) / cb;
        tb = (await sample(baseline, batches)) / batches;
      }
      if (round < 0) continue;
      times[0]!.push(tb);
      ratios[0]!.push(1);
      times[i]!.push(tc);
      ratios[i]!.push(tc / tb);
    }
  }
  clearInterval(keepAlive);
  const result: ScenarioResult = {
    scenario: id,
    title,
    runtime: runtimeName(),
    n,
    baseline: baseline.name,
    rounds,
    cases: cases.map((c, i) => {
      const r = ratios[i]!.slice().sort((a, b) => a - b);
      const tm = times[i]!.slice().sort((a, b) => a - b);
      const out: CaseResult = {
        name: c.name,
        ratio: quantile(r, 0.5),
        p25: quantile(r, 0.25),
        p75: quantile(r, 0.75),
        samples: r.length,
        medianMs: quantile(tm, 0.5),
      };
      if (c.note !== undefined) out.note = c.note;
      return out;
    }),
  };
  report(result);
  return result;
}

export function report(result: unknown): void {
  const r = result as ScenarioResult;
  if (Array.isArray(r.cases)) {
    console.log(`\n${r.title} — ${r.runtime}, N = ${r.n}, ${r.rounds} rounds`);
    for (const c of r.cases) {
      console.log(
        `  ${c.name.padEnd(46)} ×${c.ratio.toFixed(2).padStart(7)}  [${
          c.p25.toFixed(2)
        }–${c.p75.toFixed(2)}]  ${
          c.medianMs.toFixed(2)
        } ms/batch  (${c.samples})`,
      );
    }
  }
  console.log(`@@RESULT ${JSON.stringify(result)}`);
}
