// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The scenario of the Go README, section 5 ("Handling Dependencies Between
// Goroutines"): a "firecracker" resource must not shut down before the
// "hypervisor" has stopped and its in-flight "resume" operations have drained;
// a second interrupt (the rescue context) cuts the wait short. Written once
// with dependentSignal() as the Go proxy context, once with ShutdownCascade,
// and once as examples/cascade.ts, a child process sent real signals.
// Only the order of events is asserted, never times.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  dependentSignal,
  GoroutineManager,
  ShutdownCascade,
} from "goroutine-manager";
import { aborted, countListeners, tick } from "./_helpers.ts";
import { RUNTIME, withExample } from "./_child.ts";

/** An in-flight resume operation that ends when the test says so. */
function startResume(
  events: string[],
  resumes: GoroutineManager,
  id: number,
): PromiseWithResolvers<void> {
  const done = Promise.withResolvers<void>();
  resumes.startForegroundGoroutine(async () => {
    await done.promise;
    events.push(`resume ${id} done`);
  });
  return done;
}

test("seed scenario with dependentSignal(): firecracker stops only after the hypervisor stopped and resumes drained", async () => {
  const events: string[] = [];
  const rescue = new AbortController(); // Go: rescueCtx, the second interrupt
  const onRescue = countListeners(rescue.signal);
  const hypervisor = new GoroutineManager(); // Go: hypervisorCtx
  const resumes = new GoroutineManager(); // Go: ongoingResumeWg
  hypervisor.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    events.push("hypervisor stopped");
  });
  const resume1 = startResume(events, resumes, 1);
  const resume2 = startResume(events, resumes, 2);

  // Go: firecrackerCtx, cancelled after <-hypervisorCtx.Done() and
  // ongoingResumeWg.Wait(), or by its rescueCtx parent.
  const firecrackerSignal = dependentSignal(hypervisor.signal, {
    after: [() => resumes.wait()],
    rescue: rescue.signal,
  });
  const firecracker = new GoroutineManager();
  firecracker.startForegroundGoroutine(async () => {
    await aborted(firecrackerSignal);
    events.push("firecracker stopped");
  });

  hypervisor.stopAllGoroutines(); // the first interrupt
  await hypervisor.wait();
  await tick();
  assert.deepEqual(events, ["hypervisor stopped"]);
  assert.equal(firecrackerSignal.aborted, false, "two resumes are in flight");

  resume1.resolve();
  await tick();
  assert.deepEqual(events, ["hypervisor stopped", "resume 1 done"]);
  assert.equal(firecrackerSignal.aborted, false, "one resume is in flight");

  resume2.resolve();
  await firecracker.wait();
  assert.deepEqual(events, [
    "hypervisor stopped",
    "resume 1 done",
    "resume 2 done",
    "firecracker stopped",
  ]);
  assert.equal(
    firecrackerSignal.reason,
    hypervisor.getErrGoroutineStopped(),
  );
  assert.equal(onRescue.count, 0, "no listener is left on the rescue signal");
  assert.deepEqual(
    [hypervisor.error, resumes.error, firecracker.error],
    [undefined, undefined, undefined],
  );
});

test("seed scenario with dependentSignal(): a second interrupt cuts the drain short", async () => {
  const events: string[] = [];
  const rescue = new AbortController();
  const onRescue = countListeners(rescue.signal);
  const hypervisor = new GoroutineManager();
  const resumes = new GoroutineManager();
  hypervisor.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    events.push("hypervisor stopped");
  });
  const stuck = startResume(events, resumes, 1);
  const firecrackerSignal = dependentSignal(hypervisor.signal, {
    after: [() => resumes.wait()],
    rescue: rescue.signal,
  });
  const firecracker = new GoroutineManager();
  firecracker.startForegroundGoroutine(async () => {
    await aborted(firecrackerSignal);
    events.push(
      firecrackerSignal.reason === rescue.signal.reason
        ? "firecracker killed"
        : "firecracker stopped",
    );
  });

  hypervisor.stopAllGoroutines();
  await hypervisor.wait();
  await tick();
  assert.deepEqual(events, ["hypervisor stopped"]);

  const secondInterrupt = new Error("second interrupt");
  rescue.abort(secondInterrupt);
  assert.equal(firecrackerSignal.aborted, true, "at once");
  assert.equal(firecrackerSignal.reason, secondInterrupt);
  await firecracker.wait();
  assert.deepEqual(events, ["hypervisor stopped", "firecracker killed"]);
  assert.equal(onRescue.count, 0);

  stuck.resolve(); // the resume ends late; nothing waits for it any more
  await resumes.wait();
  assert.deepEqual(events, [
    "hypervisor stopped",
    "firecracker killed",
    "resume 1 done",
  ]);
});

