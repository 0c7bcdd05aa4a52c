import { request } from 'node:http';

/**
 * `total` GETs of `url` over `connections` keep-alive connections of `agent`,
 * each answered (with a 200) before its connection sends the next: a fixed
 * amount of work, for the instruments that count rather than time.
 */
export async function drive(url, agent, total, connections) {
  let sent = 0;
  const loop = async () => {
    while (sent < total) {
      sent++;
      await get(url, agent);
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
}

function get(url, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}`));
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The index of the last entry of `sorted` (ascending by `start`) whose `start`
 * is at or below `address`, or -1: where to look up the code that holds an address.
 */
export function lastStartAtOrBelow(sorted, address) {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].start <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}
