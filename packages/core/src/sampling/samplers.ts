import type { Attributes, SpanContext } from '../types';

/** What a head sampler sees when a trace starts. */
export interface SamplingInput {
  traceId: string;
  name: string;
  /** The inbound (remote or local) parent, when the trace continues one. */
  parent?: SpanContext;
  attributes?: Attributes;
}

/** Decides at trace start whether a trace is recorded. Unsampled traces still propagate. */
export interface Sampler {
  readonly description: string;
  shouldSample(input: SamplingInput): boolean;
}

/** Records every trace. */
export function alwaysOn(): Sampler {
  return { description: 'always_on', shouldSample: () => true };
}

/** Records no trace (context still propagates). */
export function alwaysOff(): Sampler {
  return { description: 'always_off', shouldSample: () => false };
}

const RANDOM_SPACE = 2 ** 56;

/**
 * Records the given fraction of traces, deterministically on the trace id's
 * random low 56 bits, so every service with the same ratio agrees.
 *
 * @example createTracer({ serviceName: 'api', sampler: ratioSampler(0.1) })
 */
export function ratioSampler(ratio: number): Sampler {
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new RangeError(`tracewire: a sampling ratio must be between 0 and 1, got ${ratio}.`);
  }
  const bound = Math.floor(ratio * RANDOM_SPACE);
  return {
    description: `ratio(${ratio})`,
    shouldSample: ({ traceId }) => ratio >= 1 || traceIdRandom(traceId) < bound,
  };
}

/** The trace id's low 56 bits as a number in [0, 2^56). */
export function traceIdRandom(traceId: string): number {
  return Number.parseInt(traceId.slice(18), 16);
}

/**
 * Follows the inbound sampled flag when there is a parent, and `root` otherwise.
 *
 * @example createTracer({ serviceName: 'api', sampler: parentBased(ratioSampler(0.25)) })
 */
export function parentBased(root: Sampler = alwaysOn()): Sampler {
  return {
    description: `parent_based(${root.description})`,
    shouldSample: (input) => (input.parent ? input.parent.sampled : root.shouldSample(input)),
  };
}

/** `'always' | 'never' | ratio number | Sampler`, as accepted by `createTracer`. */
export type SamplerOption = Sampler | 'always' | 'never' | number;

export function resolveSampler(option: SamplerOption | undefined): Sampler {
  if (option === undefined) return parentBased(alwaysOn());
  if (option === 'always') return parentBased(alwaysOn());
  if (option === 'never') return parentBased(alwaysOff());
  if (typeof option === 'number') return parentBased(ratioSampler(option));
  if (option && typeof option.shouldSample === 'function') return option;
  throw new TypeError(
    "tracewire: sampler must be 'always', 'never', a ratio between 0 and 1, or an object with shouldSample().",
  );
}

/**
 * Decides at trace end, once the whole trace is known. Applied only to traces the
 * head sampler recorded: keep every trace with an error, keep slow traces, and
 * keep `ratio` of the rest.
 */
export interface TailPolicy {
  /** Keep every trace with an errored span. Default true. */
  keepErrors?: boolean;
  /** Keep every trace at least this slow. */
  slowerThanMs?: number;
  /** Fraction of the remaining traces kept, deterministic on the trace id. Default 1. */
  ratio?: number;
}

export interface TailInput {
  traceId: string;
  hasError: boolean;
  durationMs: number;
}

export function tailDecider(
  policy: TailPolicy | undefined,
): ((input: TailInput) => boolean) | undefined {
  if (!policy) return undefined;
  const keepErrors = policy.keepErrors ?? true;
  const slow = policy.slowerThanMs;
  const rest = ratioSampler(policy.ratio ?? 1);
  return (input) =>
    (keepErrors && input.hasError) ||
    (slow !== undefined && input.durationMs >= slow) ||
    rest.shouldSample({ traceId: input.traceId, name: '' });
}
