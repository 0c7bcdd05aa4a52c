// Runs the bundled worker in workerd through miniflare (which needs Node >= 22, so
// the suite starts this file with the Node 22 binary). Prints `LISTENING <port>`;
// the line `evict` on stdin restarts workerd, so the next request meets a new isolate.
import { createInterface } from 'node:readline';
import { Miniflare } from 'miniflare';

const [scriptPath, flags = ''] = process.argv.slice(2);
// The modules listed, as wrangler lists its bundle: miniflare's own scan of the
// source would reject the non-literal `import()` core keeps for Node.
const options = {
  modules: [{ type: 'ESModule', path: scriptPath }],
  compatibilityDate: '2026-07-01',
  compatibilityFlags: flags === '' ? [] : flags.split(','),
  host: '127.0.0.1',
  port: 0,
};

const mf = new Miniflare(options);
console.log(`LISTENING ${(await mf.ready).port}`);

createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line.trim() !== 'evict') return;
  await mf.setOptions(options);
  console.log(`EVICTED ${(await mf.ready).port}`);
});
process.stdin.on('end', async () => {
  await mf.dispose();
  process.exit(0);
});
