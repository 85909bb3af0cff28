import CachePolicy from "http-cache-semantics";
import { cacheKey } from "./cache-key.js";
import { readUpTo } from "./read-up-to.js";

/** The Redis commands the cache uses: an ioredis `Redis` or `Cluster` fits as is. */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: "PX", milliseconds: number): Promise<unknown>;
}

/** `ResponseCacheOptions` checked, durations in ms. */
export interface ResolvedCacheOptions {
  readonly redis: CacheStore;
  readonly prefix: string;
  readonly ttlMs: number | undefined;
  readonly maxBodyBytes: number;
  readonly shared: boolean;
  readonly staleWindowMs: number;
  readonly timeoutMs: number;
}

/** Told of every Redis error or timeout, with the request it happened for. */
export type CacheErrorHandler = (operation: "read" | "write", error: unknown, request: Request) => void;

type PlainHeaders = Record<string, string | string[]>;

/** What Redis holds under a key (JSON). */
interface StoredEntry {
  readonly v: 1;
  readonly policy: CachePolicy.CachePolicyObject;
  readonly status: number;
  readonly statusText: string;
  /** Base64. */
  readonly body: string;
}

/** A stored answer, read back. */
export interface CacheEntry {
  readonly key: string;
  readonly policy: CachePolicy;
  readonly status: number;
  readonly statusText: string;
  readonly body: Uint8Array<ArrayBuffer>;
}

/**
 * `fresh`: answer with `response`, nothing sent. `stale`: send the request with `headers` (the
 * conditional ones added) and hand a 304 to `revalidated`. `miss`: send it as is, then `store`.
 */
export type CacheLookup =
  | { readonly kind: "fresh"; readonly response: Response }
  | { readonly kind: "stale"; readonly key: string; readonly entry: CacheEntry; readonly conditionals: Headers }
  | { readonly kind: "miss"; readonly key: string };

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Request headers that make the caller, not the cache, the judge of freshness. */
const CALLER_CONDITIONALS = [
  "if-none-match",
  "if-modified-since",
  "if-match",
  "if-unmodified-since",
  "if-range",
  "range",
];

/** Directives the `ttl` override replaces; `no-store` and `private` are kept and still obeyed. */
const FRESHNESS_DIRECTIVES = new Set(["max-age", "s-maxage", "no-cache", "must-revalidate", "proxy-revalidate"]);

function plain(headers: Headers): PlainHeaders {
  const out: PlainHeaders = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  return out;
}

function toHeaders(headers: CachePolicy.Headers): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.append(name, one);
  }
  return out;
}

const hasValidator = (headers: CachePolicy.Headers): boolean =>
  headers.etag !== undefined || headers["last-modified"] !== undefined;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the response cache did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Response headers with the freshness lifetime replaced by `seconds` (the `ttl` override). */
export function withLifetime(headers: CachePolicy.Headers, seconds: number): CachePolicy.Headers {
  const kept = String(headers["cache-control"] ?? "")
    .split(",")
    .map((directive) => directive.trim())
    .filter((directive) => directive !== "" && !FRESHNESS_DIRECTIVES.has(directive.split("=")[0]?.toLowerCase() ?? ""));
  const { expires: _expires, pragma: _pragma, ...rest } = headers;
  return { ...rest, "cache-control": [`max-age=${seconds}`, `s-maxage=${seconds}`, ...kept].join(", ") };
}

/**
 * A cache of GET answers shared by every process through Redis. The HTTP rules (freshness,
 * `Vary`, validators, what may be stored) are `http-cache-semantics`'; this class only keys,
 * stores and rebuilds responses. Every Redis error or timeout is reported to `onError` and
 * treated as a miss (or a skipped write): the cache never fails a request.
 */
export class ResponseCache {
  readonly #options: ResolvedCacheOptions;
  readonly #onError: CacheErrorHandler;

  constructor(options: ResolvedCacheOptions, onError: CacheErrorHandler) {
    this.#options = options;
    this.#onError = onError;
  }

  /** Only GETs whose freshness the cache may judge: none with the caller's own conditionals. */
  accepts(request: Request): boolean {
    return request.method === "GET" && !CALLER_CONDITIONALS.some((name) => request.headers.has(name));
  }

