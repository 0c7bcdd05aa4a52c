import { expect, it } from 'vitest';
import * as devtools from '../src/index';

it('exports exactly the public API', () => {
  expect(Object.keys(devtools).sort()).toEqual(['createTraceStore', 'startDevServer', 'summarize']);
});
