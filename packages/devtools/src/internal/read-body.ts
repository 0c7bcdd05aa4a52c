import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';

/** An error the collector answers with its own status and message. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Past this much discarded input a refused body is cut off rather than read to its end. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/**
 * Reads a request body, gunzipped or inflated per `Content-Encoding`, and
 * rejects with an HttpError when it is larger than `maxBytes` once decoded
 * (so a small gzip bomb is refused too). A refused body is still read to its
 * end and thrown away, so the sender gets the 413 instead of a reset socket.
 *
 * @example
 * const body = await readBody(req, 16 * 1024 * 1024);
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | undefined, body?: Buffer) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(body!);
    };

    const chunks: Buffer[] = [];
    let size = 0;
    let rawSize = 0;
    let failure: HttpError | undefined;
    let decoder: Gunzip | Inflate | undefined;
    let ended = false;

    const fail = (error: HttpError) => {
      if (failure) return;
      failure = error;
      chunks.length = 0;
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      // A decoder can fail after the last input byte (a truncated gzip stream).
      if (ended) settle(failure);
      else req.resume();
    };
    const collect = (chunk: Buffer) => {
      if (failure) return;
      size += chunk.length;
      if (size > maxBytes) {
        fail(new HttpError(413, `request body is larger than ${describeBytes(maxBytes)}`));
        return;
      }
      chunks.push(chunk);
    };

    const encoding = String(req.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase();
    if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
    else if (encoding === 'deflate') decoder = createInflate();
    else if (encoding !== '' && encoding !== 'identity') {
      fail(
        new HttpError(
          415,
          `unsupported Content-Encoding ${JSON.stringify(encoding)}; send gzip, deflate or no encoding`,
        ),
      );
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      fail(new HttpError(413, `request body is larger than ${describeBytes(maxBytes)}`));
    }

    req.on('data', (chunk: Buffer) => {
      rawSize += chunk.length;
      if (failure) {
        if (rawSize > maxBytes + MAX_DISCARD_BYTES) {
          req.destroy();
          settle(failure);
        }
        return;
      }
      if (!decoder) collect(chunk);
    });
    req.on('end', () => {
      ended = true;
      if (failure) settle(failure);
      else if (!decoder) settle(undefined, Buffer.concat(chunks, size));
    });
    req.on('error', () =>
      settle(failure ?? new HttpError(400, 'the request body could not be read')),
    );
    req.on('close', () => {
      if (!req.complete) settle(failure ?? new HttpError(400, 'the request was aborted'));
    });

    if (decoder && !failure) {
      const d = decoder;
      d.on('data', collect);
      d.on('end', () => {
        if (!failure) settle(undefined, Buffer.concat(chunks, size));
      });
      d.on('error', (error: Error) =>
        fail(new HttpError(400, `the ${encoding} body could not be decoded: ${error.message}`)),
      );
      req.pipe(d);
    }
  });
}

function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
