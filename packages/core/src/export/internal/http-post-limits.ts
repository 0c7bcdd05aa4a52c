/** Response bodies are read (so the connection can be reused) up to this much, then cancelled. */
export const MAX_DRAIN_BYTES = 64 * 1024;
/** How much of an error response goes into the error message. */
export const MAX_DETAIL_CHARS = 300;
