/**
 * The body of `response` when it is at most `maxBytes` long, else `undefined`. Reads a clone, so
 * `response` stays readable; stops reading (and cancels the clone) once past the limit.
 */
export async function readUpTo(response: Response, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const declared = response.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) return undefined;
  const body = response.clone().body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Not awaited: a tee branch's cancel settles only once the other branch (the caller's) ends.
      reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
