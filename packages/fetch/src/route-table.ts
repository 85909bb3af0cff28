import type { Limiter, Quota, QuotaOptions, Rule } from "@sluice/core";
import { checkRules, invalid } from "@sluice/core/adapter";
import { CredentialPool } from "./credential-pool.js";
import type { RouteOptions } from "./options.js";
import { compileMatch, type Matcher } from "./route-match.js";

interface CompiledRoute {
  readonly index: number;
  readonly group: string;
  readonly limits: readonly Rule[];
  readonly matches: Matcher;
  readonly pool: CredentialPool | undefined;
}

/** One route group a request spends: the union of its matched routes' limits, acquired at once. */
export interface GroupQuota {
  readonly name: string;
  /** `undefined` when the matched routes of the group have no limits of their own (key pools only). */
  readonly quota: Quota | undefined;
  readonly leased: boolean;
}

/** What one request spends. */
export interface RequestPlan {
  readonly groups: readonly GroupQuota[];
  /** The pool of the first matched route that has credentials. */
  readonly pool: CredentialPool | undefined;
}

const describeMatch = (route: RouteOptions): string => JSON.stringify(route.match);

/**
 * The compiled routes of one `createFetch`. Matching routes of one group share one quota whose
 * keys are `<prefix>:{<group>}:<rule id>`, so a rule keeps its state whichever combination of
 * routes it is spent in; that is why two routes of a group may not hold an identical rule.
 */
export class RouteTable {
  readonly #routes: readonly CompiledRoute[];
  readonly #limiter: Limiter;
  readonly #plans = new Map<string, RequestPlan>();
  readonly #quotaOptions: Omit<QuotaOptions, "limits">;

  /** @param quotaOptions options of every quota the routes make, besides their limits. */
  constructor(limiter: Limiter, routes: readonly RouteOptions[], quotaOptions: Omit<QuotaOptions, "limits">) {
    if (!Array.isArray(routes) || routes.length === 0) invalid("routes", "a non-empty array of routes", routes);
    this.#limiter = limiter;
    this.#quotaOptions = quotaOptions;
    const owners = new Map<string, { index: number; route: RouteOptions }>();
    this.#routes = routes.map((route: RouteOptions, index: number) => {
      const at = `routes[${index}]`;
      if (typeof route !== "object" || route === null) invalid(at, "a route { match, quota, limits }", route);
      const { quota: group, credentials } = route;
      if (typeof group !== "string" || group === "") invalid(`${at}.quota`, "a non-empty string", group);
      const matches = compileMatch(`${at}.match`, route.match);
      const limits = checkRules(
        `${at}.limits`,
        route.limits ?? (credentials === undefined ? undefined : []),
        credentials !== undefined,
      );
      for (const rule of limits) {
        const owner = owners.get(`${group}\n${rule.id}`);
        if (owner !== undefined && owner.index !== index) {
          throw new TypeError(
            `Expected routes of quota "${group}" to hold different rules, but routes[${owner.index}] (match ${describeMatch(owner.route)}) and ${at} (match ${describeMatch(route)}) both hold ${rule.label}, which would share one state: give the rules distinct parameters or the routes different \`quota\` names.`,
          );
        }
        owners.set(`${group}\n${rule.id}`, { index, route });
      }
      const pool =
        credentials === undefined
          ? undefined
          : new CredentialPool(`${at}.credentials`, limiter, group, credentials, quotaOptions);
      return { index, group, limits, matches, pool };
    });
  }

  /** The plan of a request, or `undefined` when no route matches. */
  plan(url: URL, method: string): RequestPlan | undefined {
    const matched = this.#routes.filter((route) => route.matches(url, method));
    if (matched.length === 0) return undefined;
    const cacheKey = matched.map((route) => route.index).join(",");
    let plan = this.#plans.get(cacheKey);
    if (plan === undefined) {
      const byGroup = new Map<string, Rule[]>();
      for (const route of matched) byGroup.set(route.group, [...(byGroup.get(route.group) ?? []), ...route.limits]);
      const groups = [...byGroup].map(([name, limits]) => ({
        name,
        quota: limits.length === 0 ? undefined : this.#limiter.quota(name, { ...this.#quotaOptions, limits }),
        leased: limits.some((rule) => rule.leased),
      }));
      plan = { groups, pool: matched.find((route) => route.pool !== undefined)?.pool };
      this.#plans.set(cacheKey, plan);
    }
    return plan;
  }
}
