import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TraceData } from '@tracewire/core';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../src/index';
import { CHROMIUM, CHROMIUM_ARGS, launchChromium, watchPage } from './helpers/browser';
import {
  demoCheckout,
  HOSTILE_NAME,
  heavyPart,
  nativeBatch,
  newSpanId,
  post,
} from './helpers/demo';

const SCREENSHOT = join(tmpdir(), 'devtools-page.png');

let browser: Browser;
let dev: DevServer | undefined;
let page: Page | undefined;
/** What the page must never do: run injected script, throw, or trip its CSP. */
let problems: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await page?.close();
  await dev?.close();
  page = undefined;
  dev = undefined;
  expect(problems).toEqual([]);
  problems = [];
});

/** One read of every match, so a list re-rendered meanwhile cannot leave a stale index waiting. */
function attributeOfAll(locator: Locator, name: string): Promise<Array<string | null>> {
  return locator.evaluateAll((els, attr) => els.map((el) => el.getAttribute(attr)), name);
}

async function open(server: DevServer, path = '/'): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  // A stuck action fails with Playwright's account of why, well before the test times out.
  p.setDefaultTimeout(8000);
  watchPage(p, problems);
  await p.goto(`${server.url}${path}`);
  return p;
}

/** A 2xx request as core's HTTP lifecycle records it: the status stays `unset`, as in OpenTelemetry. */
function unsetPart(part: TraceData, statusCode: number): TraceData {
  part.status = 'unset';
  for (const span of part.spans) span.status = 'unset';
  part.spans[0]!.attributes['http.response.status_code'] = statusCode;
  return part;
}

