import { FOREIGN_HEADER } from "./strict-server.js";

/** A client outside Sluice that spends part of the same API quota. */
export interface ForeignClient {
  /** Stops sending and resolves when its last request is answered. */
  stop(): Promise<void>;
}

/**
 * Sends `perWindow` requests per `windowMs` to `url`, evenly spaced, not through any limiter,
 * and ignores the answers and any failure (the server counts its requests, marked by a header): a steady spender
 * Sluice cannot see, as another team's service on the same API key would be. Each send is
 * scheduled from the start, so a late timer does not slow the rate down.
 */
export function startForeignClient(url: string, perWindow: number, windowMs: number): ForeignClient {
  const everyMs = windowMs / perWindow;
  const start = performance.now();
  const underway = new Set<Promise<void>>();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const sendNext = () => {
    sent++;
    const request = fetch(url, { headers: { [FOREIGN_HEADER]: "1" } })
      .then((response) => response.arrayBuffer())
      .then(
        () => {},
        () => {},
      )
      .finally(() => underway.delete(request));
    underway.add(request);
    timer = setTimeout(sendNext, Math.max(0, start + sent * everyMs - performance.now()));
  };
  sendNext();
  return {
    async stop() {
      clearTimeout(timer);
      await Promise.all(underway);
    },
  };
}
