import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assembleLua } from "./assemble-lua.js";

let luaDir: string;
beforeEach(() => {
  luaDir = mkdtempSync(join(tmpdir(), "sluice-lua-"));
});
afterEach(() => rmSync(luaDir, { recursive: true, force: true }));

/** Writes `lua/<name>.lua` and returns its path. */
function lua(name: string, ...lines: string[]): string {
  const file = join(luaDir, `${name}.lua`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}
const include = (name: string) => `--- @include "${name}"`;

describe("assembleLua", () => {
  it("inlines includes, nested ones too, in place", () => {
    lua("includes/common", "local common = 1");
    lua("includes/limits", include("includes/common"), "local limits = 2");
    const script = lua("script", "-- header", include("includes/limits"), "return limits");
    expect(assembleLua(script, luaDir)).toBe("-- header\nlocal common = 1\nlocal limits = 2\nreturn limits\n");
  });

  it("brings a file that two includes share in once, where it is first included", () => {
    lua("includes/counter", "local counter = 0");
    lua("algorithms/a", include("includes/counter"), "local a = 1");
    lua("algorithms/b", include("includes/counter"), "local b = 2");
    const script = lua("script", include("algorithms/a"), include("algorithms/b"), include("includes/counter"));
    expect(assembleLua(script, luaDir)).toBe("local counter = 0\nlocal a = 1\n\nlocal b = 2\n");
  });

  it("refuses a cycle, naming the chain of files", () => {
    lua("includes/a", include("includes/b"));
    lua("includes/b", include("includes/c"));
    lua("includes/c", include("includes/a"));
    const script = lua("script", include("includes/a"));
    expect(() => assembleLua(script, luaDir)).toThrow(
      "Lua include cycle: script.lua -> includes/a.lua -> includes/b.lua -> includes/c.lua -> includes/a.lua",
    );
  });

  it("refuses a script that includes itself", () => {
    const script = lua("script", include("script"));
    expect(() => assembleLua(script, luaDir)).toThrow("Lua include cycle: script.lua -> script.lua");
  });

  it("names the file whose include is missing", () => {
    const script = lua("script", include("includes/nope"));
    expect(() => assembleLua(script, luaDir)).toThrow('script.lua includes "includes/nope", but includes/nope.lua');
  });
});
