/** Where @upstash/redis starts quoting the request in an error's message. */
const QUOTE = ", command was: ";

/**
 * The error as Sluice may pass it on: @upstash/redis ends the message of a failed request with
 * the whole request (`…, command was: ["eval","<script source>",…]`), every key and argument and
 * a script's source included. A copy keeps Redis's own words and the stack, and drops that part;
 * any other error is returned as it is (the token travels in a header, never in a message).
 * @example withoutCommand(new Error('NOSCRIPT No matching script, command was: ["evalsha",…]')).message // "NOSCRIPT No matching script"
 */
export function withoutCommand(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const at = error.message.indexOf(QUOTE);
  if (at < 0) return error;
  const message = error.message.slice(0, at);
  const safe = new Error(message);
  safe.name = error.name;
  const frames = error.stack?.indexOf("\n    at ") ?? -1;
  if (frames >= 0) safe.stack = `${error.name}: ${message}${(error.stack as string).slice(frames)}`;
  return safe;
}
