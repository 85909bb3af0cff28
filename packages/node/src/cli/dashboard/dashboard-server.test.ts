import { type IncomingHttpHeaders, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusReport } from "../status-report.js";
import { type DashboardServer, serveDashboard } from "./dashboard-server.js";
import { StatusFeed } from "./status-feed.js";

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let reads = 0;
const read = async (): Promise<StatusReport> => ({ prefix: "p", redisTime: 1_700_000_000_000 + ++reads, quotas: [] });
const meta = { prefix: "p", target: "redis://127.0.0.1:6379", intervalMs: 50, historyMs: 60_000 };
const feed = new StatusFeed(read, String, { intervalMs: 50, historyMs: 60_000 });
let server: DashboardServer;

/** One request; with `until`, reads the streamed body until it holds what `until` wants, then hangs up. */
function fetchRaw(
  path: string,
  options: { method?: string; host?: string; until?: (body: string) => boolean } = {},
): Promise<Reply> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.host === undefined ? {} : { host: options.host } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
          if (options.until?.(body)) {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          }
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const events = (body: string): Array<{ name: string; data: unknown }> =>
  [...body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map(([, name, data]) => ({
    name: name as string,
    data: JSON.parse(data as string),
  }));

beforeAll(async () => {
  server = await serveDashboard(feed, { host: "127.0.0.1", port: 0, meta });
  feed.start();
});

afterAll(async () => {
  await feed.stop();
  await server.close();
});

describe("serveDashboard", () => {
  it("listens on loopback and says where", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("serves the page, its script, and uPlot from the package's dependency", async () => {
    const page = await fetchRaw("/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.body).toContain('<script src="dashboard.js"></script>');
    expect((await fetchRaw("/dashboard.js")).body).toContain('new EventSource("events")');
    const uplot = await fetchRaw("/uplot.js");
    expect(uplot.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(uplot.body).toContain("uPlot");
    expect((await fetchRaw("/uplot.css")).body).toContain(".uplot");
    expect((await fetchRaw("/nothing-here")).status).toBe(404);
  });

  it("streams the snapshot on opening, then every read, as Server-Sent Events", async () => {
    const reply = await fetchRaw("/events", {
      until: (body) => events(body).filter((event) => event.name === "report").length >= 2,
    });
    expect(reply.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    const [snapshot, ...later] = events(reply.body);
    expect(snapshot).toMatchObject({ name: "snapshot", data: { meta, problem: null } });
    expect(later.map((event) => event.name)).toEqual(["report", "report"]);
    const [first, second] = later.map((event) => event.data as { report: StatusReport; sample: { t: number } });
    expect(second?.report.redisTime).toBe((first?.report.redisTime ?? 0) + 1);
    expect(second?.sample).toEqual({ t: second?.report.redisTime, limits: [] });
  });

  it("is read-only, and bound to loopback answers loopback names only (no DNS rebinding)", async () => {
    const post = await fetchRaw("/events", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    expect((await fetchRaw("/", { host: "rebound.example:80" })).status).toBe(403);
    expect((await fetchRaw("/", { host: `localhost:${new URL(server.url).port}` })).status).toBe(200);
    const head = await fetchRaw("/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });

  it("closing ends the streams of open pages", async () => {
    const other = await serveDashboard(feed, { host: "127.0.0.1", port: 0, meta });
    const url = new URL("/events", other.url);
    const ended = new Promise<void>((resolve, reject) => {
      request(url, (res) => {
        res.resume();
        res.once("data", () => void other.close());
        res.on("end", resolve);
      })
        .on("error", reject)
        .end();
    });
    await ended;
  });
});
