// deno-lint-ignore-file no-explicit-any
// (a benchmark script: it prints its results and drives peers' loosely typed APIs)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// The peers every scenario compares against. They are devDependencies only.

export { spawn as acxSpawn } from "abort-controller-x";
export { Effect, Exit, Fiber } from "effect";
export {
  call as effectionCall,
  run as effectionRun,
  spawn as effectionSpawn,
  suspend as effectionSuspend,
} from "effection";
export { default as pLimit } from "p-limit";

// The library under test: ../mod.ts, or the snapshot that `npm run bench`
// bundles once at its start (GM_LIB), so that every runtime measures the same
// code even while src/ is being edited.
const g = globalThis as Record<string, any>;
const snapshot: string | undefined = g.Deno
  ? g.Deno.env.get("GM_LIB")
  : g.process?.env.GM_LIB;
const lib: typeof import("../mod.ts") = snapshot
  ? await import(snapshot)
  : await import("../mod.ts");
export const GoroutineManager: typeof import("../mod.ts").GoroutineManager =
  lib.GoroutineManager;
export type GoroutineManager = import("../mod.ts").GoroutineManager;
export const GoroutineLimiter: typeof import("../mod.ts").GoroutineLimiter =
  lib.GoroutineLimiter;
export const mapGoroutines: typeof import("../mod.ts").mapGoroutines =
  lib.mapGoroutines;

/** What {@linkcode handRolled} returns. */
export interface HandRolled {
  controller: AbortController;
  errors: unknown[];
  /** Resolves when all n tasks have settled. */
  done: Promise<void>;
}

/**
 * The hand-rolled pattern people write instead of a library: one
 * AbortController, an async wrapper with try/catch per task, a counter.
 * Starts `n` tasks at once.
 */
export function handRolled(
  n: number,
  task: (signal: AbortSignal) => Promise<unknown>,
): HandRolled {
  const controller = new AbortController();
  const signal = controller.signal;
  const errors: unknown[] = [];
  let pending = n;
  const { promise, resolve } = Promise.withResolvers<void>();
  const go = async () => {
    try {
      await task(signal);
    } catch (error) {
      errors.push(error);
      controller.abort(error);
    } finally {
      if (--pending === 0) resolve();
    }
  };
  for (let i = 0; i < n; i++) go();
  return { controller, errors, done: promise };
}
