// `req.trace` and `req.span`, declared once for both builds: the ESM and CJS
// declarations each reference this one file, so a project with both `.mts` and
// `.cts` files sees one declaration, not two that disagree (TS2717).
import type { Span, Trace } from '@tracewire/core';

declare global {
  namespace Express {
    interface Request {
      /** The request's trace, set by `tracing()`. */
      trace?: Trace;
      /** The request's root `server` span, set by `tracing()`. */
      span?: Span;
    }
  }
}