describe('the trace viewer in a real browser', () => {
  it('lists the trace, draws the four-service waterfall and shows span details', async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const demo = demoCheckout({ hostile: true });
    const older = demoCheckout({ t0: Date.now() - 60_000 });
    const [gateway, orders, payments, inventory] = demo.parts;
    await post(`${dev.url}/v1/tracewire`, nativeBatch(older.parts.slice(0, 2)));
    await post(`${dev.url}/v1/tracewire`, nativeBatch([payments!, orders!]));
    await post(`${dev.url}/v1/tracewire`, nativeBatch([gateway!]), { gzip: true });

    page = await open(dev);
    const row = page.locator(`.trace-row[data-trace-id="${demo.traceId}"]`);
    await row.waitFor();
    await expect.poll(() => page!.locator('.trace-row').count()).toBe(2);
    expect(await row.getAttribute('data-status')).toBe('error');
    expect(await row.getAttribute('class')).toContain('is-error');
    const rowText = await row.textContent();
    expect(rowText).toContain('POST /checkout');
    expect(rowText).toContain('9 spans');
    expect(rowText).toContain('1 error');
    expect(rowText).toContain('502');

    await row.click();
    const spans = page.locator('.span-row');
    await expect.poll(() => spans.count()).toBe(9);

    // The last service's part arrives while the trace is open: it joins live.
    await post(`${dev.url}/v1/tracewire`, nativeBatch([inventory!]));
    await expect.poll(() => spans.count()).toBe(11);
    const services = [...new Set(await attributeOfAll(spans, 'data-service'))];
    expect(services.sort()).toEqual(['gateway', 'inventory', 'orders', 'payments']);
    expect(await page.locator('#legend .svc').allInnerTexts()).toEqual([
      expect.stringContaining('gateway'),
      expect.stringContaining('orders'),
      expect.stringContaining('payments'),
      expect.stringContaining('inventory'),
    ]);
    // Rows follow the call tree: each downstream root right under its caller's client span.
    const order = await attributeOfAll(spans, 'data-span-id');
    expect(order.indexOf(demo.ids.paymentsRoot)).toBe(order.indexOf(demo.ids.ordersToPayments) + 1);
    expect(order.indexOf(demo.ids.inventoryRoot)).toBe(
      order.indexOf(demo.ids.ordersToInventory) + 1,
    );
    expect(order[0]).toBe(demo.ids.gatewayRoot);

    const failed = page.locator(`.span-row[data-span-id="${demo.ids.charge}"]`);
    expect(await failed.getAttribute('data-status')).toBe('error');
    expect(await failed.getAttribute('class')).toContain('is-error');
    expect(await failed.locator('.bar').getAttribute('class')).toContain('is-error');
    await failed.locator('.err-mark').waitFor();
    const healthy = page.locator(`.span-row[data-span-id="${demo.ids.paymentsRoot}"]`);
    expect(await healthy.getAttribute('class')).not.toContain('is-error');

    await failed.click();
    const error = page.locator('#span-error');
    await error.waitFor();
    expect(await error.textContent()).toContain(
      'CardDeclinedError: card declined: insufficient funds',
    );
    expect(await error.locator('pre').textContent()).toContain('payments/src/charge.ts:42:11');
    expect(await page.locator('#span-logs').textContent()).toContain('charge failed for order 42');

    await page.locator(`.span-row[data-span-id="${demo.ids.llm}"]`).click();
    const llm = page.locator('#span-llm');
    await llm.waitFor();
    expect(await llm.textContent()).toContain('gpt-4o-mini');
    expect(await page.locator('#llm-input-tokens b').textContent()).toBe('1,234');
    expect(await page.locator('#llm-output-tokens b').textContent()).toBe('56');
    expect(await page.locator('#llm-total-tokens b').textContent()).toBe('1,290');
    expect(await page.locator('#llm-cost b').textContent()).toBe('$0.00042');
    expect(await page.locator('#span-input').textContent()).toContain(
      '"content": "Summarise order 42"',
    );
    expect(await page.locator('.side').textContent()).toContain('orders');

    // A hostile span name is text, never markup.
    const hostile = page.locator(`.span-row[data-span-id="${demo.ids.hostile}"] .span-name`);
    expect(await hostile.textContent()).toBe(HOSTILE_NAME);
    expect(await hostile.evaluate((el) => el.children.length)).toBe(0);
    expect(await page.locator('img').count()).toBe(0);

    await page.screenshot({ path: SCREENSHOT });
  });

  it('filters by errors, service and search text, and shows new traces live', async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const failing = demoCheckout();
    const healthy = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch(failing.parts));
    await post(`${dev.url}/v1/tracewire`, nativeBatch([healthy.parts[3]!]));

    page = await open(dev);
    const rows = page.locator('.trace-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('#count-error').textContent()).toBe('1');

    await page.locator('.seg button[data-status="error"]').click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-trace-id')).toBe(failing.traceId);

    await page.locator('.seg button[data-status=""]').click();
    await page.locator('#service').selectOption('inventory');
    await expect.poll(() => rows.count()).toBe(2);
    await page.locator('#service').selectOption('gateway');
    await expect.poll(() => rows.count()).toBe(1);
    await page.locator('#service').selectOption('');

    await page.locator('#q').fill(healthy.traceId.slice(0, 10));
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-trace-id')).toBe(healthy.traceId);
    await page.locator('#q').fill('');
    await expect.poll(() => rows.count()).toBe(2);

    const late = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch([late.parts[0]!]));
    await page.locator(`.trace-row[data-trace-id="${late.traceId}"]`).waitFor();
    expect(await page.locator('.live').getAttribute('class')).toContain('on');

    // The URL names the open trace, so a reload (or a link from the terminal) opens it.
    await page.goto(`${dev.url}/#trace=${late.traceId}`);
    await expect.poll(() => page!.locator('.span-row').count()).toBe(2);
  });
});

