import { describe, expect, it } from "vitest";
import { readUpTo } from "./read-up-to.js";

const streamed = (chunks: number[]): Response =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const size of chunks) controller.enqueue(new Uint8Array(size).fill(120));
        controller.close();
      },
    }),
  );

describe("readUpTo", () => {
  it("reads a body within the limit and leaves the response readable", async () => {
    const response = new Response("hello");
    expect(new TextDecoder().decode(await readUpTo(response, 5))).toBe("hello");
    expect(await response.text()).toBe("hello");
  });

  it("gives up on a declared Content-Length over the limit without reading", async () => {
    const response = new Response("hello", { headers: { "content-length": "5" } });
    expect(await readUpTo(response, 4)).toBeUndefined();
    expect(response.bodyUsed).toBe(false);
  });

  it("stops a stream without Content-Length once past the limit; the caller still gets it all", async () => {
    const response = streamed([3, 3, 3]);
    expect(await readUpTo(response, 5)).toBeUndefined();
    expect((await response.arrayBuffer()).byteLength).toBe(9);
  });

  it("reads an empty body as zero bytes", async () => {
    expect((await readUpTo(new Response(null), 0))?.byteLength).toBe(0);
  });
});
