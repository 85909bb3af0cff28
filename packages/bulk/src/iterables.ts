export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === "function"
  );
}

/** One async iterator over either kind of iterable, pulled one value at a time. */
export function iteratorOf<I>(inputs: Iterable<I> | AsyncIterable<I>): AsyncIterator<I> {
  if (isAsyncIterable(inputs)) return (inputs as AsyncIterable<I>)[Symbol.asyncIterator]();
  const sync = (inputs as Iterable<I>)[Symbol.iterator]();
  return {
    next: async () => sync.next(),
    return: async () => sync.return?.() ?? { done: true, value: undefined },
  };
}
