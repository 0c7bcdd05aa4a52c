/** The creation time encoded in a time-ordered trace id, in Unix milliseconds. */
export function traceIdTime(traceId: string): number {
  return Number.parseInt(traceId.slice(0, 12), 16);
}
