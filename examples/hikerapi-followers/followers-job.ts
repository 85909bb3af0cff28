// The hikerapi followers job: one item per user id, one NDJSON line per page of followers.
import type { Page, TaskContext } from "../../packages/bulk/src/index.js";
import type { Follower } from "./mock-api.js";

/** An HTTP answer other than 200; `retryAfterMs` makes the bulk runner wait at least that long. */
export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, retryAfterMs: number | undefined) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

interface FollowersResponse {
  readonly response: { readonly users: Follower[] };
  readonly next_page_id: string | null;
}

export interface FollowersJobOptions {
  /**
   * Called on a 429 with the server's Retry-After, before the error goes to the runner's
   * retry: e.g. `quota.pause(ms)` so that every process sharing the quota backs off at once.
   */
  readonly onRateLimited?: (retryAfterMs: number) => Promise<unknown>;
}

/**
 * The task for `runBulk`: fetches a user's followers page by page from `api`, starting at the
 * saved cursor when resuming. The runner acquires one quota slot before each page request.
 */
export function followersTask(
  api: string,
  options: FollowersJobOptions = {},
): (userId: string, context: TaskContext) => AsyncGenerator<Page<Follower[]>, void, undefined> {
  return async function* followers(userId, { cursor, signal }) {
    let pageId = typeof cursor === "string" ? cursor : "";
    for (;;) {
      const url = `${api}/v2/user/followers?user_id=${encodeURIComponent(userId)}&page_id=${encodeURIComponent(pageId)}`;
      const res = await fetch(url, { signal, headers: { accept: "application/json" } });
      if (res.status !== 200) {
        await res.body?.cancel();
        const seconds = Number(res.headers.get("retry-after"));
        const retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
        if (res.status === 429) await options.onRateLimited?.(retryAfterMs ?? 1000);
        throw new HttpError(res.status, retryAfterMs);
      }
      const body = (await res.json()) as FollowersResponse;
      const next = body.next_page_id || null;
      yield { result: body.response.users, cursor: next };
      if (next === null) return;
      pageId = next;
    }
  };
}
