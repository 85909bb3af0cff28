import { createServer, type Server, type Socket } from "node:net";

/** How many whole RESP commands (`*<n>` arrays of `$<len>` strings) `buffer` holds, and the rest. */
function countCommands(buffer: string): [number, string] {
  let count = 0;
  let at = 0;
  for (;;) {
    const header = buffer.indexOf("\r\n", at);
    if (header === -1 || buffer[at] !== "*") return [count, buffer.slice(at)];
    let next = header + 2;
    const args = Number(buffer.slice(at + 1, header));
    for (let i = 0; i < args; i++) {
      const length = buffer.indexOf("\r\n", next);
      if (length === -1) return [count, buffer.slice(at)];
      next = length + 2 + Number(buffer.slice(next + 1, length)) + 2;
      if (next > buffer.length) return [count, buffer.slice(at)];
    }
    count++;
    at = next;
  }
}

/**
 * A server that answers every command with WRONGPASS, as Redis does to a wrong password. ioredis
 * attaches the failed command to the error, and AUTH's (or HELLO's) arguments hold the password.
 */
export async function startWrongPasswordServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let pending = "";
    socket.setEncoding("latin1");
    socket.on("error", () => {});
    socket.on("data", (data: string) => {
      const [commands, rest] = countCommands(pending + data);
      pending = rest;
      socket.write("-WRONGPASS invalid username-password pair or user is disabled.\r\n".repeat(commands));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
