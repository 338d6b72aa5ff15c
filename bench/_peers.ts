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
