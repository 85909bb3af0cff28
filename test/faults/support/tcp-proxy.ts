import { createConnection, createServer, type Server, type Socket } from "node:net";

interface Pair {
  readonly client: Socket;
  readonly server: Socket;
}

/**
 * A TCP proxy between a client and a real redis-server that a test can slow down, stall, cut,
 * or make lose one reply. Stalling keeps TCP's promise (bytes are held, never dropped), as a
 * congested or partitioned network does until the connection dies.
 */
export class TcpProxy {
  /** Added to every chunk, in both directions, in order. */
  delayMs = 0;
  #stalled = false;
  #held: Array<() => void> = [];
  #dropNextReply = false;
  #lastDue = 0;
  #inFlight = 0;
  #onDrained: Array<() => void> = [];
  readonly #pairs = new Set<Pair>();
  /** Connections accepted so far (reconnects included). */
  connections = 0;
  /** Replies dropped by `dropNextReply` so far. */
  droppedReplies = 0;

  private constructor(
    readonly server: Server,
    readonly port: number,
    readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy?.accept(client));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    proxy = new TcpProxy(server, address.port, target);
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private accept(client: Socket): void {
    this.connections++;
    const server = createConnection(this.target);
    const pair = { client, server };
    this.#pairs.add(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", end).on("close", end);
    server.on("error", end).on("close", end);
    client.on("data", (chunk: Buffer) => this.#forward(() => server.write(chunk)));
    server.on("data", (chunk: Buffer) => {
      if (this.#dropNextReply) {
        // The script has run in Redis; its reply never reaches the client, and the connection dies.
        this.#dropNextReply = false;
        this.droppedReplies++;
        end();
        return;
      }
      this.#forward(() => client.write(chunk));
    });
  }

  #forward(write: () => void): void {
    if (this.#stalled) {
      this.#held.push(write);
      return;
    }
    if (this.delayMs <= 0 && this.#lastDue <= Date.now()) {
      write();
      return;
    }
    const due = Math.max(Date.now() + this.delayMs, this.#lastDue);
    this.#lastDue = due;
    this.#inFlight++;
    setTimeout(() => {
      write();
      if (--this.#inFlight === 0) for (const resolve of this.#onDrained.splice(0)) resolve();
    }, due - Date.now());
  }

  /** Resolves once every delayed chunk has been written on. */
  drained(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#onDrained.push(resolve));
  }

  /** Holds every byte in both directions until `resume()`. */
  stall(): void {
    this.#stalled = true;
  }

  /** Delivers every held byte, in order, and forwards again. */
  resume(): void {
    this.#stalled = false;
    for (const write of this.#held.splice(0)) write();
  }

  /** The next reply from Redis is swallowed and its connection closed (after Redis ran the command). */
  dropNextReply(): void {
    this.#dropNextReply = true;
  }

  /** Closes every open connection (a network reset); new connections are accepted. */
  cutAll(): void {
    for (const { client, server } of this.#pairs) {
      client.destroy();
      server.destroy();
    }
    this.#pairs.clear();
    this.#held = [];
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
