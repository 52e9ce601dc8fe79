/**
 * For a line that could be written once per request or per failure: counts each time it
 * could be, and answers when it may be written, at most once per `everyMs`, with how many
 * times it could have been since it last was (this one included); `undefined` otherwise.
 * A line per occurrence would flood the logs at the rate of the traffic, exactly when
 * something is wrong.
 */
export function createLogThrottle(everyMs: number): () => number | undefined {
  let since = 0;
  let writtenAt = Number.NEGATIVE_INFINITY;
  return () => {
    since += 1;
    if (performance.now() - writtenAt < everyMs) return undefined;
    writtenAt = performance.now();
    const count = since;
    since = 0;
    return count;
  };
}