describe('what the viewer shows of a trace', () => {
  it('shows a trace without logs with nothing stray under it, and its outcome in words', async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const ok = unsetPart(demoCheckout().parts[3]!, 200);
    const missing = unsetPart(demoCheckout().parts[3]!, 404);
    const failed = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch([ok, missing, ...failed.parts]));

    page = await open(dev, `/trace/${ok.id}`);
    const detail = page.locator('#detail');
    await page.locator('#trace-head').waitFor();
    expect(await page.locator('.span-row').count()).toBe(2);
    // Every child of the detail pane is an element: no "null" or other stray text.
    expect(
      await detail.evaluate((el) =>
        [...el.childNodes].filter((n) => n.nodeType !== 1).map((n) => n.textContent),
      ),
    ).toEqual([]);
    expect(await detail.textContent()).not.toMatch(/\bnull\b/);
    expect(await page.locator('#trace-logs').count()).toBe(0);
    expect(await page.locator('#trace-outcome').textContent()).toBe('OK');
    expect(await page.locator('#trace-head .code').textContent()).toBe('200');
    expect(await page.locator('#trace-head').textContent()).not.toMatch(/unset/i);
    const okRow = page.locator(`.trace-row[data-trace-id="${ok.id}"]`);
    expect(await okRow.getAttribute('data-outcome')).toBe('OK');

    // The span panel names the outcome and keeps the raw status.
    await page.locator(`.span-row[data-span-id="${ok.rootSpanId}"]`).click();
    expect(await page.locator('#span-outcome').textContent()).toBe('OK');
    const facts = await page.locator('.side .kv').first().textContent();
    expect(facts).toMatch(/Status\s*unset/);

    await page.locator(`.trace-row[data-trace-id="${missing.id}"]`).click();
    await expect.poll(() => page!.locator('#trace-outcome').textContent()).toBe('Client error');
    expect(await page.locator('#trace-head .code').textContent()).toBe('404');
    await page.locator(`.trace-row[data-trace-id="${failed.traceId}"]`).click();
    await expect.poll(() => page!.locator('#trace-outcome').textContent()).toBe('Error');
    expect(await page.locator('#trace-head .code').textContent()).toBe('502');
    // This one has logs: the section is there, still without stray text.
    await page.locator('#trace-logs').waitFor();
    expect(
      await detail.evaluate((el) => [...el.childNodes].filter((n) => n.nodeType !== 1).length),
    ).toBe(0);
  });

  it("shows a trace's user, session and tags, and lists every trace of one at a click", async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const traces = (
      [
        ['alice', 'sess-1', ['checkout', 'beta']],
        ['bob', 'sess-1', ['checkout']],
        ['alice', 'sess-2', []],
      ] as const
    ).map(([userId, sessionId, tags]) => {
      const part = demoCheckout().parts[3]!;
      Object.assign(part, { userId, sessionId, tags: [...tags] });
      return part;
    });
    await post(`${dev.url}/v1/tracewire`, nativeBatch(traces));

    page = await open(dev, `/trace/${traces[0]!.id}`);
    const rows = page.locator('.trace-row');
    await expect.poll(() => rows.count()).toBe(3);
    const context = page.locator('#trace-context .ctx');
    expect(await context.allTextContents()).toEqual([
      expect.stringMatching(/user\s*alice/i),
      expect.stringMatching(/session\s*sess-1/i),
      expect.stringMatching(/tag\s*checkout/i),
      expect.stringMatching(/tag\s*beta/i),
    ]);
    const ids = async () => (await attributeOfAll(rows, 'data-trace-id')).sort();
    const of = (...i: number[]) => i.map((n) => traces[n]!.id).sort();

    await page.locator('#trace-context .ctx[data-filter="session"]').click();
    await expect.poll(ids).toEqual(of(0, 1));
    expect(await page.locator('#active-filters').isVisible()).toBe(true);
    expect(await page.locator('#active-filters').textContent()).toMatch(/session\s*sess-1/i);
    expect(await page.locator('#list-count').textContent()).toBe('2 of 3');
    // Removing the filter shows every trace again.
    await page.locator('#active-filters .ctx[data-filter="session"]').click();
    await expect.poll(ids).toEqual(of(0, 1, 2));
    expect(await page.locator('#active-filters').isVisible()).toBe(false);

    await page.locator('#trace-context .ctx[data-filter="user"]').click();
    await expect.poll(ids).toEqual(of(0, 2));
    await page.locator('#trace-context .ctx[data-filter="tag"][data-value="beta"]').click();
    await expect.poll(ids).toEqual(of(0));
    // The list row names user and session too.
    const row = await rows.first().textContent();
    expect(row).toContain('user alice');
    expect(row).toContain('session sess-1');
  });

  it('shows LLM token and cost totals per trace in the list and header, and per span', async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const demo = demoCheckout();
    const orders = demo.parts[1]!;
    const second = {
      ...orders.spans.find((s) => s.spanId === demo.ids.llm)!,
      spanId: newSpanId(),
      name: 'rank results',
      model: 'claude-haiku',
      provider: 'anthropic',
      usage: { inputTokens: 400, outputTokens: 100, totalTokens: 500 },
      cost: 0.0012,
    };
    orders.spans.push(second);
    const plain = demoCheckout().parts[3]!;
    await post(`${dev.url}/v1/tracewire`, nativeBatch([...demo.parts, plain]));

    page = await open(dev, `/trace/${demo.traceId}`);
    const row = page.locator(`.trace-row[data-trace-id="${demo.traceId}"]`);
    // 1,290 + 500 tokens; $0.00042 + $0.0012.
    expect(await row.locator('.tr-llm').textContent()).toBe('1,790 tokens · $0.0016');
    expect(await row.locator('.tr-llm').getAttribute('title')).toBe('2 LLM calls');
    expect(await page.locator(`.trace-row[data-trace-id="${plain.id}"] .tr-llm`).count()).toBe(0);
    expect(await page.locator('#trace-tokens').textContent()).toBe(
      '1,790 tokens (1,634 in, 156 out)',
    );
    expect(await page.locator('#trace-cost').textContent()).toBe('$0.0016');
    expect(await page.locator('#trace-llm').textContent()).toContain('2 LLM calls');

    await page.locator(`.span-row[data-span-id="${second.spanId}"]`).click();
    expect(await page.locator('#span-llm').textContent()).toContain('claude-haiku');
    expect(await page.locator('#llm-total-tokens b').textContent()).toBe('500');
    expect(await page.locator('#llm-cost b').textContent()).toBe('$0.0012');
    await page.locator(`.span-row[data-span-id="${demo.ids.llm}"]`).click();
    expect(await page.locator('#llm-cost b').textContent()).toBe('$0.00042');

    await page.locator(`.trace-row[data-trace-id="${plain.id}"]`).click();
    await page.locator(`.span-row[data-span-id="${plain.rootSpanId}"]`).waitFor();
    expect(await page.locator('#trace-llm').count()).toBe(0);
  });

  it('shows long service names whole where the waterfall has room', async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const demo = demoCheckout();
    for (const part of demo.parts) part.serviceName = `${part.serviceName}-reservation-service`;
    await post(`${dev.url}/v1/tracewire`, nativeBatch(demo.parts));
    page = await open(dev, `/trace/${demo.traceId}`);
    await page.locator('.span-svc').first().waitFor();
    const labels = page.locator('.span-svc, .trace-row .svc-name');
    const cut = await labels.evaluateAll((els) =>
      els.filter((el) => el.scrollWidth > el.clientWidth).map((el) => el.textContent),
    );
    expect(await labels.count()).toBeGreaterThanOrEqual(4);
    expect(cut).toEqual([]);
  });

  it('keeps within its byte cap and marks a trace it had to truncate', async () => {
    dev = await startDevServer({
      port: 0,
      quiet: true,
      settleMs: 50,
      maxBytes: 400_000,
      maxTraceBytes: 150_000,
    });
    // About 100 kB each: the first ones are evicted to stay under 400 kB.
    const traces = Array.from({ length: 5 }, () => heavyPart(10, 10_000));
    for (const trace of traces) await post(`${dev.url}/v1/tracewire`, nativeBatch([trace]));
    // Ten texts of 40,000 characters: cut to 16 KiB each, and still more spans than fit.
    const big = heavyPart(10, 40_000);
    await post(`${dev.url}/v1/tracewire`, nativeBatch([big]));
    expect(dev.store.bytes).toBeLessThanOrEqual(400_000);
    const kept = dev.store.list().map((t) => t.id);
    expect(kept).toContain(big.id);
    expect(kept).not.toContain(traces[0]!.id);
    expect(kept.length).toBeLessThan(6);

    page = await open(dev, `/trace/${big.id}`);
    const rows = page.locator('.trace-row');
    await expect
      .poll(() => attributeOfAll(rows, 'data-trace-id'))
      .toEqual(expect.arrayContaining(kept));
    expect(await rows.count()).toBe(kept.length);
    expect(
      await page.locator(`.trace-row[data-trace-id="${big.id}"] .trunc-tag`).textContent(),
    ).toBe('truncated');
    expect(await page.locator('.trunc-tag').count()).toBe(1);
    const note = await page.locator('#trace-truncated').textContent();
    const truncated = dev.store.get(big.id)!.truncated!;
    expect(note).toContain(`${truncated.spans} spans left out`);
    expect(note).toContain('10 long values shortened');
    expect(await page.locator('.span-row').count()).toBe(10 - truncated.spans);
    await page.locator(`.span-row[data-span-id="${big.rootSpanId}"]`).click();
    expect(await page.locator('#span-input').textContent()).toMatch(
      /\[truncated by tracewire dev: \d+ more characters\]$/,
    );
  });
});

