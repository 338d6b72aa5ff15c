// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// A dedicated module Worker with its own manager (checks.mjs starts it): the
// page drives it through postMessage and gets its state back the same way.
//
//   { type: "start", fail? } -> { type: "started", pending }
//       a foreground and a background task that wait for the stop; with
//       `fail`, a third task that throws after 5 ms
//   { type: "stop" }         -> report after stopAllGoroutines() and wait()
//   { type: "wait" }         -> report after wait()
//
// A report: { type, reasonIsOwn, errors (messages), state, pending, reported }.

import { aborted, describe, sleep } from "../workerd/_check.mjs";

// Workers have no import maps: the bundle the runner serves is imported by its
// URL (computed, as it is no file next to this one).
const { GoroutineManager } = await import(
  new URL("/goroutine-manager.mjs", location.href).href
);

/** Errors reported on the worker's global scope. */
const reported = [];
addEventListener("error", (event) => {
  reported.push(`error: ${describe(event.error ?? event.message)}`);
});
addEventListener("unhandledrejection", (event) => {
  reported.push(`unhandledrejection: ${describe(event.reason)}`);
});

let manager;
let state;

function start(fail) {
  manager = new GoroutineManager();
  state = { foreground: "running", background: "running" };
  manager.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    state.foreground = "stopped";
    signal.throwIfAborted();
  });
  manager.startBackgroundGoroutine(async (signal) => {
    await aborted(signal);
    state.background = "stopped";
    throw signal.reason;
  });
  if (fail) {
    manager.startForegroundGoroutine(async () => {
      await sleep(5);
      throw new Error("worker failure");
    });
  }
}

async function report(type) {
  await manager.wait();
  await sleep(0); // the background task's last turn
  return {
    type,
    reasonIsOwn: manager.signal.reason === manager.getErrGoroutineStopped(),
    errors: manager.errors.map((error) => error.message),
    state,
    pending: manager.pending,
    reported: reported.slice(),
  };
}

addEventListener("message", async ({ data }) => {
  switch (data.type) {
    case "start":
      start(data.fail === true);
      postMessage({ type: "started", pending: manager.pending });
      break;
    case "stop":
      manager.stopAllGoroutines();
      postMessage(await report("stopped"));
      break;
    case "wait":
      postMessage(await report("waited"));
      break;
    default:
      postMessage({ type: "unknown", got: describe(data) });
  }
});

postMessage({ type: "ready" });
