// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// The disposal half of the consumer check (tsconfig.esnext.json only): with
// `esnext.disposable` in the lib, a manager is `AsyncDisposable` and a
// collector `Disposable`, so `await using` and `using` type-check.

import { GoroutineManager, type PanicCollector } from "goroutine-manager";

export async function scoped(): Promise<void> {
  await using manager = new GoroutineManager();
  using collector = manager.createForegroundPanicCollector();
  manager.startForegroundGoroutine(async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
  });
  const asyncDisposable: AsyncDisposable = manager;
  const disposable: Disposable = collector;
  const disposed: Promise<void> = manager[Symbol.asyncDispose]();
  const collectorDispose: () => void =
    (collector satisfies PanicCollector)[Symbol.dispose];
  void [asyncDisposable, disposable, disposed, collectorDispose];
}
