/** The viewer's stylesheet; see page.ts for how it is served. */
export const PAGE_STYLE = `
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
/* Service chips wrap onto another line rather than being cut. */
.tr-line.tr-main { flex-wrap: wrap; row-gap: 4px; }
.tr-services { display: flex; flex-wrap: wrap; gap: 4px; flex: 1 1 auto; min-width: 0; }
.tr-services .svc { max-width: 100%; min-width: 0; }
.svc-name { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.tr-extra { font-size: 11.5px; color: var(--muted); flex-wrap: wrap; row-gap: 2px; }
.tr-llm { color: #7c3aed; font-family: var(--mono); font-size: 11px; white-space: nowrap; }
.tr-ctx { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%; }
.trunc-tag { font-size: 10.5px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; color: var(--warn); background: var(--warn-bg); border-radius: 3px; padding: 0 4px; }
@media (prefers-color-scheme: dark) { .tr-llm { color: #c4b5fd; } }
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
.badge.s-aborted, .badge.s-cancelled, .badge.s-warn { background: var(--warn-bg); color: var(--warn); }
.dot.s-warn { background: var(--warn); }
.th-llm b { color: #7c3aed; }
@media (prefers-color-scheme: dark) { .th-llm b { color: #c4b5fd; } }
.th-ctx, .active-filters { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.active-filters { margin: 0; padding: 6px 12px; border-bottom: 1px solid var(--border-2); }
.active-filters[hidden] { display: none; }
.ctx { display: inline-flex; align-items: center; gap: 5px; height: 22px; padding: 0 8px; border: 1px solid var(--border); border-radius: 11px; background: var(--panel-2); cursor: pointer; font-size: 12px; max-width: 100%; }
.ctx:hover { border-color: var(--accent); }
.ctx.is-active { background: var(--accent-bg); border-color: var(--accent); color: var(--accent); }
.ctx-k { color: var(--muted); font-size: 10.5px; text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
.ctx-v { font-family: var(--mono); font-size: 11.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ctx-x { color: var(--muted); font-size: 14px; line-height: 1; }
.trunc-note { margin-top: 8px; padding: 6px 10px; border-radius: 6px; background: var(--warn-bg); color: var(--warn); font-size: 12px; font-weight: 500; }
.th-meta { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-top: 6px; color: var(--muted); font-size: 12px; }
.th-meta b { color: var(--text); font-weight: 600; font-variant-numeric: tabular-nums; }
.th-meta code { cursor: copy; }
.legend { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.legend .svc { font-size: 12px; height: 20px; color: var(--text); }
.legend .svc small { color: var(--muted); }
.waterfall { background: var(--panel); margin: 0; }
.wf-header, .span-row { display: grid; grid-template-columns: var(--name-w, minmax(260px, 40%)) 1fr; }
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
