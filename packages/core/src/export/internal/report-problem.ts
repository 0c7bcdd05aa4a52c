import { singleton } from '../../internal/global';
import type { ExportProblem } from '../pipeline-options';

/**
 * Hands a problem to the user's `onError`, or else warns on the console once per
 * problem kind for the life of the process: a dead collector must not turn into a
 * log line per request. A throwing or rejecting `onError` is swallowed.
 */
export function reportProblem(
  onError: ((problem: ExportProblem) => void) | undefined,
  problem: ExportProblem,
): void {
  if (onError !== undefined) {
    try {
      const result: unknown = onError(problem);
      if (result !== null && typeof result === 'object' && 'then' in result) {
        Promise.resolve(result).catch(() => undefined);
      }
    } catch {
      // The callback is diagnostics only; its failure must not reach the app.
    }
    return;
  }
  const warned = singleton('export.warnedKinds', () => new Set<string>());
  if (warned.has(problem.kind)) return;
  warned.add(problem.kind);
  try {
    console.warn(
      `[tracewire] ${problem.message} (further '${problem.kind}' problems are not logged; pass onError to see each one)`,
    );
  } catch {
    // A broken console must not break the app either.
  }
}
