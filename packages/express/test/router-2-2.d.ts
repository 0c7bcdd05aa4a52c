// router 2.2 (what Express 5.0 and 5.1 may resolve to) is installed under an alias for the tests.
declare module 'router-2-2' {
  import type { Router as ExpressRouter, RouterOptions } from 'express';
  export default function Router(options?: RouterOptions): ExpressRouter;
}
