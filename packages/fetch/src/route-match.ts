import { invalid } from "@sluice/core/adapter";
import { globToRegExp } from "./glob-to-regexp.js";
import type { RouteMatch } from "./options.js";

/** A compiled `match`: true when the route covers a request. */
export type Matcher = (url: URL, method: string) => boolean;

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function prefixMatcher(option: string, prefix: string): Matcher {
  let href: string;
  try {
    href = new URL(prefix).href;
  } catch {
    invalid(option, 'an absolute URL prefix such as "https://api.example.com/"', prefix);
  }
  return (url) => url.href.startsWith(href);
}

function methods(option: string, value: string | readonly string[]): Set<string> {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((m) => typeof m === "string" && METHOD.test(m))) {
    invalid(option, 'an HTTP method or a non-empty array of them, e.g. "GET"', value);
  }
  return new Set(list.map((m: string) => m.toUpperCase()));
}

/** Compiles a route's `match`; `option` names it in TypeErrors, e.g. `routes[0].match`. */
export function compileMatch(option: string, match: RouteMatch): Matcher {
  if (typeof match === "string") return prefixMatcher(option, match);
  if (typeof match !== "object" || match === null || Array.isArray(match)) {
    invalid(option, "a URL prefix string or an object { host?, path?, method? }", match);
  }
  const { host, path, method } = match;
  if (host !== undefined && (typeof host !== "string" || host === "" || /[/\s]/.test(host)))
    invalid(`${option}.host`, 'a host name glob such as "api.example.com" or "*.example.com:8443"', host);
  if (path !== undefined && (typeof path !== "string" || !path.startsWith("/")))
    invalid(`${option}.path`, 'a path glob starting with "/", such as "/v2/items/*"', path);
  const hostPattern = host === undefined ? undefined : globToRegExp(host, "i");
  const hostWithPort = host?.includes(":") ?? false;
  const pathPattern = path === undefined ? undefined : globToRegExp(path);
  const methodSet = method === undefined ? undefined : methods(`${option}.method`, method);
  return (url, requestMethod) =>
    (hostPattern === undefined || hostPattern.test(hostWithPort ? url.host : url.hostname)) &&
    (pathPattern === undefined || pathPattern.test(url.pathname)) &&
    (methodSet === undefined || methodSet.has(requestMethod.toUpperCase()));
}
