import { createHash } from 'node:crypto';

/*
 * The trace viewer served at `/`: one self-contained page, no build step, no
 * framework, no external assets. Every piece of trace data reaches the DOM
 * through textContent or CSSOM, never as markup, and the CSP below allows only
 * this exact script and style (by hash), so even a span named
 * `<img src=x onerror=...>` can only ever be text.
 *
 * The script avoids backticks and dollar-brace so it can live in String.raw.
 */

const STYLE = `
:root {
  --bg: #f6f7f9; --panel: #ffffff; --panel-2: #fafbfc; --border: #e3e6eb; --border-2: #eef0f3;
  --text: #1b2130; --muted: #6a7282; --faint: #9aa1ad; --accent: #4f46e5; --accent-bg: #eef0ff;
  --sel: #eef2ff; --hover: #f4f6fa; --err: #d92d20; --err-bg: #fef1f0; --err-border: #fbd0cc;
  --ok: #138a4b; --warn: #b54708; --warn-bg: #fff6e5; --grid: #eef0f3; --bar-text: #ffffff;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1014; --panel: #15181e; --panel-2: #191d24; --border: #262b34; --border-2: #1f232b;
    --text: #e5e7eb; --muted: #9098a6; --faint: #666e7b; --accent: #8b8cff; --accent-bg: #23264a;
    --sel: #1f2440; --hover: #1b1f27; --err: #ff6b5e; --err-bg: #2a1616; --err-border: #5c2420;
    --ok: #3ccf7f; --warn: #f5a524; --warn-bg: #2b2212; --grid: #1f232b;
    color-scheme: dark;
  }
}
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body {
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text); background: var(--bg); display: flex; flex-direction: column; overflow: hidden;
}
button, input, select { font: inherit; color: inherit; }
code, .mono { font-family: var(--mono); font-size: 12px; }
.topbar {
  display: flex; align-items: center; gap: 12px; padding: 0 14px; height: 48px; flex: none;
  background: var(--panel); border-bottom: 1px solid var(--border);
}
.brand { display: flex; align-items: center; gap: 8px; font-weight: 650; font-size: 14px; white-space: nowrap; }
.brand .logo { width: 20px; height: 20px; border-radius: 5px; background: linear-gradient(135deg, #6366f1, #14b8a6); position: relative; }
.brand .logo::after { content: ""; position: absolute; left: 4px; right: 4px; top: 9px; height: 2px; background: #fff; border-radius: 1px; box-shadow: 0 -4px 0 #ffffffaa, 0 4px 0 #ffffffaa; }
.brand small { font-weight: 500; color: var(--muted); font-size: 12px; border: 1px solid var(--border); border-radius: 4px; padding: 0 5px; }
.filters { display: flex; align-items: center; gap: 8px; flex: 1; min-width: 0; }
.search { flex: 1; max-width: 420px; height: 30px; padding: 0 10px; border: 1px solid var(--border); border-radius: 6px; background: var(--panel-2); outline: none; }
.search:focus, .select:focus { border-color: var(--accent); box-shadow: 0 0 0 3px var(--accent-bg); }
.select { height: 30px; padding: 0 8px; border: 1px solid var(--border); border-radius: 6px; background: var(--panel-2); max-width: 180px; }
.seg { display: inline-flex; border: 1px solid var(--border); border-radius: 6px; overflow: hidden; height: 30px; }
.seg button { border: 0; background: var(--panel-2); padding: 0 10px; cursor: pointer; display: inline-flex; align-items: center; gap: 6px; }
.seg button + button { border-left: 1px solid var(--border); }
.seg button[aria-pressed="true"] { background: var(--accent-bg); color: var(--accent); font-weight: 600; }
.seg .count { font-size: 11px; color: var(--muted); font-variant-numeric: tabular-nums; }
.seg button[data-status="error"] .count:not(:empty) { color: var(--err); }
.topbar .right { display: flex; align-items: center; gap: 10px; margin-left: auto; white-space: nowrap; }
.live { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); font-size: 12px; }
.live i { width: 8px; height: 8px; border-radius: 50%; background: var(--faint); }
.live.on i { background: #22c55e; box-shadow: 0 0 0 3px #22c55e33; }
.btn { height: 28px; padding: 0 10px; border: 1px solid var(--border); border-radius: 6px; background: var(--panel); cursor: pointer; }
.btn:hover { background: var(--hover); }
.layout { flex: 1; display: flex; min-height: 0; }
.list-pane { width: 360px; flex: none; border-right: 1px solid var(--border); background: var(--panel); display: flex; flex-direction: column; min-height: 0; }
.pane-head { display: flex; align-items: center; justify-content: space-between; padding: 8px 12px; border-bottom: 1px solid var(--border-2); color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
.trace-list { list-style: none; margin: 0; padding: 0; overflow-y: auto; flex: 1; }
.trace-row { padding: 8px 12px 8px 10px; border-bottom: 1px solid var(--border-2); border-left: 3px solid transparent; cursor: pointer; }
.trace-row:hover { background: var(--hover); }
.trace-row.is-selected { background: var(--sel); border-left-color: var(--accent); }
.trace-row.is-error { border-left-color: var(--err); }
.trace-row.is-error.is-selected { background: var(--err-bg); }
.trace-row.is-new { animation: flash 1.2s ease-out; }
@keyframes flash { from { background: var(--accent-bg); } }
.tr-line { display: flex; align-items: center; gap: 8px; min-width: 0; }
.tr-line + .tr-line { margin-top: 4px; }
.tr-name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: 1; min-width: 0; }
.tr-dur { font-family: var(--mono); font-size: 12px; color: var(--text); font-variant-numeric: tabular-nums; }
.tr-meta { color: var(--muted); font-size: 12px; white-space: nowrap; }
.tr-services { display: flex; gap: 4px; flex: 1; min-width: 0; overflow: hidden; }
.svc.more { padding: 0 6px; }
.tr-time { color: var(--faint); font-size: 11px; white-space: nowrap; }
.dot { width: 8px; height: 8px; border-radius: 50%; flex: none; background: var(--ok); }
.dot.s-error { background: var(--err); }
.dot.s-aborted, .dot.s-cancelled { background: var(--warn); }
.dot.s-unset { background: var(--faint); }
.code { font-family: var(--mono); font-size: 11px; padding: 0 4px; border-radius: 3px; background: var(--hover); color: var(--muted); }
.code.c5 { background: var(--err-bg); color: var(--err); }
.code.c4 { background: var(--warn-bg); color: var(--warn); }
.svc { display: inline-flex; align-items: center; gap: 4px; font-size: 11px; color: var(--muted); white-space: nowrap; padding: 0 6px 0 5px; border-radius: 10px; background: var(--hover); height: 18px; }
.svc i { width: 7px; height: 7px; border-radius: 2px; background: var(--c); flex: none; }
.err-count { color: var(--err); font-size: 11px; font-weight: 600; white-space: nowrap; }
.empty { padding: 28px 20px; color: var(--muted); text-align: center; }
.empty h3 { margin: 0 0 8px; color: var(--text); font-size: 14px; }
.start { max-width: 620px; text-align: left; background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 20px 22px; color: var(--muted); }
.start h3 { margin: 0 0 6px; color: var(--text); font-size: 15px; }
.start p { margin: 0 0 6px; }
.howto { display: grid; gap: 4px; text-align: left; }
.howto span { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; font-weight: 600; color: var(--muted); margin-top: 8px; }
.howto code { display: block; padding: 8px 10px; background: var(--hover); border: 1px solid var(--border-2); border-radius: 6px; white-space: pre; overflow-x: auto; color: var(--text); font-size: 11.5px; }
.detail-pane { flex: 1; min-width: 0; display: flex; flex-direction: column; min-height: 0; overflow-y: auto; }
.trace-head { padding: 12px 16px 10px; background: var(--panel); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 3; }
.th-title { display: flex; align-items: center; gap: 10px; min-width: 0; }
.th-title h2 { margin: 0; font-size: 16px; font-weight: 650; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 4px; text-transform: uppercase; letter-spacing: .03em; background: var(--hover); color: var(--muted); white-space: nowrap; }
.badge.s-error { background: var(--err-bg); color: var(--err); }
.badge.s-ok { background: #e8f7ee; color: var(--ok); }
@media (prefers-color-scheme: dark) { .badge.s-ok { background: #12301f; } }
.badge.s-aborted, .badge.s-cancelled { background: var(--warn-bg); color: var(--warn); }
.th-meta { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-top: 6px; color: var(--muted); font-size: 12px; }
.th-meta b { color: var(--text); font-weight: 600; font-variant-numeric: tabular-nums; }
.th-meta code { cursor: copy; }
.legend { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.legend .svc { font-size: 12px; height: 20px; color: var(--text); }
.legend .svc small { color: var(--muted); }
.waterfall { background: var(--panel); margin: 0; }
.wf-header, .span-row { display: grid; grid-template-columns: minmax(260px, 40%) 1fr; }
.wf-header { position: sticky; top: 0; z-index: 2; background: var(--panel-2); border-bottom: 1px solid var(--border); height: 26px; font-size: 11px; color: var(--muted); }
.wf-header > div:first-child { padding: 5px 12px; border-right: 1px solid var(--border-2); text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
.axis { position: relative; margin: 0 64px 0 8px; }
.tick { position: absolute; top: 0; bottom: 0; padding: 5px 0 0 4px; border-left: 1px solid var(--border); font-family: var(--mono); font-size: 10px; white-space: nowrap; }
.span-row { min-height: 26px; border-bottom: 1px solid var(--border-2); cursor: pointer; }
.span-row:hover { background: var(--hover); }
.span-row.is-selected { background: var(--sel); }
.span-row.is-error .span-name { color: var(--err); }
.wf-name { display: flex; align-items: center; gap: 6px; min-width: 0; padding-right: 8px; border-right: 1px solid var(--border-2); position: relative; }
.wf-name .svc-stripe { position: absolute; left: 0; top: 0; bottom: 0; width: 3px; background: var(--c); }
.guide { position: absolute; top: 0; bottom: 0; width: 1px; background: var(--border); }
.twisty { width: 16px; height: 16px; flex: none; border: 0; background: none; padding: 0; cursor: pointer; color: var(--muted); font-size: 10px; line-height: 16px; border-radius: 3px; }
.twisty:hover { background: var(--border); }
.twisty.leaf { visibility: hidden; }
.span-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 48px; flex: 0 1 auto; }
/* The service label gives way before the span name does. */
.span-svc { color: var(--muted); font-size: 11px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex: 0 1000 auto; min-width: 0; }
.kind { font-size: 9.5px; font-weight: 600; padding: 0 4px; border-radius: 3px; background: var(--hover); color: var(--muted); text-transform: uppercase; letter-spacing: .03em; flex: none; line-height: 15px; }
.kind.k-llm, .kind.k-embedding { background: #efe7ff; color: #7c3aed; }
.kind.k-client { background: #e7f0ff; color: #2563eb; }
.kind.k-server { background: #e6f6f4; color: #0f766e; }
@media (prefers-color-scheme: dark) {
  .kind.k-llm, .kind.k-embedding { background: #2d2150; color: #c4b5fd; }
  .kind.k-client { background: #172554; color: #93c5fd; }
  .kind.k-server { background: #0f2e2b; color: #5eead4; }
}
.err-mark { flex: none; width: 16px; height: 16px; border-radius: 50%; background: var(--err); color: #fff; font-size: 11px; font-weight: 700; display: inline-flex; align-items: center; justify-content: center; }
.track { position: relative; margin: 0 64px 0 8px; }
.gridline { position: absolute; top: 0; bottom: 0; width: 1px; background: var(--grid); }
.bar { position: absolute; top: 7px; height: 12px; border-radius: 3px; background: var(--c); min-width: 2px; opacity: .9; }
.span-row:hover .bar, .span-row.is-selected .bar { opacity: 1; }
.bar.is-error { background: repeating-linear-gradient(135deg, var(--err) 0 6px, #f0645a 6px 10px); box-shadow: 0 0 0 1px var(--err); }
.bar-label { position: absolute; top: 5px; font-family: var(--mono); font-size: 11px; color: var(--muted); white-space: nowrap; padding: 0 5px; }
.bar-label.is-error { color: var(--err); font-weight: 600; }
.bar-label.inside { color: #fff; text-shadow: 0 0 2px rgba(0,0,0,.35); top: 6px; font-size: 10.5px; }
.section { background: var(--panel); border-top: 1px solid var(--border); padding: 10px 16px 14px; }
.section h4, .side h4 { margin: 0 0 8px; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
.logs { list-style: none; margin: 0; padding: 0; font-family: var(--mono); font-size: 12px; }
.logs li { display: grid; grid-template-columns: 70px 48px auto 1fr; gap: 8px; padding: 3px 4px; border-radius: 4px; align-items: baseline; }
.logs li.linked { cursor: pointer; }
.logs li.linked:hover { background: var(--hover); }
.logs .when { color: var(--faint); text-align: right; }
.lvl { font-weight: 600; text-transform: uppercase; font-size: 11px; }
.lvl.l-error { color: var(--err); } .lvl.l-warn { color: var(--warn); } .lvl.l-info { color: #2563eb; } .lvl.l-debug { color: var(--faint); }
.logs .msg { overflow-wrap: anywhere; white-space: pre-wrap; }
.side { width: 380px; flex: none; border-left: 1px solid var(--border); background: var(--panel); overflow-y: auto; min-height: 0; }
.side[hidden] { display: none; }
.side-head { position: sticky; top: 0; background: var(--panel); border-bottom: 1px solid var(--border); padding: 10px 14px; z-index: 1; }
.side-title { display: flex; align-items: flex-start; gap: 8px; }
.side-title h3 { margin: 0; font-size: 14px; font-weight: 650; flex: 1; overflow-wrap: anywhere; }
.close { border: 0; background: none; font-size: 18px; line-height: 18px; cursor: pointer; color: var(--muted); padding: 0 4px; border-radius: 4px; }
.close:hover { background: var(--hover); color: var(--text); }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.side .block { padding: 12px 14px; border-bottom: 1px solid var(--border-2); }
.kv { display: grid; grid-template-columns: 110px 1fr; gap: 4px 10px; margin: 0; font-size: 12px; }
.kv dt { color: var(--muted); overflow-wrap: anywhere; }
.kv dd { margin: 0; overflow-wrap: anywhere; font-family: var(--mono); }
.kv.attrs { grid-template-columns: fit-content(50%) 1fr; }
.kv.attrs dt { font-family: var(--mono); }
.stats { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.stat { background: var(--panel-2); border: 1px solid var(--border-2); border-radius: 6px; padding: 6px 8px; }
.stat span { display: block; font-size: 10px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.stat b { font-family: var(--mono); font-size: 13px; font-variant-numeric: tabular-nums; }
.error-box { background: var(--err-bg); border: 1px solid var(--err-border); border-radius: 6px; padding: 8px 10px; }
.error-box .etype { color: var(--err); font-weight: 700; }
.error-box .emsg { overflow-wrap: anywhere; }
pre { margin: 0; padding: 8px 10px; background: var(--panel-2); border: 1px solid var(--border-2); border-radius: 6px; font-family: var(--mono); font-size: 11.5px; line-height: 1.45; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
.error-box pre { margin-top: 8px; background: transparent; border-color: var(--err-border); color: var(--text); }
.io + .io { margin-top: 10px; }
.io-label { font-size: 11px; color: var(--muted); margin-bottom: 4px; }
.placeholder { flex: 1; display: flex; align-items: center; justify-content: center; color: var(--muted); padding: 40px; text-align: center; }
@media (max-width: 1360px) { .list-pane { width: 320px; } .side { width: 340px; } }
.missing { color: var(--warn); font-size: 11px; flex: none; }
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  // Neighbours differ in hue, so the first few services never look alike.
  var PALETTE = ['#4f7df3', '#e8833a', '#9b5de5', '#13a89e', '#e05297', '#c9a227', '#2fa84f', '#0ba5c7', '#7a6f66', '#d9534f', '#5c6bc0', '#8ab31d'];
  var state = {
    traces: [], services: [], total: 0, errors: 0,
    filter: { q: '', service: '', status: '' },
    selectedId: null, trace: null, spanId: null, collapsed: {}, fresh: {}, colors: {}, used: [],
  };
  var $ = function (id) { return document.getElementById(id); };

  function h(tag, props, children) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = String(v);
        else if (k === 'style') Object.keys(v).forEach(function (p) { el.style.setProperty(p, v[p]); });
        else if (k === 'data') Object.keys(v).forEach(function (d) { el.dataset[d] = v[d]; });
        else if (k.indexOf('on') === 0) el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : String(v));
      });
    }
    add(el, children);
    return el;
  }
  function add(el, children) {
    if (children === null || children === undefined || children === false) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      if (Array.isArray(c)) add(el, c);
      else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
  }

  // Colours are handed out in order of first sight (the service list is sorted),
  // so they stay put while the page is open.
  function colorOf(service) {
    if (!state.colors[service]) {
      state.colors[service] = PALETTE[state.used.length % PALETTE.length];
      state.used.push(service);
    }
    return state.colors[service];
  }
  function fmtDur(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return '?';
    var v = Math.max(0, ms);
    if (v === 0) return '0';
    if (v < 0.9995) return Math.round(v * 1000) + 'µs';
    if (v < 9.995) return v.toFixed(2) + 'ms';
    if (v < 99.95) return v.toFixed(1) + 'ms';
    if (v < 999.5) return v.toFixed(0) + 'ms';
    var s = v / 1000;
    if (s < 9.995) return s.toFixed(2) + 's';
    if (s < 59.95) return s.toFixed(1) + 's';
    var m = Math.floor(s / 60);
    return m + 'm' + String(Math.round(s % 60)).padStart(2, '0') + 's';
  }
  function fmtClock(t) {
    var d = new Date(t);
    if (isNaN(d.getTime())) return '?';
    return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }
  function fmtAgo(t) {
    var s = Math.max(0, (Date.now() - t) / 1000);
    if (s < 5) return 'just now';
    if (s < 60) return Math.floor(s) + 's ago';
    if (s < 3600) return Math.floor(s / 60) + 'm ago';
    if (s < 86400) return Math.floor(s / 3600) + 'h ago';
    return new Date(t).toLocaleDateString();
  }
  function fmtCost(c) {
    if (c === 0) return '$0';
    return '$' + (Math.abs(c) >= 1 ? c.toFixed(2) : c.toPrecision(2));
  }
  function fmtNum(n) { return typeof n === 'number' ? n.toLocaleString('en-US') : '–'; }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
  function svcChip(name, extra) {
    return h('span', { class: 'svc', style: { '--c': colorOf(name) }, title: name }, [h('i'), name, extra]);
  }
  function statusClass(s) { return 's-' + (s || 'unset'); }

  // --- data -------------------------------------------------------------

  function query() {
    var p = new URLSearchParams();
    if (state.filter.q) p.set('q', state.filter.q);
    if (state.filter.service) p.set('service', state.filter.service);
    if (state.filter.status) p.set('status', state.filter.status);
    return p.toString();
  }
  function getJson(url) {
    return fetch(url, { headers: { accept: 'application/json' } }).then(function (r) {
      if (r.status === 404) return null;
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }
  var listSeq = 0;
  function loadList() {
    var seq = ++listSeq;
    return getJson('/api/traces?' + query()).then(function (d) {
      if (seq !== listSeq || !d) return;
      state.traces = d.traces; state.services = d.services; state.total = d.total; state.errors = d.errors;
      d.services.forEach(colorOf);
      renderList(); renderFilters();
      if (!state.selectedId) renderDetail();
    }).catch(function () {});
  }
  function loadTrace(id) {
    return getJson('/api/traces/' + encodeURIComponent(id)).then(function (t) {
      if (state.selectedId !== id) return;
      state.trace = t;
      if (t && state.spanId && !t.spans.some(function (s) { return s.spanId === state.spanId; })) state.spanId = null;
      renderDetail(); renderSide();
    }).catch(function () {});
  }
  var timers = {};
  function later(key, fn, ms) {
    if (timers[key]) return;
    timers[key] = setTimeout(function () { timers[key] = null; fn(); }, ms);
  }

  // --- trace list ---------------------------------------------------------

  function renderFilters() {
    var sel = $('service');
    var current = state.filter.service;
    var names = state.services.slice();
    if (current && names.indexOf(current) < 0) names.push(current);
    var opts = [h('option', { value: '', text: 'All services' })].concat(names.map(function (n) {
      return h('option', { value: n, text: n });
    }));
    sel.replaceChildren.apply(sel, opts);
    sel.value = current;
    $('count-all').textContent = state.total ? String(state.total) : '';
    $('count-error').textContent = state.errors ? String(state.errors) : '';
    Array.prototype.forEach.call(document.querySelectorAll('.seg button'), function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.status === state.filter.status));
    });
    $('list-count').textContent = state.traces.length === state.total ? String(state.total) : state.traces.length + ' of ' + state.total;
  }

  function renderList() {
    var list = $('trace-list');
    if (state.traces.length === 0) {
      list.replaceChildren(emptyList());
      return;
    }
    var rows = state.traces.map(function (t) {
      var cls = 'trace-row' + (t.id === state.selectedId ? ' is-selected' : '') + (t.status === 'error' ? ' is-error' : '') + (state.fresh[t.id] ? ' is-new' : '');
      var shown = t.services.length > 3 ? t.services.slice(0, 2) : t.services;
      var code = typeof t.statusCode === 'number' ? h('span', { class: 'code' + (t.statusCode >= 500 ? ' c5' : t.statusCode >= 400 ? ' c4' : ''), text: t.statusCode }) : null;
      return h('li', {
        class: cls, tabindex: '0', role: 'button', 'aria-label': t.name,
        data: { traceId: t.id, status: t.status },
        onclick: function () { select(t.id, null); },
        onkeydown: function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(t.id, null); } },
      }, [
        h('div', { class: 'tr-line' }, [
          h('span', { class: 'dot ' + statusClass(t.status), title: t.status }),
          h('span', { class: 'tr-name', title: t.name, text: t.name || '(unnamed)' }),
          code,
          t.errorCount > 0 ? h('span', { class: 'err-count', text: plural(t.errorCount, 'error') }) : null,
          h('span', { class: 'tr-dur', text: fmtDur(t.durationMs) }),
        ]),
        h('div', { class: 'tr-line' }, [
          h('span', { class: 'tr-services' }, shown.map(function (s) { return svcChip(s); }).concat(
            t.services.length > shown.length ? [h('span', { class: 'svc more', title: t.services.slice(shown.length).join(', '), text: '+' + (t.services.length - shown.length) })] : [])),
          h('span', { class: 'tr-meta', text: plural(t.spanCount, 'span') }),
          h('span', { class: 'tr-time', title: new Date(t.startTime).toISOString(), data: { time: String(t.startTime) }, text: fmtAgo(t.startTime) }),
        ]),
      ]);
    });
    list.replaceChildren.apply(list, rows);
    state.fresh = {};
  }

  function emptyList() {
    var filtered = state.filter.q || state.filter.service || state.filter.status;
    if (filtered && state.total > 0) {
      return h('li', { class: 'empty' }, [h('h3', { text: 'No matching traces' }), 'Clear the search or filters to see all ' + plural(state.total, 'trace') + '.']);
    }
    return h('li', { class: 'empty' }, [h('h3', { text: 'Waiting for traces…' }), 'New traces appear here live.']);
  }

  function gettingStarted() {
    var origin = location.origin;
    return h('div', { class: 'placeholder' }, h('div', { class: 'start' }, [
      h('h3', { text: 'Send traces to this collector' }),
      h('p', { text: 'Every service on this machine can report here; each request is stitched together across services as its parts arrive.' }),
      h('div', { class: 'howto' }, [
        h('span', { text: 'tracewire (native JSON)' }),
        h('code', { text: 'createTracer({\n  serviceName: \'orders\',\n  exporter: httpExporter({ url: \'' + origin + '/v1/tracewire\' }),\n})' }),
        h('span', { text: 'OpenTelemetry SDKs (OTLP/HTTP JSON)' }),
        h('code', { text: 'OTEL_EXPORTER_OTLP_ENDPOINT=' + origin + '\nOTEL_EXPORTER_OTLP_PROTOCOL=http/json' }),
      ]),
    ]));
  }

  // --- trace detail -------------------------------------------------------

  function renderDetail() {
    var pane = $('detail');
    var t = state.trace;
    if (!state.selectedId) {
      pane.replaceChildren(state.total ? h('div', { class: 'placeholder' }, 'Select a trace to see its waterfall.') : gettingStarted());
      return;
    }
    if (!t) {
      pane.replaceChildren(h('div', { class: 'placeholder' }, 'This trace is not in the collector (evicted, cleared, or not arrived yet).'));
      return;
    }
    var perService = {};
    t.spans.forEach(function (s) { perService[s.serviceName] = (perService[s.serviceName] || 0) + 1; });
    var head = h('div', { class: 'trace-head', id: 'trace-head' }, [
      h('div', { class: 'th-title' }, [
        h('span', { class: 'badge ' + statusClass(t.status), text: t.status }),
        h('h2', { title: t.name, text: t.name || '(unnamed)' }),
      ]),
      h('div', { class: 'th-meta' }, [
        h('span', null, [h('b', { text: fmtDur(t.durationMs) }), ' total']),
        h('span', null, [h('b', { text: t.spans.length }), t.spans.length === 1 ? ' span' : ' spans']),
        t.errorCount ? h('span', { style: { color: 'var(--err)' } }, [h('b', { text: t.errorCount, style: { color: 'var(--err)' } }), t.errorCount === 1 ? ' error' : ' errors']) : null,
        h('span', null, [h('b', { text: t.services.length }), t.services.length === 1 ? ' service' : ' services']),
        h('span', { text: 'started ' + fmtClock(t.startTime) }),
        h('code', { title: 'Trace id: click to copy', text: t.id, onclick: function () { copy(t.id); } }),
      ]),
      h('div', { class: 'legend', id: 'legend' }, t.services.map(function (s) {
        return svcChip(s, h('small', { text: String(perService[s] || 0) }));
      })),
    ]);
    pane.replaceChildren(head, waterfall(t), logsSection(t));
  }

  function tree(t) {
    var byId = {};
    t.spans.forEach(function (s) { byId[s.spanId] = s; });
    var depth = {};
    var kids = {};
    var root = t.spans[0];
    t.spans.forEach(function (s, i) {
      var parent = i === 0 ? null : (s.parentId && byId[s.parentId] ? s.parentId : root.spanId);
      depth[s.spanId] = parent === null ? 0 : (depth[parent] || 0) + 1;
      if (parent !== null) kids[parent] = (kids[parent] || 0) + 1;
    });
    return { byId: byId, depth: depth, kids: kids };
  }

  /** Ticks at a round step no closer than minStep: 1, 2, 2.5 or 5 times a power of ten. */
  function ticks(total, minStep) {
    var pow = Math.pow(10, Math.floor(Math.log10(minStep)));
    var n = minStep / pow;
    var step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * pow;
    var out = [];
    for (var v = 0; v <= total * 1.0001; v += step) out.push(v);
    return out;
  }

  function waterfall(t) {
    var info = tree(t);
    var total = Math.max(t.endTime - t.startTime, 0.001);
    // Labelled ticks at least 64px apart, so their labels never collide.
    var pane = $('detail').clientWidth || 800;
    var trackPx = Math.max(80, pane - Math.max(260, pane * 0.4) - 72);
    var marks = ticks(total, total * 64 / trackPx);
    var axis = h('div', { class: 'axis' }, marks.map(function (v) {
      return h('div', { class: 'tick', style: { left: (v / total * 100) + '%' }, text: fmtDur(v) });
    }));
    var rows = [];
    var hiddenUnder = null;
    var hiddenDepth = 0;
    t.spans.forEach(function (s, i) {
      var d = info.depth[s.spanId];
      if (hiddenUnder !== null) {
        if (d > hiddenDepth) return;
        hiddenUnder = null;
      }
      var collapsed = !!state.collapsed[s.spanId];
      if (collapsed) { hiddenUnder = s.spanId; hiddenDepth = d; }
      rows.push(spanRow(t, s, i, d, info, total, marks, collapsed));
    });
    return h('div', { class: 'waterfall', id: 'waterfall' }, [
      h('div', { class: 'wf-header' }, [h('div', { text: 'Span' }), axis]),
      h('div', { class: 'wf-body' }, rows),
    ]);
  }

  function spanRow(t, s, index, depth, info, total, marks, collapsed) {
    var color = colorOf(s.serviceName);
    var isError = s.status === 'error';
    var hasKids = !!info.kids[s.spanId];
    var orphan = index > 0 && (!s.parentId || !info.byId[s.parentId]);
    var left = Math.max(0, (s.startTime - t.startTime) / total * 100);
    var width = Math.max(0, (s.endTime - s.startTime) / total * 100);
    // The duration goes after the bar, else before it, else inside it (a bar spanning the whole axis).
    var labelPlace = left + width < 80 ? 'after' : left > 18 ? 'before' : 'inside';
    var labelStyle = labelPlace === 'after' ? { left: (left + width) + '%' } : labelPlace === 'before' ? { right: (100 - left) + '%' } : { right: (100 - left - width) + '%' };
    var guides = [];
    for (var g = 1; g <= depth; g++) guides.push(h('span', { class: 'guide', style: { left: (g * 14 + 2) + 'px' } }));
    var twisty = h('button', {
      class: 'twisty' + (hasKids ? '' : ' leaf'), type: 'button', tabindex: hasKids ? '0' : '-1',
      'aria-label': collapsed ? 'Expand' : 'Collapse', text: collapsed ? '▸' : '▾',
      onclick: function (e) {
        e.stopPropagation();
        if (state.collapsed[s.spanId]) delete state.collapsed[s.spanId]; else state.collapsed[s.spanId] = true;
        renderDetail();
      },
    });
    var errText = s.error ? s.error.type + ': ' + s.error.message : (s.statusMessage || 'error');
    return h('div', {
      class: 'span-row' + (isError ? ' is-error' : '') + (s.spanId === state.spanId ? ' is-selected' : ''),
      data: { spanId: s.spanId, service: s.serviceName, status: s.status, kind: s.kind },
      style: { '--c': color },
      onclick: function () { selectSpan(s.spanId); },
    }, [
      h('div', { class: 'wf-name', style: { 'padding-left': (6 + depth * 14) + 'px' } }, [
        h('span', { class: 'svc-stripe' }), guides, twisty,
        h('span', { class: 'span-name', title: s.name, text: s.name || '(unnamed)' }),
        s.kind !== 'internal' ? h('span', { class: 'kind k-' + s.kind, text: s.kind }) : null,
        depth === 0 || (info.byId[s.parentId] && info.byId[s.parentId].serviceName !== s.serviceName) || orphan ? h('span', { class: 'span-svc', text: s.serviceName }) : null,
        orphan ? h('span', { class: 'missing', title: 'Its parent span (' + (s.parentId || 'none') + ') has not arrived', text: 'parent missing' }) : null,
        isError ? h('span', { class: 'err-mark', title: errText, 'aria-label': 'error', text: '!' }) : null,
      ]),
      h('div', { class: 'track' }, marks.map(function (v) {
        return h('span', { class: 'gridline', style: { left: (v / total * 100) + '%' } });
      }).concat([
        h('div', { class: 'bar' + (isError ? ' is-error' : ''), style: { left: left + '%', width: width + '%' }, title: s.name + ' · ' + fmtDur(s.durationMs) }),
        h('span', { class: 'bar-label' + (isError ? ' is-error' : '') + (labelPlace === 'inside' ? ' inside' : ''), style: labelStyle, text: fmtDur(s.durationMs) }),
      ])),
    ]);
  }

  function logLine(t, log, linked) {
    return h('li', {
      class: linked && log.spanId ? 'linked' : '',
      onclick: linked && log.spanId ? function () { selectSpan(log.spanId); } : null,
    }, [
      h('span', { class: 'when', text: '+' + fmtDur(log.time - t.startTime) }),
      h('span', { class: 'lvl l-' + log.level, text: log.level }),
      svcChip(log.serviceName),
      h('span', { class: 'msg', text: log.message }),
    ]);
  }

  function logsSection(t) {
    if (!t.logs.length) return null;
    return h('div', { class: 'section', id: 'trace-logs' }, [
      h('h4', { text: 'Logs (' + t.logs.length + ')' }),
      h('ul', { class: 'logs' }, t.logs.map(function (l) { return logLine(t, l, true); })),
    ]);
  }

  // --- span detail --------------------------------------------------------

  function renderSide() {
    var side = $('side');
    var t = state.trace;
    var s = t && state.spanId ? t.spans.find(function (x) { return x.spanId === state.spanId; }) : null;
    if (!s) { side.hidden = true; side.replaceChildren(); return; }
    side.hidden = false;
    var blocks = [];
    blocks.push(h('div', { class: 'side-head' }, [
      h('div', { class: 'side-title' }, [
        h('h3', { id: 'span-title', text: s.name || '(unnamed)' }),
        h('button', { class: 'close', type: 'button', 'aria-label': 'Close', text: '×', onclick: function () { selectSpan(null); } }),
      ]),
      h('div', { class: 'chips' }, [
        svcChip(s.serviceName),
        h('span', { class: 'kind k-' + s.kind, text: s.kind }),
        h('span', { class: 'badge ' + statusClass(s.status), text: s.status }),
      ]),
    ]));
    blocks.push(h('div', { class: 'block' }, h('dl', { class: 'kv' }, kv([
      ['Duration', fmtDur(s.durationMs)],
      ['Starts at', '+' + fmtDur(s.startTime - t.startTime) + '  (' + fmtClock(s.startTime) + ')'],
      ['Service', s.serviceName],
      ['Span id', s.spanId],
      ['Parent id', s.parentId || '—'],
      s.statusMessage ? ['Status message', s.statusMessage] : null,
      s.tags && s.tags.length ? ['Tags', s.tags.join(', ')] : null,
    ]))));
    if (s.status === 'error' || s.error) {
      blocks.push(h('div', { class: 'block', id: 'span-error' }, [
        h('h4', { text: 'Error' }),
        h('div', { class: 'error-box' }, [
          h('span', { class: 'etype', text: s.error ? s.error.type : 'Error' }), ': ',
          h('span', { class: 'emsg', text: s.error ? s.error.message : (s.statusMessage || 'The span ended with an error status.') }),
          s.error && s.error.stack ? h('pre', { text: s.error.stack }) : null,
        ]),
      ]));
    }
    if (s.model || s.provider || s.usage || typeof s.cost === 'number') {
      var u = s.usage || {};
      blocks.push(h('div', { class: 'block', id: 'span-llm' }, [
        h('h4', { text: 'LLM' }),
        h('dl', { class: 'kv', style: { 'margin-bottom': '8px' } }, kv([
          ['Model', s.model || '—'],
          s.provider ? ['Provider', s.provider] : null,
        ])),
        h('div', { class: 'stats' }, [
          stat('Input', fmtNum(u.inputTokens), 'llm-input-tokens'),
          stat('Output', fmtNum(u.outputTokens), 'llm-output-tokens'),
          stat('Total', fmtNum(u.totalTokens), 'llm-total-tokens'),
          stat('Cost', typeof s.cost === 'number' ? fmtCost(s.cost) : '–', 'llm-cost'),
        ]),
      ]));
    }
    if (s.input !== undefined || s.output !== undefined) {
      blocks.push(h('div', { class: 'block' }, [
        h('h4', { text: 'Input / output' }),
        s.input !== undefined ? h('div', { class: 'io' }, [h('div', { class: 'io-label', text: 'Input' }), h('pre', { id: 'span-input', text: pretty(s.input) })]) : null,
        s.output !== undefined ? h('div', { class: 'io' }, [h('div', { class: 'io-label', text: 'Output' }), h('pre', { id: 'span-output', text: pretty(s.output) })]) : null,
      ]));
    }
    var keys = Object.keys(s.attributes || {}).sort();
    if (keys.length) {
      blocks.push(h('div', { class: 'block' }, [
        h('h4', { text: 'Attributes (' + keys.length + ')' }),
        h('dl', { class: 'kv attrs' }, kv(keys.map(function (k) { return [k, fmtValue(s.attributes[k])]; }))),
      ]));
    }
    if (s.signals && s.signals.length) {
      blocks.push(h('div', { class: 'block' }, [
        h('h4', { text: 'Signals' }),
        h('dl', { class: 'kv' }, kv(s.signals.map(function (g) { return [g.name, String(g.value)]; }))),
      ]));
    }
    if (s.events && s.events.length) {
      blocks.push(h('div', { class: 'block' }, [
        h('h4', { text: 'Events (' + s.events.length + ')' }),
        h('ul', { class: 'logs' }, s.events.map(function (ev) {
          var attrs = ev.attributes ? Object.keys(ev.attributes).map(function (k) { return k + '=' + fmtValue(ev.attributes[k]); }).join(' ') : '';
          return h('li', null, [
            h('span', { class: 'when', text: '+' + fmtDur(ev.time - t.startTime) }),
            h('span', { class: 'lvl', text: 'event' }), h('span', { text: ev.name }),
            h('span', { class: 'msg', text: attrs }),
          ]);
        })),
      ]));
    }
    var logs = t.logs.filter(function (l) { return l.spanId === s.spanId; });
    if (logs.length) {
      blocks.push(h('div', { class: 'block', id: 'span-logs' }, [
        h('h4', { text: 'Logs (' + logs.length + ')' }),
        h('ul', { class: 'logs' }, logs.map(function (l) { return logLine(t, l, false); })),
      ]));
    }
    if (s.links && s.links.length) {
      blocks.push(h('div', { class: 'block' }, [
        h('h4', { text: 'Links' }),
        h('dl', { class: 'kv' }, kv(s.links.map(function (l) { return ['trace ' + l.traceId, 'span ' + l.spanId]; }))),
      ]));
    }
    side.replaceChildren.apply(side, blocks);
  }

  function kv(pairs) {
    var out = [];
    pairs.forEach(function (p) {
      if (!p) return;
      out.push(h('dt', { text: p[0], title: p[0] }), h('dd', { text: p[1] }));
    });
    return out;
  }
  function stat(label, value, id) {
    return h('div', { class: 'stat', id: id }, [h('span', { text: label }), h('b', { text: value })]);
  }
  function fmtValue(v) {
    if (Array.isArray(v)) return '[' + v.map(String).join(', ') + ']';
    return v === null || v === undefined ? '' : String(v);
  }
  function pretty(text) {
    if (typeof text !== 'string') return String(text);
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }
  function copy(text) {
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
  }

  // --- navigation ---------------------------------------------------------

  function writeHash() {
    var parts = [];
    if (state.selectedId) parts.push('trace=' + state.selectedId);
    if (state.spanId) parts.push('span=' + state.spanId);
    history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
  }
  function select(id, spanId) {
    if (state.selectedId !== id) { state.trace = null; state.collapsed = {}; }
    state.selectedId = id;
    state.spanId = spanId;
    writeHash();
    renderList(); renderDetail(); renderSide();
    loadTrace(id);
  }
  function selectSpan(spanId) {
    state.spanId = spanId;
    writeHash();
    renderDetail(); renderSide();
  }

  function setLive(on) {
    var el = $('live');
    el.className = 'live' + (on ? ' on' : '');
    el.title = on ? 'Receiving updates' : 'Reconnecting…';
    $('live-text').textContent = on ? 'Live' : 'Offline';
  }
  function connect() {
    if (!window.EventSource) return;
    var es = new EventSource('/api/stream');
    es.onopen = function () { setLive(true); loadList(); };
    es.onerror = function () { setLive(false); };
    es.addEventListener('trace', function (e) {
      var s = JSON.parse(e.data);
      if (!state.traces.some(function (t) { return t.id === s.id; })) state.fresh[s.id] = true;
      later('list', loadList, 150);
      if (s.id === state.selectedId) later('trace', function () { loadTrace(s.id); }, 150);
    });
    es.addEventListener('evict', function () { later('list', loadList, 150); });
    es.addEventListener('clear', function () {
      state.selectedId = null; state.trace = null; state.spanId = null; writeHash();
      loadList(); renderDetail(); renderSide();
    });
  }

  function init() {
    var search = $('q');
    search.addEventListener('input', function () {
      state.filter.q = search.value.trim();
      clearTimeout(timers.search);
      timers.search = setTimeout(loadList, 120);
    });
    $('service').addEventListener('change', function (e) { state.filter.service = e.target.value; loadList(); });
    Array.prototype.forEach.call(document.querySelectorAll('.seg button'), function (b) {
      b.addEventListener('click', function () { state.filter.status = b.dataset.status; renderFilters(); loadList(); });
    });
    $('clear').addEventListener('click', function () {
      fetch('/api/traces', { method: 'DELETE' }).then(loadList);
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && state.spanId) selectSpan(null);
      if (e.key === '/' && document.activeElement !== search) { e.preventDefault(); search.focus(); }
    });
    window.addEventListener('resize', function () {
      clearTimeout(timers.resize);
      timers.resize = setTimeout(function () { if (state.trace) renderDetail(); }, 100);
    });
    setInterval(function () {
      Array.prototype.forEach.call(document.querySelectorAll('.tr-time'), function (el) {
        el.textContent = fmtAgo(Number(el.dataset.time));
      });
    }, 10000);
    window.addEventListener('hashchange', function () {
      var next = new URLSearchParams(location.hash.slice(1));
      if (next.get('trace')) select(next.get('trace'), next.get('span'));
    });
    var hash = new URLSearchParams(location.hash.slice(1));
    renderDetail();
    loadList().then(function () {
      if (hash.get('trace')) select(hash.get('trace'), hash.get('span'));
    });
    connect();
  }
  init();
})();
`;

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
    <ol id="trace-list" class="trace-list"></ol>
  </section>
  <main id="detail" class="detail-pane"></main>
  <aside id="side" class="side" hidden aria-label="Span details"></aside>
</div>
`;

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The viewer page: markup, style and script in one response. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tracewire dev</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%234f46e5'/%3E%3Cpath d='M4 5h8M4 8h5M4 11h7' stroke='white' stroke-width='1.6' stroke-linecap='round'/%3E%3C/svg%3E">
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;

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
