import type { ArgumentsHost } from '@nestjs/common';
import { requestOf } from './requests';

/** What is used of Nest's `ExceptionsHandler` (`@nestjs/core`, not part of its public exports). */
interface ExceptionsHandlerClass {
  prototype: { next?(exception: unknown, host: ArgumentsHost): void };
}

const HOOKED = Symbol.for('tracewire.nestjs.exceptions-handler');

/**
 * Records, on its traced request, every exception Nest's HTTP router hands to
 * its exception filters: what guards, interceptors, pipes and the handler throw.
 * `RouterProxy` passes each of them to `ExceptionsHandler.next(exception, host)`
 * before any filter, yours or Nest's, sees it; this wraps that method, records
 * the exception and calls the original with the same arguments, so filters run
 * exactly as before. Seeing it there costs nothing per request, where an
 * interceptor puts every request through Nest's RxJS pipeline. Installed once
 * per loaded copy of Nest; returns false when Nest's class is not what it expects.
 */
export function hookExceptionsHandler(handler: ExceptionsHandlerClass): boolean {
  const prototype = handler?.prototype as
    | (ExceptionsHandlerClass['prototype'] & { [HOOKED]?: true })
    | undefined;
  if (prototype === undefined || typeof prototype.next !== 'function') return false;
  if (prototype[HOOKED]) return true;
  const original = prototype.next;
  prototype.next = function next(this: unknown, exception: unknown, host: ArgumentsHost) {
    recordException(exception, host);
    return original.call(this, exception, host);
  };
  Object.defineProperty(prototype, HOOKED, { value: true });
  return true;
}

function recordException(exception: unknown, host: ArgumentsHost): void {
  try {
    if (host.getType() !== 'http') return;
    requestOf(host.getArgByIndex(0))?.recordError(exception);
  } catch {
    // Whatever the host turns out to be, the exception still goes to the filters.
  }
}

let installing: Promise<boolean> | undefined;

/**
 * Loads Nest's `ExceptionsHandler` and hooks it, once per process. Never
 * rejects: when a future Nest moves or changes it, failed requests are still
 * recorded by their status, and one warning says why their exceptions are not.
 */
export function installExceptionsHook(): Promise<boolean> {
  installing ??= import('@nestjs/core/exceptions/exceptions-handler.js').then(
    (module: { ExceptionsHandler?: ExceptionsHandlerClass }) => {
      if (
        module.ExceptionsHandler !== undefined &&
        hookExceptionsHandler(module.ExceptionsHandler)
      ) {
        return true;
      }
      return warn('@nestjs/core has no ExceptionsHandler.prototype.next');
    },
    (error: unknown) => warn(String((error as Error)?.message ?? error)),
  );
  return installing;
}

function warn(why: string): false {
  process.emitWarning(
    `tracewire: cannot see the exceptions Nest's router handles (${why}); failed requests are recorded by their status alone.`,
    { code: 'TRACEWIRE_NEST_EXCEPTIONS' },
  );
  return false;
}
