import { createHash } from 'node:crypto';
import { PAGE_SCRIPT as SCRIPT } from './page-script';
import { PAGE_STYLE as STYLE } from './page-style';

/*
 * The trace viewer served at `/`: one self-contained page, no build step, no
 * framework, no external assets. Every piece of trace data reaches the DOM
 * through textContent or CSSOM, never as markup, and the CSP below allows only
 * this exact script and style (by hash), so even a span named
 * `<img src=x onerror=...>` can only ever be text.
 */

const BODY = `
<header class="topbar">
  <div class="brand"><span class="logo" aria-hidden="true"></span>tracewire <small>dev</small></div>
  <div class="filters">
    <input id="q" class="search" type="search" placeholder="Search trace id, name, route, span, service…  ( / )" autocomplete="off" spellcheck="false" aria-label="Search traces">
    <select id="service" class="select" aria-label="Service"><option value="">All services</option></select>
    <div class="seg" role="group" aria-label="Status">
      <button type="button" data-status="" aria-pressed="true">All <span class="count" id="count-all"></span></button>
      <button type="button" data-status="error" aria-pressed="false">Errors <span class="count" id="count-error"></span></button>
      <button type="button" data-status="ok" aria-pressed="false">OK</button>
    </div>
  </div>
  <div class="right">
    <span id="live" class="live" title="Connecting…"><i></i><span id="live-text">Connecting</span></span>
    <button id="clear" class="btn" type="button" title="Remove every trace from the collector">Clear</button>
  </div>
</header>
<div class="layout">
  <section class="list-pane" aria-label="Traces">
    <div class="pane-head"><span>Traces</span><span id="list-count"></span></div>
    <div id="active-filters" class="active-filters" hidden></div>
    <ol id="trace-list" class="trace-list"></ol>
  </section>
  <main id="detail" class="detail-pane"></main>
  <aside id="side" class="side" hidden aria-label="Span details"></aside>
</div>
`;

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const PAGE_START = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tracewire dev</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%234f46e5'/%3E%3Cpath d='M4 5h8M4 8h5M4 11h7' stroke='white' stroke-width='1.6' stroke-linecap='round'/%3E%3C/svg%3E">
<style>${STYLE}</style>
</head>
<body>${BODY}`;

const PAGE_END = `<script>${SCRIPT}</script>
</body>
</html>
`;

/**
 * The viewer page: markup, style and script in one response. `boot`, when
 * given, is data the script renders before its first fetch (a JSON data block:
 * never executed, so the CSP needs no exception, and `<` is escaped so no
 * value can close the element).
 */
export function pageHtml(boot?: unknown): string {
  if (boot === undefined) return PAGE_START + PAGE_END;
  const json = JSON.stringify(boot).replace(/</g, '\\u003c');
  return `${PAGE_START}<script type="application/json" id="boot">${json}</script>\n${PAGE_END}`;
}

/** Allows exactly the page's own script and style; nothing inline from data can run. */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
