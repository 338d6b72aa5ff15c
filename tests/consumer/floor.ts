// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// A consumer of the packed npm package, type-checked by `npm run check`
// against its .d.ts on the floor (tsconfig.floor.json: `lib: ["es2022",
// "dom"]`, no @types, full lib checking) and with `lib: ["esnext"]`
// (tsconfig.esnext.json). It is only type-checked, never run.

import {
  type Goroutine,
  GoroutineManager,
  type GoroutineManagerHooks,
  type GoroutineManagerOptions,
  GoroutineStoppedError,
  type PanicCollector,
} from "goroutine-manager";

const hooks: GoroutineManagerHooks = {
  onAfterRecover: (error: Error): void => {
    void error.message;
  },
};
const options: GoroutineManagerOptions = {
  signal: new AbortController().signal,
  hooks,
};
const manager: GoroutineManager = new GoroutineManager(options);

const task: Goroutine = async (signal: AbortSignal): Promise<void> => {
  await Promise.resolve();
  signal.throwIfAborted();
};
manager.startForegroundGoroutine(task);
manager.startBackgroundGoroutine((signal) => signal.aborted);

const foreground: PanicCollector = manager.createForegroundPanicCollector();
const wrapped: (id: number, name: string) => void = foreground.wrap(
  (id: number, name: string): Promise<string> =>
    Promise.resolve(`${id} ${name}`),
);
wrapped(1, "one");
const background: PanicCollector = manager.createBackgroundPanicCollector();
background.collect(new Error("failed"));
const pending: number = manager.pending;

manager.stopAllGoroutines();
const waited: Promise<void> = manager.wait();
const signal: AbortSignal = manager.signal;
const errors: readonly Error[] = manager.errors;
const error: Error | undefined = manager.error;
const stopped: Error = manager.getErrGoroutineStopped();
const isStop: boolean = signal.reason instanceof GoroutineStoppedError &&
  new GoroutineStoppedError().name === stopped.name;

export { error, errors, isStop, pending, waited };
