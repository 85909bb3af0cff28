// `scheme://user:password@` or `scheme://:password@`: everything between the first `:` after
// the user part and the LAST `@` of the authority is the password (URL parsers read it so,
// and a raw `@` in a password must not leave its tail visible).
const credentials = /\b([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)[^\s/]*@/gi;

/** A URL (or any text holding URLs) with every password replaced by `***`. */
export const maskUrl = (text: string): string => text.replace(credentials, "$1***@");

/** The password of a `redis://` URL, as written and decoded, to scrub from messages. */
export function passwordsOf(url: string): string[] {
  try {
    const { password } = new URL(url);
    if (password === "") return [];
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // a malformed escape: the raw form is all there is to hide
    }
    return [...new Set([password, decoded])];
  } catch {
    // Not parseable as a URL: scrub whatever sits where a password would.
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:([^\s/]*)@/i.exec(url);
    return match?.[1] ? [match[1]] : [];
  }
}

/**
 * An error message safe to print: URLs lose their passwords and any literal occurrence of a
 * known secret (a client library may echo it) becomes `***`.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = maskUrl(text);
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== "") masked = masked.split(secret).join("***");
  }
  return masked;
}

/**
 * Every password in the command line and in `REDIS_URL`, so no message can echo one even when
 * an argument is misplaced (`--prefix redis://:pw@host`) or malformed.
 */
export function secretsIn(args: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = new Set<string>();
  for (const arg of [...args, env.REDIS_URL ?? ""]) {
    for (const part of arg.split(",")) {
      const url = part.slice(part.indexOf("=") + 1).trim();
      for (const secret of passwordsOf(url)) secrets.add(secret);
    }
  }
  return [...secrets];
}
