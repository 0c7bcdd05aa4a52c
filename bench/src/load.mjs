// The load generator in its own process (pinned apart from the server by the
// driver): autocannon's programmatic API against one 127.0.0.1 URL, for a bounded
// time or a bounded number of requests. Receives its options as one JSON argument
// and answers `go` with a `result` message.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(options.url);
if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
  console.error('load: refusing a non-loopback target');
  process.exit(2);
}

process.on('message', async (message) => {
  if (message?.type === 'stop') process.exit(0);
  if (message?.type !== 'go') return;
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 50,
    pipelining: 1,
    // A bounded run always: either a duration, or an amount with a time cap.
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 5 }),
    timeout: 10,
    setupClient: undefined,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const total = result.requests.total;
  process.send({
    type: 'result',
    tool: 'autocannon',
    requests: total,
    seconds,
    rps: total / (result.duration || seconds),
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  });
});
// The driver went away: stop loading.
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
