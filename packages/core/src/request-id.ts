const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

// 64 random bits per process, then a counter: unique across processes without paying for
// randomness on every acquire, and short in the sliding log. Drawn on the first call, not at
// load: workerd refuses random values in a module's global scope.
let processTag: string | undefined;
let counter = 0;

/** An id unique per acquire across all processes: names its log entries and its lease. */
export function requestId(): string {
  processTag ??= toBase64Url(crypto.getRandomValues(new Uint8Array(8)));
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return processTag + counter.toString(36);
}
