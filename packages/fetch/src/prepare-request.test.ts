import { describe, expect, it } from "vitest";
import { attemptRequest, prepareRequest } from "./prepare-request.js";

const prepare = (input: RequestInfo | URL, init?: RequestInit) => prepareRequest(new Request(input, init), init);

describe("prepareRequest", () => {
  it("buffers strings, blobs, form data and Request bodies so each attempt resends them", async () => {
    const form = new FormData();
    form.set("field", "value");
    for (const [input, init] of [
      ["https://x.test/", { method: "POST", body: "text" }],
      ["https://x.test/", { method: "POST", body: new Blob(["blob"]) }],
      ["https://x.test/", { method: "POST", body: form }],
      [new Request("https://x.test/", { method: "POST", body: "from request" }), undefined],
    ] as Array<[RequestInfo, RequestInit | undefined]>) {
      const prepared = await prepare(input, init);
      expect(prepared.replayable).toBe(true);
      const signal = new AbortController().signal;
      const one = await attemptRequest(prepared, new Headers(prepared.base.headers), signal).text();
      const two = await attemptRequest(prepared, new Headers(prepared.base.headers), signal).text();
      expect(one).toBe(two);
      expect(one.length).toBeGreaterThan(0);
    }
  });

  it("keeps a stream body as is and marks it not replayable", async () => {
    const body = new Blob(["s"]).stream();
    const prepared = await prepare("https://x.test/", { method: "POST", body, duplex: "half" } as RequestInit);
    expect(prepared.replayable).toBe(false);
    expect(await attemptRequest(prepared, new Headers(), new AbortController().signal).text()).toBe("s");
  });

  it("has nothing to buffer for a GET", async () => {
    const prepared = await prepare("https://x.test/");
    expect(prepared).toMatchObject({ body: undefined, replayable: true });
  });
});
