// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
// A child program for tests/keep_alive.test.ts: what holds the process while
// handleProcessSignals() listens. Usage: <runtime> tests/_keep_alive.ts MODE
//
// - finished: installs the handler and ends, without disposing it;
// - waiting: installs it, then a top-level await that only its signal settles;
// - disposed: installs and disposes it, then the same top-level await;
// - throwing: a stop that throws, with a timer holding the process;
// - onerror: the same, with an onError that logs it and then throws.

import { handleProcessSignals } from "goroutine-manager";

const mode = process.argv[2];
const signals = handleProcessSignals(
  () => {
    console.log("stop");
    if (mode === "throwing" || mode === "onerror") {
      throw new Error("stop failed");
    }
  },
  mode === "onerror"
    ? {
      onError: (error) => {
        console.log(`onError: ${error.message}`);
        throw new Error("onError failed");
      },
    }
    : {},
);
if (mode === "disposed") signals[Symbol.dispose]();
if (mode === "throwing" || mode === "onerror") setInterval(() => {}, 1_000);
console.log("ready");
if (mode === "waiting" || mode === "disposed") {
  await new Promise((resolve) =>
    signals.signal.addEventListener("abort", resolve)
  );
  console.log("stopped");
  signals[Symbol.dispose]();
}
