// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console

// The Go README's shutdown cascade (section 5) as a running program: an "api"
// that sends "resume" operations to a "hypervisor", which runs on
// "firecracker". On the first Ctrl-C (SIGINT) or SIGTERM they stop in order:
// the api stops taking requests, the hypervisor stops and its resumes drain,
// and only then is firecracker stopped. A second signal, or the 5 s deadline,
// cuts the drain short and stops everything at once. The same file runs on
// Deno, Bun and Node:
//
//   deno run examples/cascade.ts [resume-ms]
//   bun examples/cascade.ts [resume-ms]
//   node examples/cascade.ts [resume-ms]
//
// Each resume takes `resume-ms` (default 1500) to finish.

import { handleProcessSignals, ShutdownCascade } from "goroutine-manager";

const resumeMs = Number(process.argv[2] ?? 1500);

const rescue = new AbortController(); // the second Ctrl-C, or the deadline
const app = new ShutdownCascade({ rescue: rescue.signal });
let deadline: ReturnType<typeof setTimeout> | undefined;
const signals = handleProcessSignals((name) => {
  console.log(`${name}: shutting down in order (send it again to hurry)`);
  app.stop();
  deadline = setTimeout(() => {
    console.log("deadline: stopping everything at once");
    rescue.abort(new DOMException("Shutdown took over 5 s", "TimeoutError"));
  }, 5000);
}, {
  exitCode: null, // let the cascade stop everything, then exit below
  onRescue: (name) => {
    console.log(`${name}: stopping everything at once`);
    rescue.abort(new Error(`second ${name}`));
  },
});

const firecracker = app.add("firecracker");
const hypervisor = app.add("hypervisor", { dependsOn: ["firecracker"] });
const api = app.add("api", { dependsOn: ["hypervisor"] });

firecracker.startForegroundGoroutine(async (signal) => {
  console.log("firecracker: VM running");
  await sleep(Infinity, signal);
  console.log("firecracker: VM stopped");
});

hypervisor.startForegroundGoroutine(async (signal) => {
  await sleep(Infinity, signal);
  console.log("hypervisor: stopped, resumes in flight drain");
});

api.startForegroundGoroutine(async (signal) => {
  for (let id = 1; !signal.aborted; id++) {
    // Each request starts a resume that the hypervisor tracks until it ends.
    hypervisor.startForegroundGoroutine(async () => {
      console.log(`resume ${id}: started`);
      await sleep(resumeMs);
      console.log(`resume ${id}: done`);
    });
    await sleep(500, signal);
  }
  console.log("api: stopped taking requests");
});

console.log("ready: press Ctrl-C to stop");
await app.wait();
clearTimeout(deadline);
signals[Symbol.dispose](); // a Ctrl-C from now on gets the default exit
if (app.error !== undefined) {
  console.error(`shutdown was not clean: ${app.error.message}`);
  process.exit(1);
}
console.log("stopped in order");

/** Resolves after `ms` milliseconds, or as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = ms === Infinity ? undefined : setTimeout(done, ms);
    if (signal?.aborted) return done();
    signal?.addEventListener("abort", done);
  });
}
