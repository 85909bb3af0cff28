import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface NodeAddress {
  host: string;
  port: number;
}

export interface RedisCluster {
  nodes: NodeAddress[];
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
// The cluster bus listens on port + 10000, which must stay a valid, free port.
const CLUSTER_BUS_OFFSET = 10_000;
const MAX_CLUSTER_PORT = 55_000;
const execFileAsync = promisify(execFile);
const WATCHDOG = fileURLToPath(new URL("./redis-watchdog.mjs", import.meta.url));

function redisMissingMessage(needed: string): string {
  return [
    `${needed} needs Redis, but \`redis-server\` is not on PATH. Get Redis in one of these ways:`,
    "  - apt-get install redis-server (Debian/Ubuntu; provides redis-server and redis-cli)",
    "  - set REDIS_URL=redis://host:port and REDIS_CLUSTER_NODES=host:port,host:port,... to use running servers",
  ].join("\n");
}

/** True when a Redis answers PING at `url` within half a second (as the user of `password`, if given). */
export async function isReachable(url: string, password?: string): Promise<boolean> {
  const redis = new Redis(url, {
    ...(password === undefined ? {} : { password }),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export function isOnPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    if (dir === "") return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function requireCommands(needed: string, commands: string[]): void {
  if (!commands.every(isOnPath)) throw new Error(redisMissingMessage(needed));
}

/**
 * Starts redis-server with `args` under a watchdog (redis-watchdog.mjs) that stops it and removes
 * `dir` once this process ends, however it ends; closing the watchdog's stdin does the same.
 * In its own session: a terminal's Ctrl-C, or a kill of this process group, reaches this
 * process alone, whose end then stops the server.
 */
export function startWatchdog(dir: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [WATCHDOG, dir, ...args], { stdio: "pipe", detached: true });
}

/**
 * One redis-server, run by tools/redis-watchdog.mjs so that it and its temp folder go when this
 * process ends, however it ends (SIGKILL included): the watchdog stops both when the pipe to its
 * stdin closes.
 */
class ServerProcess {
  private stderr = "";
  private endReason: string | undefined;
  /** Settles when the watchdog ends, after the server and its folder are gone. */
  private readonly gone: Promise<void>;

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly watchdog: ChildProcess,
  ) {
    watchdog.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4_000);
    });
    // Closing stdin stops the server; a watchdog already gone makes that fail, and its exit says why.
    watchdog.stdin?.on("error", () => {});
    const end = (reason: string): void => {
      this.endReason ??= reason;
    };
    // The watchdog's one line on stdout says why the server ended.
    watchdog.stdout?.setEncoding("utf8").on("data", (line: string) => end(line.trim()));
    this.gone = new Promise((resolve) => {
      watchdog.once("exit", (code, signal) => {
        end(`lost its watchdog (code ${code}, signal ${signal})`);
        resolve();
      });
      // Spawn failures emit 'error' without a guaranteed 'exit'.
      watchdog.once("error", (error) => {
        end(`failed to start: ${error.message}`);
        resolve();
      });
    });
  }

  static async start(port: number, extraArgs: string[]): Promise<ServerProcess> {
    const dir = await mkdtemp(join(tmpdir(), "sluice-redis-"));
    const args = [
      ...["--port", String(port), "--bind", HOST, "--protected-mode", "no"],
      ...["--save", "", "--appendonly", "no", "--dir", dir],
      // Redis logs to stdout, which is ignored; the file is read back when startup fails.
      ...["--logfile", join(dir, "redis.log")],
      ...extraArgs,
    ];
    return new ServerProcess(port, dir, startWatchdog(dir, args));
  }

  get hasEnded(): boolean {
    return this.endReason !== undefined;
  }

  /** Explains why the server died, with its stderr and the end of its log. */
  async failure(): Promise<Error> {
    const log = await readFile(join(this.dir, "redis.log"), "utf8").catch(() => "");
    const details = [this.stderr.trim(), log.trim().split("\n").slice(-15).join("\n")];
    return new Error(
      [`redis-server on ${HOST}:${this.port} ${this.endReason}`, ...details].filter((part) => part !== "").join("\n"),
    );
  }

  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its folder. */
  async stop(): Promise<void> {
    this.watchdog.stdin?.end();
    await this.gone;
    // The watchdog removed it, unless the watchdog itself could not start.
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Binds `port` (0 = any) on loopback and releases it; returns the bound port, or undefined if it is taken. */
function probePort(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : undefined));
    });
  });
}

