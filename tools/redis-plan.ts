/**
 * Where a kind of Redis server comes from: `env`, a running server named in its variable;
 * `path`, redis-server found on PATH; `apt`, Debian's package installed first (root only), then
 * as `path`; `docker`, a container through testcontainers.
 */
export type RedisSource = "env" | "path" | "apt" | "docker";

/** What the machine offers, as the test setup sees it. */
export interface RedisFacts {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isOnPath: (command: string) => boolean;
  readonly isRoot: boolean;
  /** Whether a Docker daemon answers. */
  readonly dockerAvailable: boolean;
}

/** A source for each kind of server the tests use, or the one line that fixes a machine with none. */
export type RedisPlan =
  | { readonly ok: true; readonly single: RedisSource; readonly cluster: RedisSource }
  | { readonly ok: false; readonly fix: string };

type Kind = "single" | "cluster";

const kinds: Record<Kind, { readonly label: string; readonly variable: string; readonly commands: string[] }> = {
  single: { label: "Redis single node", variable: "REDIS_URL", commands: ["redis-server"] },
  cluster: { label: "Redis Cluster", variable: "REDIS_CLUSTER_NODES", commands: ["redis-server", "redis-cli"] },
};

function sourceOf(kind: Kind, facts: RedisFacts): RedisSource | undefined {
  const { variable, commands } = kinds[kind];
  if (facts.env[variable]) return "env";
  if (commands.every(facts.isOnPath)) return "path";
  // Debian's redis-server package brings redis-cli too.
  if (facts.isRoot && facts.isOnPath("apt-get")) return "apt";
  if (facts.dockerAvailable) return "docker";
  return undefined;
}

/**
 * Picks a source per kind, first that the machine offers: the environment, redis-server on
 * PATH, Debian's package when root, Docker.
 */
export function planRedis(facts: RedisFacts): RedisPlan {
  const single = sourceOf("single", facts);
  const cluster = sourceOf("cluster", facts);
  if (single !== undefined && cluster !== undefined) return { ok: true, single, cluster };
  const unset = Object.values(kinds)
    .map((kind) => kind.variable)
    .filter((variable) => !facts.env[variable]);
  // Root gets here only without apt-get: not a Debian machine.
  const install = facts.isRoot ? "install redis-server and redis-cli" : "run `sudo apt-get install redis-server`";
  return { ok: false, fix: `Redis is needed: ${install}, or set ${unset.join(" and ")} to running servers` };
}

const described: Record<RedisSource, (variable: string) => string> = {
  env: (variable) => `running, named in ${variable}`,
  path: () => "redis-server on PATH, started on loopback",
  apt: () => "redis-server from Debian's package (installing it now), started on loopback",
  docker: () => "Docker, through testcontainers",
};

/** One line per kind of server: where the tests get it. */
export function describePlan(plan: { readonly single: RedisSource; readonly cluster: RedisSource }): string[] {
  return (["single", "cluster"] as const).map((kind) => {
    const { label, variable } = kinds[kind];
    return `${label}: ${described[plan[kind]](variable)}`;
  });
}
