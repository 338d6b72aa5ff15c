// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
//
// `npm run docs`: the HTML API reference of mod.ts, as JSR renders it, into
// docs/api/ (git-ignored), with `deno doc --html`.
//
// deno doc writes the usage box of each symbol as an import from the main
// entrypoint, which for a local file it names "." (`import { waitFor } from
// ".";`), and has no option to name the package instead. So every such
// import, in the box and in its copy button, is rewritten to import
// "goroutine-manager", and the script fails if one is left.
//
// Usage: node scripts/docs.mjs

import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
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
if (status !== 0) process.exit(status ?? 1);

// `import { X } from ".";` (HTML-escaped) -> `import { X } from "goroutine-manager";`
const FROM_DOT = /(\bimport\b[^;<>]*?\bfrom )&quot;\.&quot;/g;
let rewritten = 0;
for (
  const entry of readdirSync(output, { recursive: true, withFileTypes: true })
) {
  if (!entry.isFile() || !entry.name.endsWith(".html")) continue;
  const file = join(entry.parentPath, entry.name);
  const html = readFileSync(file, "utf8");
  const fixed = html.replace(FROM_DOT, (_, head) => {
    rewritten++;
    return `${head}&quot;goroutine-manager&quot;`;
  });
  if (/from &quot;\.&quot;/.test(fixed)) {
    throw new Error(`${file} still imports from "." after the rewrite`);
  }
  if (fixed !== html) writeFileSync(file, fixed);
}
if (rewritten === 0) {
  throw new Error(
    'No usage box imports from ".": has deno doc changed its output?',
  );
}
console.log(
  `API reference: ${
    join(output, "index.html")
  } (${rewritten} usage imports name "goroutine-manager")`,
);
