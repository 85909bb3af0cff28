import { describe, expect, it, vi } from "vitest";
import { releaseOnBodyEnd } from "./release-on-body-end.js";

const original = (body: BodyInit | null, status = 200) => {
  const response = new Response(body, { status, headers: { "x-a": "1" } });
  Object.defineProperty(response, "url", { value: "https://x.test/a" });
  return response;
};

describe("releaseOnBodyEnd", () => {
  it("releases once the body is read to the end, keeping the response's looks", async () => {
    const release = vi.fn();
    const res = releaseOnBodyEnd(original("hello"), release);
    expect(release).not.toHaveBeenCalled();
    expect([res.status, res.headers.get("x-a"), res.url]).toEqual([200, "1", "https://x.test/a"]);
    expect(await res.text()).toBe("hello");
    expect(release).toHaveBeenCalledTimes(1);
  });

  it("releases on cancel and on a body error, once", async () => {
    const release = vi.fn();
    const res = releaseOnBodyEnd(original("hello"), release);
    await res.body?.cancel();
    expect(release).toHaveBeenCalledTimes(1);

    const failing = new ReadableStream({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const broken = releaseOnBodyEnd(original(failing), release);
    await expect(broken.text()).rejects.toThrow("connection reset");
    expect(release).toHaveBeenCalledTimes(2);
  });

  it("releases at once when there is no body", () => {
    const release = vi.fn();
    const res = original(null, 204);
    expect(releaseOnBodyEnd(res, release)).toBe(res);
    expect(release).toHaveBeenCalledTimes(1);
  });
});
