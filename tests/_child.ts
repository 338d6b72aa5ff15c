// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Test helpers for example programs run as child processes with the current
// runtime: read their output line by line, send them signals, and never let
// one outlive its test (a guard timer kills it, and is cleared).

import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The runtime running the tests. */
export const RUNTIME: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** The repository root, where the examples live. */
export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..");

/** How a child ended. */
export interface Exit {
  code: number | null;
  signal: string | null;
}

/** A running example program. */
export interface Child {
  /** Every stdout line so far. */
  readonly lines: readonly string[];
  /** Resolves with the first stdout line (from the start) that matches. */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves once `count` stdout lines have matched `pattern`. */
  linesMatching(pattern: RegExp, count: number): Promise<void>;
  /** Sends a signal. */
  kill(signal: "SIGINT" | "SIGTERM"): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Everything written to stderr so far. */
  readonly stderr: string;
}

/**
 * Runs `examples/<file>` with the current runtime , calls `body` with it, and always reaps it:
 * a guard timer of `guardMs` kills it with SIGKILL, which fails every pending
 * `line()`, and the child is killed in `finally` if `body` returned early.
 */
export async function withExample<T>(
  file: string,
  args: string[],
  body: (child: Child) => Promise<T>,
  guardMs = 20_000,
): Promise<T> {
  const command = process.execPath;
  const pre = RUNTIME === "deno" ? ["run", "-A", "--no-prompt"] : [];
  const proc = spawn(command, [...pre, join(ROOT, "examples", file), ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  let partial = "";
  let ended: Exit | undefined;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  proc.stdout.setEncoding("utf8");
  proc.stdout.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    notify();
  });
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    proc.on("close", (code, signal) => {
      if (partial !== "") lines.push(partial);
      partial = "";
      ended = { code, signal };
      resolve(ended);
      notify();
    });
  });
  // Signals go through process.kill(pid): Deno's ChildProcess.kill() sends no
  // second signal once one was sent (denoland/deno#36643), and reports a child
  // that it signalled as killed by that signal even if it exited 0.
  const send = (signal: NodeJS.Signals) => {
    try {
      if (ended === undefined && proc.pid !== undefined) {
        process.kill(proc.pid, signal);
      }
    } catch {
      // It has exited already.
    }
  };
  let guardFired = false;
  const guard = setTimeout(() => {
    guardFired = true;
    send("SIGKILL");
  }, guardMs);

  const until = <R>(check: () => R | undefined, what: string): Promise<R> =>
    new Promise((resolve, reject) => {
      const waiter = () => {
        const found = check();
        if (found !== undefined) {
          waiters.delete(waiter);
          resolve(found);
        } else if (ended !== undefined) {
          waiters.delete(waiter);
          reject(
            new Error(
              `${file} exited (${JSON.stringify(ended)}${
                guardFired ? ", killed by the guard" : ""
              }) before ${what}\nstdout:\n${
                lines.join("\n")
              }\nstderr:\n${stderr}`,
            ),
          );
        }
      };
      waiters.add(waiter);
      waiter();
    });

  const child: Child = {
    get lines() {
      return lines;
    },
    get stderr() {
      return stderr;
    },
    exited,
    line: (pattern) =>
      until(() => {
        for (const line of lines) {
          const match = line.match(pattern);
          if (match !== null) return match;
        }
        return undefined;
      }, `printing a line matching ${pattern}`),
    linesMatching: (pattern, count) =>
      until(
        () =>
          lines.filter((line) => pattern.test(line)).length >= count
            ? true
            : undefined,
        `printing ${count} lines matching ${pattern}`,
      ).then(() => {}),
    kill: send,
  };

  try {
    const result = await body(child);
    if (guardFired) throw new Error(`${file} was killed by the guard timer`);
    return result;
  } finally {
    send("SIGKILL");
    await exited;
    clearTimeout(guard);
  }
}
