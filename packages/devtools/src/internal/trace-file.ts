import { createReadStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { NativeBatch } from '../types';
import { normalizeBatch } from './normalize';

/**
 * The `--file` persistence: JSON Lines, one native batch
 * (`{"schemaVersion":1,"traces":[...],"logs":[...]}`) per line, appended as
 * batches arrive and replayed through the same assembly on start. Each line is
 * the native wire format, so a file can also be replayed with curl.
 */
export interface TraceFile {
  readonly path: string;
  /**
   * Streams every batch in the file to `onBatch`, so a large file never sits
   * in memory whole; a missing file is empty, a broken line is skipped.
   */
  load(onBatch: (batch: NativeBatch) => void): Promise<{ batches: number; skipped: number }>;
  append(batch: NativeBatch): void;
  /** Resolves when every append so far has been written (or has failed). */
  flush(): Promise<void>;
}

export function traceFile(path: string, onError: (error: Error) => void): TraceFile {
  let queue: Promise<void> = Promise.resolve();
  return {
    path,
    async load(onBatch) {
      let batches = 0;
      let skipped = 0;
      const input = createReadStream(path, { encoding: 'utf8' });
      try {
        const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of lines) {
          if (line.trim() === '') continue;
          let batch: NativeBatch;
          try {
            batch = normalizeBatch(JSON.parse(line));
          } catch {
            skipped++;
            continue;
          }
          batches++;
          onBatch({ traces: batch.traces, logs: batch.logs });
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      } finally {
        input.destroy();
      }
      return { batches, skipped };
    },
    append(batch) {
      if (batch.traces.length === 0 && batch.logs.length === 0) return;
      const line = `${JSON.stringify({ schemaVersion: 1, traces: batch.traces, logs: batch.logs })}\n`;
      queue = queue
        .then(() => appendFile(path, line, 'utf8'))
        .catch((error: unknown) =>
          onError(error instanceof Error ? error : new Error(String(error))),
        );
    },
    flush() {
      return queue;
    },
  };
}
