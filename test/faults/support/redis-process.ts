import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { isReachable, startWatchdog } from "../../../tools/redis-servers.js";

const HOST = "127.0.0.1";

/** A free loopback port (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface OwnRedisOptions {
  /** Extra redis-server arguments, e.g. ["--requirepass", "secret"]. */
  readonly args?: readonly string[];
  /** Password for the readiness PING when `--requirepass` is set. */
  readonly password?: string;
  readonly port?: number;
}

/**
 * A redis-server owned by one test, which it may kill and start again on the same port and
 * data directory (the shared servers of the global setup are never touched). It runs under the
 * watchdog of tools/redis-servers.ts, so it and its folder do not outlive the test process.
 */
export class OwnRedis {
  #watchdog: ChildProcess | undefined;
  #running = false;
  /** Resolves when the running server ends (the watchdog's next line). */
  #exited: Promise<void> = Promise.resolve();
  #serverEnded: () => void = () => {};
  #log = "";

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly options: OwnRedisOptions,
  ) {}

  static async start(options: OwnRedisOptions = {}): Promise<OwnRedis> {
    const port = options.port ?? (await freePort());
    const dir = await mkdtemp(join(tmpdir(), "sluice-fault-"));
    const server = new OwnRedis(port, dir, options);
    await server.up();
    return server;
  }

  #watch(): ChildProcess {
    const watchdog = startWatchdog(this.dir, [
      ...["--port", String(this.port), "--bind", HOST, "--protected-mode", "no", "--dir", this.dir],
      ...["--save", "", "--appendonly", "no", "--logfile", join(this.dir, "redis.log")],
      ...(this.options.args ?? []),
    ]);
    watchdog.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.#log = (this.#log + chunk).slice(-2000);
    });
    watchdog.stdin?.on("error", () => {});
    createInterface({ input: watchdog.stdout as NodeJS.ReadableStream }).on("line", () => {
      this.#running = false;
      this.#serverEnded();
    });
    return watchdog;
  }

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts the server (again) on its port and directory; resolves once it answers PING. */
  async up(): Promise<void> {
    if (this.#running) throw new Error("already running");
    this.#exited = new Promise((resolve) => {
      this.#serverEnded = resolve;
    });
    this.#running = true;
    if (this.#watchdog === undefined) this.#watchdog = this.#watch();
    else this.#watchdog.stdin?.write("up\n");
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (!this.#running) throw new Error(`redis-server exited: ${this.#log}${await this.logTail()}`);
      if (await this.#pings()) return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer PING`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #pings(): Promise<boolean> {
    return isReachable(this.url, this.options.password);
  }

  /** Kills the process (SIGKILL: nothing saved; SIGTERM: a clean shutdown) and waits for it to exit. */
  async down(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (!this.#running) return;
    this.#watchdog?.stdin?.write(`down ${signal}\n`);
    await this.#exited;
  }

  logTail(): Promise<string> {
    return readFile(join(this.dir, "redis.log"), "utf8").then(
      (text) => text.split("\n").slice(-10).join("\n"),
      () => "",
    );
  }

  /** Stops the server and removes its folder (the watchdog does both once its stdin ends). */
  async stop(): Promise<void> {
    await this.down();
    const watchdog = this.#watchdog;
    if (watchdog !== undefined && watchdog.exitCode === null) {
      const gone = new Promise((resolve) => watchdog.once("exit", resolve));
      watchdog.stdin?.end();
      await gone;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The pid of the redis-server answering on `port` (INFO server), to kill one Cluster node. */
export async function redisPid(port: number): Promise<number> {
  const client = new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    const info = await client.info("server");
    const match = /process_id:(\d+)/.exec(info);
    if (!match) throw new Error("no process_id in INFO");
    return Number(match[1]);
  } finally {
    client.disconnect();
  }
}

/**
 * Resolves once every node of a Cluster sees `replicas` replicas and each replica's link to its
 * master is up. `startRedisCluster` returns when the slots are assigned, before replicas have
 * joined; a failover before this point has nothing to promote.
 */
export async function waitForReplicas(ports: readonly number[], replicas: number, timeoutMs = 30_000): Promise<void> {
  const clients = ports.map((port) => new Redis({ host: HOST, port, maxRetriesPerRequest: 0 }));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(clients.map((c) => c.cluster("NODES") as Promise<string>));
      const infos = await Promise.all(clients.map((c) => c.info("replication")));
      const isReplica = (line: string): boolean => (line.split(" ")[2] ?? "").split(",").includes("slave");
      const seen = views.every((view) => view.split("\n").filter(isReplica).length === replicas);
      const linked = infos.filter((info) => info.includes("role:slave") && info.includes("master_link_status:up"));
      if (seen && linked.length === replicas) return;
      if (Date.now() > deadline) throw new Error(`Cluster replicas not in sync within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    for (const client of clients) client.disconnect();
  }
}
