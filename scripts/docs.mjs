// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
//
// `npm run docs`: the HTML API reference of mod.ts, as JSR renders it, into
// docs/api/ (git-ignored), with `deno doc --html`.
//
// Usage: node scripts/docs.mjs

import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "docs", "api");

rmSync(output, { recursive: true, force: true });
mkdirSync(dirname(output), { recursive: true });
const { status, error } = spawnSync(
  join(root, "node_modules", ".bin", "deno"),
  ["doc", "--html", "--name=goroutine-manager", `--output=${output}`, "mod.ts"],
  { cwd: root, stdio: "inherit" },
);
if (error) throw error;
if (status === 0) console.log(`API reference: ${join(output, "index.html")}`);
process.exitCode = status ?? 1;
