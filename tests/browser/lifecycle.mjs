// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// The page lifecycle stopping a manager, as the README suggests for browsers
// (lifecycle.html?mode=pagehide | visibility). scripts/browser_tests.mjs
// drives the real lifecycle:
//
// - mode=visibility: the runner freezes the page through the DevTools protocol
//   (Page.setWebLifecycleState "frozen", then "active"); Chromium hides it
//   first, which fires `visibilitychange` with visibilityState "hidden". The
//   runner then reads `await lifecycle.report()`.
// - mode=pagehide: the runner navigates away; `pagehide` fires on this
//   document, and the page reports through navigator.sendBeacon("/beacon"):
//   once right after the stop (moment "sync") and once after wait()
//   ("waited"), both before the document is gone.

import { GoroutineManager } from "goroutine-manager";
import { aborted, describe, within } from "../workerd/_check.mjs";

const mode = new URL(location.href).searchParams.get("mode");

/** Errors reported on the page's global scope. */
const reported = [];
addEventListener("error", (event) => {
  reported.push(`error: ${describe(event.error ?? event.message)}`);
});
addEventListener("unhandledrejection", (event) => {
  reported.push(`unhandledrejection: ${describe(event.reason)}`);
});

const manager = new GoroutineManager();
const state = { foreground: "running", background: "running" };
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

// The pattern under test, as an application writes it.
if (mode === "pagehide") {
  addEventListener("pagehide", () => manager.stopAllGoroutines());
} else {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") manager.stopAllGoroutines();
  });
}

/** The lifecycle events seen, in order (listeners added after the stop's). */
const events = [];
const note = (event) =>
  events.push(
    `${event.type}${
      event.persisted === undefined ? "" : ` persisted=${event.persisted}`
    } (${document.visibilityState})`,
  );
addEventListener("pagehide", note);
document.addEventListener("visibilitychange", note);

function report(moment) {
  return {
    mode,
    moment,
    events: events.slice(),
    aborted: manager.signal.aborted,
    reasonIsOwn: manager.signal.reason === manager.getErrGoroutineStopped(),
    errors: manager.errors.map((error) => error.message),
    state: { ...state },
    pending: manager.pending,
    reported: reported.slice(),
  };
}

if (mode === "pagehide") {
  addEventListener("pagehide", () => {
    const beacon = (moment) =>
      navigator.sendBeacon(
        `/beacon?moment=${moment}`,
        JSON.stringify(report(moment)),
      );
    beacon("sync");
    // Microtasks still run after each listener, before the document goes.
    manager.wait().then(() => Promise.resolve()).then(() => beacon("waited"));
  });
}

globalThis.lifecycle = {
  mode,
  /** Waits for the manager (it must have been stopped) and reports. */
  report: async () => {
    await within(2000, manager.wait(), "wait()");
    await new Promise((resolve) => setTimeout(resolve, 0));
    return report("waited");
  },
};
