const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Calls `release` once the response body is read to the end, cancelled or fails, or at once when
 * there is no body. The returned Response keeps status, headers, `url`, `redirected` and `type`.
 * A body nobody reads keeps its slot until the concurrency rule's lease expires.
 */
export function releaseOnBodyEnd(response: Response, release: () => void): Response {
  const body = response.body;
  if (body === null || NULL_BODY_STATUSES.has(response.status)) {
    release();
    return response;
  }
  let released = false;
  const finish = (): void => {
    if (released) return;
    released = true;
    release();
  };
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            finish();
            controller.close();
          } else controller.enqueue(chunk.value);
        } catch (error) {
          finish();
          controller.error(error);
        }
      },
      async cancel(reason) {
        finish();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const wrapped = new Response(stream, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  for (const property of ["url", "redirected", "type"] as const) {
    Object.defineProperty(wrapped, property, { value: response[property], enumerable: true });
  }
  return wrapped;
}