test("seed scenario with ShutdownCascade: hypervisor and its resumes drain before firecracker stops", async () => {
  const events: string[] = [];
  const app = new ShutdownCascade();
  const firecracker = app.add("firecracker");
  const hypervisor = app.add("hypervisor", { dependsOn: ["firecracker"] });
  firecracker.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    events.push("firecracker stopped");
  });
  hypervisor.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    events.push("hypervisor stopped");
  });
  const resume1 = startResume(events, hypervisor, 1);
  const resume2 = startResume(events, hypervisor, 2);

  app.stop(); // the first interrupt
  await tick();
  assert.deepEqual(events, ["hypervisor stopped"]);
  assert.equal(firecracker.signal.aborted, false);
  resume2.resolve();
  await tick();
  assert.equal(firecracker.signal.aborted, false, "resume 1 is in flight");
  resume1.resolve();
  await app.wait();
  assert.deepEqual(events, [
    "hypervisor stopped",
    "resume 2 done",
    "resume 1 done",
    "firecracker stopped",
  ]);
  assert.equal(app.error, undefined);
});

test("seed scenario with ShutdownCascade: a second interrupt stops firecracker at once", async () => {
  const events: string[] = [];
  const rescue = new AbortController();
  const app = new ShutdownCascade({ rescue: rescue.signal });
  const firecracker = app.add("firecracker");
  const hypervisor = app.add("hypervisor", { dependsOn: ["firecracker"] });
  firecracker.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    events.push("firecracker stopped");
  });
  const stuck = startResume(events, hypervisor, 1);

  app.stop();
  await tick();
  assert.equal(firecracker.signal.aborted, false);
  rescue.abort(new Error("second interrupt"));
  assert.equal(firecracker.signal.aborted, true, "at once");
  await app.wait();
  assert.deepEqual(events, ["firecracker stopped"]);
  assert.deepEqual(app.errors.map((error) => error.message), [
    `Shutdown cascade was cut short before "hypervisor" drained`,
  ]);
  stuck.resolve();
  await hypervisor.wait();
});

test(`examples/cascade.ts on ${RUNTIME}: one SIGINT stops api, hypervisor and its resumes, then firecracker`, async () => {
  await withExample("cascade.ts", ["200"], async (child) => {
    await child.line(/^ready/);
    await child.line(/^resume 1: started/);
    child.kill("SIGINT");
    assert.deepEqual(
      await child.exited,
      { code: 0, signal: null },
      child.stderr,
    );
    const lines = child.lines.filter((line) => line !== "");
    const at = (line: string): number => {
      const index = lines.indexOf(line);
      assert.notEqual(index, -1, `missing ${JSON.stringify(line)}`);
      return index;
    };
    const stopping = at(
      "SIGINT: shutting down in order (send it again to hurry)",
    );
    const api = at("api: stopped taking requests");
    const hypervisor = at("hypervisor: stopped, resumes in flight drain");
    const firecracker = at("firecracker: VM stopped");
    assert.ok(stopping < api && api < hypervisor && hypervisor < firecracker);
    // Every resume that started has finished before firecracker stopped.
    const started = lines.filter((line) => / started$/.test(line));
    assert.ok(started.length > 0);
    for (const line of started) {
      assert.ok(at(line.replace("started", "done")) < firecracker, line);
    }
    assert.deepEqual(lines.slice(firecracker + 1), ["stopped in order"]);
  });
});

test(`examples/cascade.ts on ${RUNTIME}: a second SIGINT stops firecracker without waiting for the resumes`, async () => {
  await withExample("cascade.ts", ["60000"], async (child) => {
    await child.line(/^ready/);
    child.kill("SIGINT");
    await child.line(/^hypervisor: stopped/);
    child.kill("SIGINT");
    assert.deepEqual(
      await child.exited,
      { code: 1, signal: null },
      child.stderr,
    );
    const lines = child.lines.filter((line) => line !== "");
    const rescue = lines.indexOf("SIGINT: stopping everything at once");
    assert.notEqual(rescue, -1);
    assert.ok(rescue < lines.indexOf("firecracker: VM stopped"));
    assert.equal(lines.some((line) => / done$/.test(line)), false);
    assert.match(
      child.stderr,
      /shutdown was not clean: Shutdown cascade was cut short before "hypervisor" drained/,
    );
  });
});
