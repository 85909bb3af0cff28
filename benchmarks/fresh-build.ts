// `pnpm bench` runs this before benchmarks/run.ts: the contenders load Sluice from its build
// (packages/<pkg>/dist), as users do, so it is rebuilt first when a script or a source file is
// newer. Otherwise a run after a change would measure the code as it was.
import { execSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const packages = readdirSync(join(root, "packages"));

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const stats = statSync(join(dir, name));
    if (stats.isFile()) latest = Math.max(latest, stats.mtimeMs);
  }
  return latest;
}

const builtAt = (pkg: string): number => {
  try {
    return statSync(join(root, "packages", pkg, "dist", "index.js")).mtimeMs;
  } catch {
    return 0;
  }
};

const sources = Math.max(
  newest(join(root, "lua")),
  ...packages.map((pkg) => newest(join(root, "packages", pkg, "src"))),
);
if (Math.min(...packages.map(builtAt)) < sources) {
  process.stdout.write("Sources are newer than the build: pnpm build\n");
  execSync("pnpm build", { cwd: root, stdio: "inherit" });
}
