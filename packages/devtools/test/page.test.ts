import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../src/index';
import { demoCheckout, HOSTILE_NAME, nativeBatch, post } from './helpers/demo';

/** Debian's package (`apt-get install chromium`); a browser is never downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(tmpdir(), 'devtools-page.png');

let browser: Browser;
let dev: DevServer | undefined;
let page: Page | undefined;
/** What the page must never do: run injected script, throw, or trip its CSP. */
let problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\`.`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
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

async function attributeOfAll(locator: Locator, name: string): Promise<Array<string | null>> {
  return Promise.all((await locator.all()).map((one) => one.getAttribute(name)));
}

async function open(server: DevServer): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  p.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  p.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  p.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await p.goto(`${server.url}/`);
  return p;
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
