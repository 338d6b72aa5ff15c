// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
// A child program for tests/keep_alive.test.ts: what holds the process while
// handleProcessSignals() listens. Usage: <runtime> tests/_keep_alive.ts MODE
//
// - finished: installs the handler and ends, without disposing it;
// - waiting: installs it, then a top-level await that only its signal settles;
// - disposed: installs and disposes it, then the same top-level await;
// - throwing: a stop that throws, with a timer holding the process;
// - onerror: the same, with an onError that logs it and then throws;
// - rescue-throwing: an onRescue that throws, with a timer holding the
//   process (the second signal exits);
// - rescue-held: the same with `exitCode: null` (no exit) and an
//   uncaughtException handler that logs what reaches it and exits with 3.

import { handleProcessSignals } from "goroutine-manager";

const mode = process.argv[2];
const rescue = mode === "rescue-throwing" || mode === "rescue-held";
if (mode === "rescue-held") {
  process.on("uncaughtException", (error) => {
    console.log(`uncaught: ${error.message}`);
    process.exit(3);
  });
}
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
    : rescue
    ? {
      onRescue: () => {
        console.log("rescue");
        throw new Error("rescue failed");
      },
      ...(mode === "rescue-held" ? { exitCode: null } : {}),
    }
    : {},
);
if (mode === "disposed") signals[Symbol.dispose]();
if (mode === "throwing" || mode === "onerror" || rescue) {
  setInterval(() => {}, 1_000);
}
console.log("ready");
if (mode === "waiting" || mode === "disposed") {
  await new Promise((resolve) =>
    signals.signal.addEventListener("abort", resolve)
  );
  console.log("stopped");
  signals[Symbol.dispose]();
}
