const LOOPBACK_NAMES = new Set(["localhost", "::1", "[::1]"]);

const isLoopback = (host: string): boolean =>
  LOOPBACK_NAMES.has(host.toLowerCase()) ||
  /^127(\.\d{1,3}){3}$/.test(host) ||
  host.toLowerCase().endsWith(".localhost");

/** The host name of a `Host` header: `[::1]:8080` → `[::1]`, `localhost:80` → `localhost`. */
const hostName = (header: string): string =>
  header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.replace(/:\d*$/, "");

/**
 * Whether a request's `Host` header may be answered. A server bound to loopback answers only
 * loopback names: a web page elsewhere that points a DNS name of its own at 127.0.0.1 (DNS
 * rebinding) must not read the dashboard through the browser of someone who has it open.
 * Bound to any other address, the user chose who may reach it, and any name is answered.
 */
export function allowedHost(header: string | undefined, boundHost: string): boolean {
  if (!isLoopback(boundHost)) return true;
  return header !== undefined && isLoopback(hostName(header));
}
