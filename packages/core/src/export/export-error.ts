import type { ExportProblem } from './pipeline-options';

export type ExportProblemKind = ExportProblem['kind'];

const KINDS: ReadonlySet<string> = new Set<ExportProblemKind>([
  'network',
  'timeout',
  'http-status',
  'rejected',
  'queue-full',
  'exporter-threw',
  'auth',
  'serialize',
]);

/**
 * The error inside a failed `ExportResult`, tagged with what went wrong so the
 * pipeline can report a precise problem kind. Exporters that return a plain
 * `Error` still work; they are reported as `network` (retryable) or `rejected`.
 */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  readonly kind: ExportProblemKind;
  /** The HTTP status when the collector answered. */
  readonly status?: number;

  constructor(
    kind: ExportProblemKind,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/**
 * The problem kind an error carries. Duck-typed rather than `instanceof`, because
 * the ESM and CJS builds of core (or an exporter package bundling its own copy)
 * each have their own `ExportError` class.
 */
export function errorKind(error: unknown): ExportProblemKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const kind = (error as { kind?: unknown }).kind;
  return typeof kind === 'string' && KINDS.has(kind) ? (kind as ExportProblemKind) : undefined;
}

/** A short, single-line description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'unknown error';
  }
}