  async lookup(request: Request): Promise<CacheLookup> {
    const key = cacheKey(this.#options.prefix, request.method, request.url, request.headers);
    let raw: string | null;
    try {
      raw = await within(this.#options.redis.get(key), this.#options.timeoutMs);
    } catch (error) {
      this.#onError("read", error, request);
      return { kind: "miss", key };
    }
    const entry = raw === null ? undefined : decode(key, raw);
    if (entry === undefined) return { kind: "miss", key };
    const incoming = httpRequest(request);
    const verdict = entry.policy.evaluateRequest(incoming);
    if (verdict.response !== undefined && verdict.revalidation === undefined) {
      return { kind: "fresh", response: build(entry, verdict.response.headers) };
    }
    // Stale (stale-while-revalidate included, revalidated at once): conditional headers are only
    // added when the entry matches this request (Vary) and has a validator.
    const headers = entry.policy.revalidationHeaders(incoming);
    const conditionals = new Headers();
    for (const name of ["if-none-match", "if-modified-since"]) {
      const value = headers[name];
      if (typeof value === "string") conditionals.set(name, value);
    }
    if (!conditionals.has("if-none-match") && !conditionals.has("if-modified-since")) return { kind: "miss", key };
    return { kind: "stale", key, entry, conditionals };
  }

  /**
   * Stores `response` when the rules allow it and its body is at most `maxBodyBytes`; reads a
   * clone, so `response` is returned to the caller untouched. True when stored.
   */
  async store(key: string, request: Request, response: Response): Promise<boolean> {
    if (response.headers.has("set-cookie")) return false;
    const policy = this.#policy(httpRequest(request), { status: response.status, headers: plain(response.headers) });
    if (!policy.storable()) return false;
    if (this.#keepMs(policy) < 1) return false;
    let body: Uint8Array<ArrayBuffer> | undefined;
    try {
      body = await readUpTo(response, this.#options.maxBodyBytes);
    } catch {
      return false; // the caller sees the same body error on its own read
    }
    if (body === undefined) return false;
    const entry = { key, policy, status: response.status, statusText: response.statusText, body };
    return this.#write(entry, request);
  }

  /**
   * A 304 to a conditional request: the stored body with the updated policy, stored again; or
   * `undefined` when the 304 does not match the entry (send the request again unconditionally).
   */
  async revalidated(entry: CacheEntry, request: Request, response: Response): Promise<Response | undefined> {
    const incoming = httpRequest(request);
    const { policy, modified } = entry.policy.revalidatedPolicy(incoming, {
      status: response.status,
      headers: plain(response.headers),
    });
    if (modified) return undefined;
    const next =
      this.#options.ttlMs === undefined
        ? policy
        : this.#policy(incoming, { status: entry.status, headers: policy.responseHeaders() });
    const updated: CacheEntry = { ...entry, policy: next };
    await this.#write(updated, request);
    return build(updated, next.responseHeaders());
  }

  #policy(request: CachePolicy.HttpRequest, response: CachePolicy.HttpResponse): CachePolicy {
    const options = { shared: this.#options.shared };
    const policy = new CachePolicy(request, response, options);
    const { ttlMs } = this.#options;
    if (ttlMs === undefined || !policy.storable()) return policy;
    return new CachePolicy(
      request,
      { ...response, headers: withLifetime(response.headers, Math.ceil(ttlMs / 1000)) },
      options,
    );
  }

  /** Fresh time, plus `staleWindow` when a validator allows a later 304. */
  #keepMs(policy: CachePolicy): number {
    const ttl = policy.timeToLive();
    const headers = policy.toObject().resh;
    return Math.ceil(ttl + (hasValidator(headers) ? this.#options.staleWindowMs : 0));
  }

  async #write(entry: CacheEntry, request: Request): Promise<boolean> {
    const keepMs = this.#keepMs(entry.policy);
    if (keepMs < 1) return false;
    const stored: StoredEntry = {
      v: 1,
      policy: entry.policy.toObject(),
      status: entry.status,
      statusText: entry.statusText,
      body: Buffer.from(entry.body).toString("base64"),
    };
    try {
      await within(this.#options.redis.set(entry.key, JSON.stringify(stored), "PX", keepMs), this.#options.timeoutMs);
      return true;
    } catch (error) {
      this.#onError("write", error, request);
      return false;
    }
  }
}

function httpRequest(request: Request): CachePolicy.HttpRequest {
  const url = new URL(request.url);
  return {
    url: `${url.pathname}${url.search}`,
    method: request.method,
    headers: { ...plain(request.headers), host: url.host },
  };
}

function decode(key: string, raw: string): CacheEntry | undefined {
  try {
    const stored = JSON.parse(raw) as StoredEntry;
    if (stored.v !== 1) return undefined;
    return {
      key,
      policy: CachePolicy.fromObject(stored.policy),
      status: stored.status,
      statusText: stored.statusText,
      body: new Uint8Array(Buffer.from(stored.body, "base64")),
    };
  } catch {
    return undefined; // a foreign or corrupt value is a miss, and the next answer overwrites it
  }
}

function build(entry: CacheEntry, headers: CachePolicy.Headers): Response {
  const body = NULL_BODY_STATUSES.has(entry.status) ? null : entry.body;
  return new Response(body, { status: entry.status, statusText: entry.statusText, headers: toHeaders(headers) });
}