describe('links to a trace', () => {
  it('renders a trace link opened cold before any fetch answers, and says "loading" for old links', async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const demo = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch(demo.parts));

    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    watchPage(page, problems);
    // The API never answers: what shows comes from the page itself.
    await page.route('**/api/**', () => {});
    await page.goto(`${dev.url}/trace/${demo.traceId}`, { waitUntil: 'load' });
    expect(await page.locator('.span-row').count()).toBe(11);
    expect(await page.locator('.trace-row').count()).toBe(1);
    expect(await page.locator('#trace-missing').count()).toBe(0);

    // An old /#trace= link cannot carry the trace: it says so while it loads, then shows it.
    await page.goto(`${dev.url}/#trace=${demo.traceId}`, { waitUntil: 'load' });
    expect(await page.locator('#trace-missing').textContent()).toBe('Loading trace…');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload();
    await expect.poll(() => page!.locator('.span-row').count()).toBe(11);
    expect(page.url()).toBe(`${dev.url}/trace/${demo.traceId}`);

    // A trace that is not there says so, without waiting.
    await page.goto(`${dev.url}/trace/${'ab'.repeat(16)}`, { waitUntil: 'load' });
    expect(await page.locator('#trace-missing').textContent()).toContain('not in the collector');
  });

  it("clears the collector from the viewer's own Clear button (a same-origin DELETE)", async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const demo = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch(demo.parts));
    page = await open(dev, `/trace/${demo.traceId}`);
    await page.locator('.span-row').first().waitFor();
    await page.locator('#clear').click();
    await expect.poll(() => dev!.store.size).toBe(0);
    await expect.poll(() => page!.locator('.trace-row').count()).toBe(0);
    expect(page.url()).toBe(`${dev.url}/`);
  });

  it('keeps data in a trace page inert: names that close the script element stay text', async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const demo = demoCheckout();
    const breakout = '</script><script>alert(1)</script><!--<img src=x onerror=alert(2)>';
    const gateway = demo.parts[0]!;
    gateway.name = breakout;
    gateway.spans[0]!.name = breakout;
    gateway.userId = breakout;
    await post(`${dev.url}/v1/tracewire`, nativeBatch([gateway]));

    page = await open(dev, `/trace/${demo.traceId}`);
    expect(await page.locator('#trace-head h2').textContent()).toBe(breakout);
    expect(
      await page
        .locator(`.span-row[data-span-id="${demo.ids.gatewayRoot}"] .span-name`)
        .textContent(),
    ).toBe(breakout);
    expect(await page.locator('#trace-context .ctx-v').first().textContent()).toBe(breakout);
    // Only the page's own script element and its one data block exist.
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('shows the trace to plain `chromium --headless`, which captures at the load event', async () => {
    dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
    const demo = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch(demo.parts));
    const profile = await mkdtemp(join(tmpdir(), 'devtools-chromium-'));
    try {
      // --dump-dom prints the page when --screenshot would take its picture.
      const { stdout } = await promisify(execFile)(
        CHROMIUM,
        [
          ...CHROMIUM_ARGS,
          `--user-data-dir=${profile}`,
          '--dump-dom',
          `${dev.url}/trace/${demo.traceId}`,
        ],
        { timeout: 30_000, maxBuffer: 32 * 1024 * 1024 },
      );
      expect(stdout.match(/<div class="span-row/g)).toHaveLength(11);
      expect(stdout).toContain(`data-trace-id="${demo.traceId}"`);
      expect(stdout).not.toContain('id="trace-missing"');
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }, 40_000);
});
