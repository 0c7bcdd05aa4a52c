/*
 * The viewer script's renderers: the trace list, the trace detail (header,
 * waterfall, logs) and the span panel. They run inside the script that
 * page-script.ts assembles, sharing its helpers and state; like it, they put
 * data into the DOM only as text, attributes and CSSOM, and avoid backticks and
 * dollar-brace so they can live in String.raw.
 */
export const PAGE_VIEWS = String.raw`
  // --- trace list ---------------------------------------------------------

  function renderFilters() {
    var sel = $('service');
    var current = state.filter.service;
    var names = state.services.slice();
    if (current && names.indexOf(current) < 0) names.push(current);
    var opts = [h('option', { value: '', text: 'All services' })].concat(names.map(function (n) {
      return h('option', { value: n, text: n });
    }));
    fill(sel, opts);
    sel.value = current;
    $('count-all').textContent = state.total ? String(state.total) : '';
    $('count-error').textContent = state.errors ? String(state.errors) : '';
    Array.prototype.forEach.call(document.querySelectorAll('.seg button'), function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.status === state.filter.status));
    });
    $('list-count').textContent = state.traces.length === state.total ? String(state.total) : state.traces.length + ' of ' + state.total;
    var active = ['user', 'session', 'tag'].filter(function (k) { return state.filter[k]; });
    var bar = $('active-filters');
    bar.hidden = active.length === 0;
    fill(bar, active.map(function (k) {
      return h('button', {
        class: 'ctx is-active', type: 'button', data: { filter: k, value: state.filter[k] }, title: 'Show all traces again',
        onclick: function () { setFilter(k, ''); },
      }, [h('span', { class: 'ctx-k', text: k }), h('span', { class: 'ctx-v', text: state.filter[k] }), h('span', { class: 'ctx-x', 'aria-label': 'remove filter', text: '×' })]);
    }));
  }

  function renderList() {
    var list = $('trace-list');
    if (state.traces.length === 0) {
      fill(list, emptyList());
      return;
    }
    var rows = state.traces.map(function (t) {
      var cls = 'trace-row' + (t.id === state.selectedId ? ' is-selected' : '') + (t.status === 'error' ? ' is-error' : '') + (state.fresh[t.id] ? ' is-new' : '');
      var shown = t.services.length > 3 ? t.services.slice(0, 2) : t.services;
      var code = codeChip(t.statusCode);
      var out = outcome(t.status, t.statusCode);
      return h('li', {
        class: cls, tabindex: '0', role: 'button', 'aria-label': t.name,
        data: { traceId: t.id, status: t.status, outcome: out.label },
        onclick: function () { select(t.id, null); },
        onkeydown: function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(t.id, null); } },
      }, [
        h('div', { class: 'tr-line' }, [
          h('span', { class: 'dot ' + out.cls, title: out.label }),
          h('span', { class: 'tr-name', title: t.name, text: t.name || '(unnamed)' }),
          code,
          t.errorCount > 0 ? h('span', { class: 'err-count', text: plural(t.errorCount, 'error') }) : null,
          h('span', { class: 'tr-dur', text: fmtDur(t.durationMs) }),
        ]),
        h('div', { class: 'tr-line tr-main' }, [
          h('span', { class: 'tr-services' }, shown.map(function (s) { return svcChip(s); }).concat(
            t.services.length > shown.length ? [h('span', { class: 'svc more', title: t.services.slice(shown.length).join(', '), text: '+' + (t.services.length - shown.length) })] : [])),
          h('span', { class: 'tr-meta', text: plural(t.spanCount, 'span') }),
          h('span', { class: 'tr-time', title: new Date(t.startTime).toISOString(), data: { time: String(t.startTime) }, text: fmtAgo(t.startTime) }),
        ]),
        t.llm || t.userId || t.sessionId || t.truncated ? h('div', { class: 'tr-line tr-extra' }, [
          t.llm ? h('span', { class: 'tr-llm', title: plural(t.llm.calls, 'LLM call'), text: llmText(t.llm) }) : null,
          t.userId ? h('span', { class: 'tr-ctx', title: 'User ' + t.userId, text: 'user ' + t.userId }) : null,
          t.sessionId ? h('span', { class: 'tr-ctx', title: 'Session ' + t.sessionId, text: 'session ' + t.sessionId }) : null,
          t.truncated ? h('span', { class: 'trunc-tag', title: truncatedText(t.truncated), text: 'truncated' }) : null,
        ]) : null,
      ]);
    });
    fill(list, rows);
    state.fresh = {};
  }

  function emptyList() {
    var f = state.filter;
    var filtered = f.q || f.service || f.status || f.user || f.session || f.tag;
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
        h('span', { text: 'OpenTelemetry SDKs and @tracewire/otlp (OTLP/HTTP, protobuf or JSON)' }),
        h('code', { text: 'OTEL_EXPORTER_OTLP_ENDPOINT=' + origin }),
      ]),
    ]));
  }

  // --- trace detail -------------------------------------------------------

  function renderDetail() {
    var pane = $('detail');
    var t = state.trace;
    if (!state.selectedId) {
      fill(pane, state.total ? h('div', { class: 'placeholder' }, 'Select a trace to see its waterfall.') : gettingStarted());
      return;
    }
    if (!t) {
      fill(pane, h('div', { class: 'placeholder', id: 'trace-missing' }, state.loading ? 'Loading trace…' : 'This trace is not in the collector (evicted, cleared, or not arrived yet).'));
      return;
    }
    var perService = {};
    t.spans.forEach(function (s) { perService[s.serviceName] = (perService[s.serviceName] || 0) + 1; });
    var code = rootCode(t);
    var out = outcome(t.status, code);
    var head = h('div', { class: 'trace-head', id: 'trace-head' }, [
      h('div', { class: 'th-title' }, [
        h('span', { class: 'badge ' + out.cls, id: 'trace-outcome', title: 'status: ' + t.status, text: out.label }),
        codeChip(code),
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
      t.llm ? h('div', { class: 'th-meta th-llm', id: 'trace-llm' }, [
        h('span', null, [h('b', { text: t.llm.calls }), t.llm.calls === 1 ? ' LLM call' : ' LLM calls']),
        h('span', { id: 'trace-tokens' }, [h('b', { text: fmtNum(t.llm.totalTokens) }), ' tokens (' + fmtNum(t.llm.inputTokens) + ' in, ' + fmtNum(t.llm.outputTokens) + ' out)']),
        typeof t.llm.cost === 'number' ? h('span', { id: 'trace-cost' }, [h('b', { text: fmtCost(t.llm.cost) }), t.llm.unpriced ? ' (' + t.llm.unpriced + ' unpriced)' : '']) : null,
      ]) : null,
      contextRow(t),
      t.truncated ? h('div', { class: 'trunc-note', id: 'trace-truncated', role: 'note', text: truncatedText(t.truncated) }) : null,
      h('div', { class: 'legend', id: 'legend' }, t.services.map(function (s) {
        return svcChip(s, h('small', { text: String(perService[s] || 0) }));
      })),
    ]);
    fill(pane, [head, waterfall(t), logsSection(t)]);
  }

  /** User, session and tags, each a button that filters the list to the traces sharing it. */
  function contextRow(t) {
    var items = [];
    if (t.userId) items.push(ctxButton('user', t.userId, 'User'));
    if (t.sessionId) items.push(ctxButton('session', t.sessionId, 'Session'));
    (t.tags || []).forEach(function (tag) { items.push(ctxButton('tag', tag, 'Tag')); });
    if (!items.length) return null;
    return h('div', { class: 'th-ctx', id: 'trace-context' }, items);
  }
  function ctxButton(key, value, label) {
    var active = state.filter[key] === value;
    return h('button', {
      class: 'ctx' + (active ? ' is-active' : ''), type: 'button', data: { filter: key, value: value },
      title: active ? 'Showing only traces with this ' + label.toLowerCase() : 'Show every trace with this ' + label.toLowerCase(),
      onclick: function () { setFilter(key, active ? '' : value); },
    }, [h('span', { class: 'ctx-k', text: label }), h('span', { class: 'ctx-v', text: value })]);
  }
  function setFilter(key, value) {
    state.filter[key] = value;
    renderFilters(); renderDetail(); loadList();
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
    var nameW = nameColumn(t, info, pane);
    var trackPx = Math.max(80, pane - nameW - 72);
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
    return h('div', { class: 'waterfall', id: 'waterfall', style: { '--name-w': nameW + 'px' } }, [
      h('div', { class: 'wf-header' }, [h('div', { text: 'Span' }), axis]),
      h('div', { class: 'wf-body' }, rows),
    ]);
  }

  /** The service is named where the request enters it, and on spans whose parent is missing. */
  function showsService(s, index, info) {
    var parent = info.byId[s.parentId];
    return index === 0 || !parent || parent.serviceName !== s.serviceName;
  }
  var canvas = null;
  function textWidth(text, font) {
    canvas = canvas || document.createElement('canvas').getContext('2d');
    canvas.font = font;
    return canvas.measureText(text).width;
  }
  /** Wide enough for the longest span name and service label, within 200px and 60% of the pane. */
  function nameColumn(t, info, pane) {
    var family = getComputedStyle(document.body).fontFamily;
    var need = 0;
    t.spans.forEach(function (s, i) {
      var w = 6 + (info.depth[s.spanId] || 0) * 14 + 16 + 8 + textWidth(s.name || '(unnamed)', '13px ' + family);
      if (s.kind !== 'internal') w += 6 + 10 + textWidth(s.kind.toUpperCase(), '600 9.5px ' + family) * 1.1;
      if (showsService(s, i, info)) w += 6 + textWidth(s.serviceName, '11px ' + family);
      if (i > 0 && !info.byId[s.parentId]) w += 6 + textWidth('parent missing', '11px ' + family);
      if (s.status === 'error') w += 22;
      need = Math.max(need, w);
    });
    return Math.round(Math.max(200, Math.min(need + 8, pane * 0.6)));
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
        showsService(s, index, info) ? h('span', { class: 'span-svc', title: s.serviceName, text: s.serviceName }) : null,
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
        (function () {
          var o = outcome(s.status, s.attributes ? s.attributes['http.response.status_code'] : undefined);
          return h('span', { class: 'badge ' + o.cls, id: 'span-outcome', text: o.label });
        })(),
      ]),
    ]));
    blocks.push(h('div', { class: 'block' }, h('dl', { class: 'kv' }, kv([
      ['Duration', fmtDur(s.durationMs)],
      ['Starts at', '+' + fmtDur(s.startTime - t.startTime) + '  (' + fmtClock(s.startTime) + ')'],
      ['Service', s.serviceName],
      ['Span id', s.spanId],
      ['Parent id', s.parentId || '—'],
      ['Status', s.status],
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
    fill(side, blocks);
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

`;
