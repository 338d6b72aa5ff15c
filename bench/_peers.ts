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
export { GoroutineManager } from "../mod.ts";