async function freePort(taken: Set<number>, withClusterBus: boolean): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await probePort(0);
    if (port === undefined || taken.has(port)) continue;
    if (withClusterBus) {
      const bus = port + CLUSTER_BUS_OFFSET;
      if (port >= MAX_CLUSTER_PORT || taken.has(bus) || (await probePort(bus)) === undefined) continue;
      taken.add(bus);
    }
    taken.add(port);
    return port;
  }
  throw new Error("Could not find a free loopback port for redis-server");
}

/** `count` free loopback ports for cluster nodes, each with its cluster bus port (+10000) free too. */
export async function freeClusterPorts(count: number): Promise<number[]> {
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort(taken, true));
  return ports;
}

/** Runs `fn` on a one-shot connection that fails fast instead of retrying. */
async function withClient<T>(port: number, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Errors surface through the awaited calls; without a listener ioredis also logs them.
  client.on("error", () => {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

async function waitUntil(
  servers: ServerProcess[],
  problem: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = servers.find((server) => server.hasEnded);
    if (dead) throw await dead.failure();
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(problem);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function waitForPing(server: ServerProcess): Promise<void> {
  const problem = `redis-server on ${HOST}:${server.port} did not answer PING within 10 s`;
  return waitUntil([server], problem, 10_000, () =>
    withClient(server.port, async (client) => (await client.ping()) === "PONG"),
  );
}

async function stopAll(servers: ServerProcess[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}

export async function startRedis(): Promise<RedisServer> {
  requireCommands("startRedis()", ["redis-server"]);
  const port = await freePort(new Set(), false);
  const server = await ServerProcess.start(port, []);
  try {
    await waitForPing(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: `redis://${HOST}:${port}`, port, stop: () => server.stop() };
}

export async function startRedisCluster({
  masters = 3,
  replicasPerMaster = 0,
}: {
  masters?: number;
  replicasPerMaster?: number;
} = {}): Promise<RedisCluster> {
  requireCommands("startRedisCluster()", ["redis-server", "redis-cli"]);
  const ports = await freeClusterPorts(masters * (1 + replicasPerMaster));

  const servers: ServerProcess[] = [];
  try {
    for (const port of ports) {
      servers.push(
        await ServerProcess.start(port, [
          ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
          ...["--cluster-node-timeout", "2000"],
        ]),
      );
    }
    await Promise.all(servers.map(waitForPing));
    await createCluster(ports, replicasPerMaster);
    await clusterReady(ports, servers);
  } catch (error) {
    await stopAll(servers);
    throw error;
  }
  return { nodes: ports.map((port) => ({ host: HOST, port })), stop: () => stopAll(servers) };
}

async function createCluster(ports: number[], replicasPerMaster: number): Promise<void> {
  const args = ["--cluster", "create", ...ports.map((port) => `${HOST}:${port}`)];
  args.push("--cluster-replicas", String(replicasPerMaster), "--cluster-yes");
  try {
    await execFileAsync("redis-cli", args, { timeout: 30_000 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`redis-cli ${args.join(" ")} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** Resolves once every node on `ports` sees the whole cluster; fails at once if one of `servers` dies. */
function clusterReady(ports: number[], servers: ServerProcess[]): Promise<void> {
  const problem = `Redis cluster on ports ${ports.join(", ")} did not reach cluster_state:ok within 30 s`;
  return waitUntil(servers, problem, 30_000, async () => {
    const ready = await Promise.all(ports.map((port) => clusterNodeReady(port, ports.length)));
    return ready.every(Boolean);
  });
}

/** Resolves once every node of a cluster on loopback `ports` sees the whole cluster (within 30 s). */
export const waitForCluster = (ports: number[]): Promise<void> => clusterReady(ports, []);

async function clusterNodeReady(port: number, nodeCount: number): Promise<boolean> {
  const info = await withClient(port, (client) => client.cluster("INFO"));
  return (
    info.includes("cluster_state:ok") &&
    info.includes("cluster_slots_assigned:16384") &&
    info.includes(`cluster_known_nodes:${nodeCount}\r`)
  );
}
