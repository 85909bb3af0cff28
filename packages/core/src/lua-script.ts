/** A Lua script embedded from `lua/` by `pnpm codegen`. */
export interface LuaScript {
  /** File name under `lua/` without `.lua`. */
  readonly name: string;
  /** Full source with includes inlined; what Redis hashes. */
  readonly source: string;
  /** SHA1 of `source`, the EVALSHA handle. */
  readonly sha1: string;
}
