/*
 * The viewer's script: data reaches the DOM only through textContent, attributes
 * and CSSOM (see page.ts). It avoids backticks and dollar-brace so it can live
 * in String.raw.
 */
import { PAGE_VIEWS } from './page-views';

/** Opens the script's one function scope: state, helpers and data loading. */
const SETUP = String.raw`
(function () {
  'use strict';
  // Neighbours differ in hue, so the first few services never look alike.
  var PALETTE = ['#4f7df3', '#e8833a', '#9b5de5', '#13a89e', '#e05297', '#c9a227', '#2fa84f', '#0ba5c7', '#7a6f66', '#d9534f', '#5c6bc0', '#8ab31d'];
  var state = {
    traces: [], services: [], total: 0, errors: 0,
    filter: { q: '', service: '', status: '', user: '', session: '', tag: '' },
    selectedId: null, trace: null, loading: false, spanId: null, collapsed: {}, fresh: {}, colors: {}, used: [],
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
  /** Replaces an element's children; null entries (optional parts) are skipped, never printed. */
  function fill(el, children) {
    el.replaceChildren();
    add(el, children);
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
    return h('span', { class: 'svc', style: { '--c': colorOf(name) }, title: name }, [h('i'), h('span', { class: 'svc-name', text: name }), extra]);
  }
  function statusClass(s) { return 's-' + (s || 'unset'); }
  /** What happened, in words: the raw status 'unset' is what OpenTelemetry leaves on a 2xx. */
  function outcome(status, code) {
    if (status === 'error') return { label: 'Error', cls: 's-error' };
    if (status === 'aborted') return { label: 'Aborted', cls: 's-aborted' };
    if (status === 'cancelled') return { label: 'Cancelled', cls: 's-cancelled' };
    if (typeof code === 'number' && code >= 400) return { label: 'Client error', cls: 's-warn' };
    return { label: 'OK', cls: 's-ok' };
  }
  function codeChip(code) {
    if (typeof code !== 'number') return null;
    return h('span', { class: 'code' + (code >= 500 ? ' c5' : code >= 400 ? ' c4' : ''), title: 'HTTP status', text: code });
  }
  function rootCode(t) {
    var root = t.spans[0];
    var code = root && root.attributes ? root.attributes['http.response.status_code'] : undefined;
    return typeof code === 'number' ? code : undefined;
  }
  function fmtTokens(n) { return n >= 10000 ? (n / 1000).toFixed(n >= 100000 ? 0 : 1) + 'k' : fmtNum(n); }
  /** "1,290 tokens · $0.00042", the totals of a trace's LLM calls. */
  function llmText(llm) {
    var parts = [fmtTokens(llm.totalTokens) + ' tokens'];
    if (typeof llm.cost === 'number') parts.push(fmtCost(llm.cost) + (llm.unpriced ? ' + ' + llm.unpriced + ' unpriced' : ''));
    return parts.join(' · ');
  }
  function truncatedText(cut) {
    var parts = [];
    if (cut.spans) parts.push(plural(cut.spans, 'span') + ' left out');
    if (cut.logs) parts.push(plural(cut.logs, 'log') + ' left out');
    if (cut.fields) parts.push(plural(cut.fields, 'long value') + ' shortened');
    return 'Truncated by the collector to fit its per-trace size limit: ' + (parts.join(', ') || fmtBytes(cut.bytes) + ' left out') + '.';
  }
  function fmtBytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1048576).toFixed(1) + ' MiB';
  }

  // --- data -------------------------------------------------------------

  function query() {
    var p = new URLSearchParams();
    if (state.filter.q) p.set('q', state.filter.q);
    if (state.filter.service) p.set('service', state.filter.service);
    if (state.filter.status) p.set('status', state.filter.status);
    ['user', 'session', 'tag'].forEach(function (k) { if (state.filter[k]) p.set(k, state.filter[k]); });
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
      applyList(d);
      renderList(); renderFilters();
      if (!state.selectedId) renderDetail();
    }).catch(function () {});
  }
  function applyList(d) {
    state.traces = d.traces; state.services = d.services; state.total = d.total; state.errors = d.errors;
    d.services.forEach(colorOf);
  }
  function applyTrace(t) {
    state.trace = t;
    state.loading = false;
    if (t && state.spanId && !t.spans.some(function (s) { return s.spanId === state.spanId; })) state.spanId = null;
  }
  function loadTrace(id) {
    return getJson('/api/traces/' + encodeURIComponent(id)).then(function (t) {
      if (state.selectedId !== id) return;
      applyTrace(t);
      renderSide(); renderDetail();
    }).catch(function () {
      if (state.selectedId !== id || !state.loading) return;
      state.loading = false;
      renderDetail();
    });
  }
  var timers = {};
  function later(key, fn, ms) {
    if (timers[key]) return;
    timers[key] = setTimeout(function () { timers[key] = null; fn(); }, ms);
  }

`;

