const SPECIAL = /[.+?^${}()|[\]\\]/g;

/**
 * Compiles a path or host glob: `**` matches anything (slashes included), `*` anything but a
 * slash, every other character itself. The whole string must match.
 * @example globToRegExp("/v2/items/*").test("/v2/items/1") // true
 */
export function globToRegExp(glob: string, flags = ""): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        source += ".*";
        i++;
      } else source += "[^/]*";
    } else source += c.replace(SPECIAL, "\\$&");
  }
  return new RegExp(`^${source}$`, flags);
}
