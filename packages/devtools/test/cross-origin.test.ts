import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TraceData } from '@tracewire/core';
import { httpExporter } from '@tracewire/core';
import { otlpExporter } from '@tracewire/otlp';
import type { Browser, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../src/index';
import { launchChromium } from './helpers/browser';
import { demoCheckout, nativeBatch } from './helpers/demo';

let browser: Browser;
let dev: DevServer | undefined;
let site: Server | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await dev?.close();
  if (site) {
    site.closeAllConnections();
    await new Promise((resolve) => site!.close(resolve));
  }
  dev = undefined;
  site = undefined;
});

/**
 * A web page on another origin that tries every way a page can POST without
 * a CORS preflight: fetch in no-cors mode with text/plain, sendBeacon, and a
 * text/plain form whose encoding spells out the JSON body.
 */
function attackPage(collector: string, batch: unknown): string {
  const body = JSON.stringify(batch);
  // name=value of a text/plain form: `{...,"pad":"` + `=` + `"}` is the batch again.
  const name = `${body.slice(0, -1)},"pad":"`;
  const data = JSON.stringify({ collector, body, name }).replace(/</g, '\\u003c');
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="post" enctype="text/plain" target="sink"><input id="i" type="hidden" value='"}'></form>
<script>
  const { collector, body, name } = ${data};
  const post = (path) =>
    fetch(collector + path, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body })
      .then(() => 'sent', () => 'failed');
  Promise.all([post('/v1/tracewire'), post('/v1/traces'), post('/')]).then(() => {
    navigator.sendBeacon(collector + '/v1/tracewire', new Blob([body], { type: 'text/plain' }));
    const form = document.getElementById('f');
    form.action = collector + '/v1/tracewire';
    document.getElementById('i').name = name;
    form.submit();
  });
</script></body></html>`;
}

async function serve(html: string): Promise<string> {
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => site!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}

it('refuses traces a real page on another origin posts, and still takes every exporter', async () => {
  const written: string[] = [];
  dev = await startDevServer({
    port: 0,
    quiet: true,
    settleMs: 50,
    write: (text) => void written.push(text),
  });
  const planted = demoCheckout().parts[0]!;
  const origin = await serve(attackPage(dev.url, nativeBatch([planted])));

  // Another port of 127.0.0.1, and localhost: both other origins, the second also "same site".
  for (const pageUrl of [origin, origin.replace('127.0.0.1', 'localhost')]) {
    const page = await browser.newPage();
    const answers: Response[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(dev!.url)) answers.push(res);
    });
    await page.goto(`${pageUrl}/`);
    // Three fetches, a beacon and the form's navigation.
    await expect.poll(() => answers.length, { timeout: 10_000 }).toBe(5);
    expect(answers.map((res) => res.status())).toEqual([403, 403, 403, 403, 403]);
    const sink = page.frame({ name: 'sink' })!;
    await expect
      .poll(() => sink.locator('body').textContent())
      .toContain('cross-origin requests are refused');
    await page.close();
  }
  expect(dev.store.size).toBe(0);
  expect(dev.store.get(planted.id)).toBeUndefined();
  expect(written.join('')).toContain(`refused a POST from a web page (Sec-Fetch-Site: same-site)`);

  // Every exporter sends no Origin: native JSON plain and gzip, OTLP JSON and protobuf, plain and gzip.
  const exporters = {
    'native json': httpExporter({ url: `${dev.url}/v1/tracewire`, compression: 'none' }),
    'native gzip': httpExporter({ url: `${dev.url}/v1/tracewire`, compression: 'gzip' }),
    'otlp json': otlpExporter({ url: dev.url, protocol: 'http/json', compression: 'none' }),
    'otlp json gzip': otlpExporter({ url: dev.url, protocol: 'http/json', compression: 'gzip' }),
    'otlp protobuf': otlpExporter({ url: dev.url, protocol: 'http/protobuf', compression: 'none' }),
    'otlp protobuf gzip': otlpExporter({
      url: dev.url,
      protocol: 'http/protobuf',
      compression: 'gzip',
    }),
  };
  const sent: Array<[string, TraceData]> = [];
  for (const [name, exporter] of Object.entries(exporters)) {
    const part = demoCheckout().parts[2]!;
    const result = await exporter.export({ traces: [part], logs: [] }, AbortSignal.timeout(5000));
    expect(result, name).toEqual({ ok: true });
    sent.push([name, part]);
  }
  for (const [name, part] of sent) {
    expect(
      dev.store.get(part.id)?.spans.map((s) => s.spanId),
      name,
    ).toEqual(part.spans.map((s) => s.spanId));
  }
  expect(dev.store.size).toBe(sent.length);
});
