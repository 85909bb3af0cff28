import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const includePattern = /^--- @include "([^"]+)"\s*$/gm;

/**
 * The source of the script `file` with every `--- @include "path"` line replaced by
 * `<luaDir>/<path>.lua`, itself assembled. A file that two includes share (the counter hash under
 * both windowed algorithms) comes in once, where it is first included: a second copy would only
 * define the same locals again. An include that leads back to a file still being assembled is a
 * cycle, refused with the chain of files.
 */
export function assembleLua(file: string, luaDir: string): string {
  const included = new Set<string>();
  const name = (path: string) => relative(luaDir, path);
  const assemble = (current: string, chain: readonly string[]): string =>
    readFileSync(current, "utf8").replace(includePattern, (_, path: string) => {
      const target = join(luaDir, `${path}.lua`);
      if (chain.includes(target)) {
        throw new Error(`Lua include cycle: ${[...chain, target].map(name).join(" -> ")}`);
      }
      if (!existsSync(target))
        throw new Error(`${name(current)} includes "${path}", but ${name(target)} does not exist`);
      if (included.has(target)) return "";
      included.add(target);
      return assemble(target, [...chain, target]).trimEnd();
    });
  return assemble(file, [file]);
}