/** Navigation, live updates and start-up; closes the function scope. */
const NAVIGATION = String.raw`
  // --- navigation ---------------------------------------------------------

  // A trace's address is a path (/trace/<id>), so the server can put the trace
  // into the page itself and a cold link renders without waiting for a fetch.
  function writeUrl() {
    var path = state.selectedId ? '/trace/' + encodeURIComponent(state.selectedId) : '/';
    history.replaceState(null, '', path + (state.spanId ? '#span=' + state.spanId : ''));
  }
  /** The trace and span a URL names: /trace/<id>#span=<id>, or the older /#trace=<id>&span=<id>. */
  function linkTarget() {
    var hash = new URLSearchParams(location.hash.slice(1));
    var m = /^\/trace\/([^\/]+)\/?$/.exec(location.pathname);
    var trace = m ? decodeURIComponent(m[1]) : hash.get('trace');
    return { trace: trace, span: hash.get('span') };
  }
  function select(id, spanId) {
    if (state.selectedId !== id) { state.trace = null; state.loading = true; state.collapsed = {}; }
    state.selectedId = id;
    state.spanId = spanId;
    writeUrl();
    renderList(); renderSide(); renderDetail();
    loadTrace(id);
  }
  function selectSpan(spanId) {
    state.spanId = spanId;
    writeUrl();
    renderSide(); renderDetail();
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
    es.onopen = function () {
      setLive(true); loadList();
      // Whatever changed before the stream (re)connected; a missing trace announces itself when it arrives.
      if (state.trace) loadTrace(state.selectedId);
    };
    es.onerror = function () { setLive(false); };
    es.addEventListener('trace', function (e) {
      var s = JSON.parse(e.data);
      if (!state.traces.some(function (t) { return t.id === s.id; })) state.fresh[s.id] = true;
      later('list', loadList, 150);
      if (s.id === state.selectedId) later('trace', function () { loadTrace(s.id); }, 150);
    });
    es.addEventListener('evict', function () { later('list', loadList, 150); });
    es.addEventListener('clear', function () {
      state.selectedId = null; state.trace = null; state.spanId = null; writeUrl();
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
      var next = linkTarget();
      if (next.trace && next.trace !== state.selectedId) select(next.trace, next.span);
      else if (next.span !== state.spanId) selectSpan(next.span);
    });

    // What the server put into the page (on /trace/<id>) renders at once; the
    // fetches below then bring it up to date.
    var boot = readBoot();
    var link = linkTarget();
    if (boot && boot.list) applyList(boot.list);
    if (link.trace) {
      state.selectedId = link.trace;
      state.spanId = link.span;
      state.loading = true;
      if (boot && boot.id === link.trace) applyTrace(boot.trace);
      writeUrl();
    }
    renderFilters(); renderList(); renderSide(); renderDetail();
    loadList();
    // A trace the page already carries (or knows is missing) is fetched again only when it changes.
    if (link.trace && !(boot && boot.id === link.trace)) loadTrace(link.trace);
    connect();
  }
  function readBoot() {
    var el = $('boot');
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }
  init();
})();
`;

/** The whole script: the views (page-views.ts) share the scope SETUP opens. */
export const PAGE_SCRIPT = SETUP + PAGE_VIEWS + NAVIGATION;
