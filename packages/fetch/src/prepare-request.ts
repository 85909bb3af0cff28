/** A request ready to be sent once or several times. */
export interface PreparedRequest {
  /** The request as given (its body already read when `replayable`). */
  readonly base: Request;
  /** The buffered body, or `undefined` when there is none or it is a stream. */
  readonly body: ArrayBuffer | undefined;
  /** False when the body is a stream: it can be sent once only, so the request is never retried. */
  readonly replayable: boolean;
}

const isStream = (body: unknown): boolean =>
  body instanceof ReadableStream ||
  (typeof body === "object" && body !== null && Symbol.asyncIterator in body && !(body instanceof Blob));

/**
 * Buffers the body of `base` (built from `input` and `init`: string, ArrayBuffer, Blob, URLSearchParams,
 * FormData, or a `Request` input's body) so retries can resend it. A `ReadableStream` or async
 * iterable body in `init.body` is left as is and sent once.
 */
export async function prepareRequest(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): Promise<PreparedRequest> {
  const base = new Request(input, init);
  if (base.body === null) return { base, body: undefined, replayable: true };
  if (init?.body !== undefined && init.body !== null && isStream(init.body)) {
    return { base, body: undefined, replayable: false };
  }
  const body = await base.arrayBuffer();
  return { base, body, replayable: true };
}

/** One attempt of a prepared request, with its own headers and signal. */
export function attemptRequest(prepared: PreparedRequest, headers: Headers, signal: AbortSignal): Request {
  const init: RequestInit = { headers, signal };
  if (prepared.body !== undefined) init.body = prepared.body;
  return new Request(prepared.base, init);
}
