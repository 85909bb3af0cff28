import type { Connection, Topology } from "../redis-targets.js";

/** (a) every request on its own quota name, or (b) all requests on one quota name. */
export type Workload = "distinct" | "hot";

export interface Scenario {
  readonly topology: Topology;
  readonly workload: Workload;
  /** A fresh key prefix per pass, so no pass finds state left by another. */
  readonly prefix: string;
}

/** One decision: true when admitted. `key` is the quota name (the same one for a hot quota). */
export type Decide = (key: string) => Promise<boolean>;

export interface Decider {
  readonly decide: Decide;
  close?(): Promise<void>;
}

/** A contender in the throughput figure: a rate limiter that decides over one ioredis connection. */
export interface Contender {
  readonly name: string;
  /** The reason it cannot run this scenario, or undefined when it can. */
  unsupported(scenario: Scenario): string | undefined;
  /** Builds its deciders on `redis`; limits are large so that nothing is denied. */
  create(redis: Connection, scenario: Scenario): Promise<Decider>;
}
