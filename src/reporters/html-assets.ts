/**
 * The HTML report's stylesheet and script, inlined into every report so the file works offline from
 * file://. The script builds the task table and the trajectory view from the page's JSON blocks, and
 * only ever inserts text through text nodes, so nothing from a report is parsed as HTML.
 */

export const STYLES = `
:root{--bg:#f6f8fa;--panel:#fff;--text:#1f2328;--muted:#59636e;--border:#d1d9e0;--track:#eef1f4;--accent:#0969da;
--pass:#1a7f37;--fail:#cf222e;--err:#bf8700;--pass-bg:#dafbe1;--fail-bg:#ffebe9;--err-bg:#fff8c5;--hover:#f3f6f9;--current:#ddf4ff;
--mono:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--panel:#151b23;--text:#e6edf3;--muted:#9198a1;--border:#3d444d;--track:#262c36;
--accent:#4493f8;--pass:#3fb950;--fail:#f85149;--err:#d29922;--pass-bg:#12261e;--fail-bg:#2d1214;--err-bg:#2e2410;--hover:#1c232d;--current:#102a45}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif}
code{font-family:var(--mono);font-size:12.5px;background:var(--track);padding:1px 5px;border-radius:4px}
h1,h2,h3{margin:0;line-height:1.25}
h1{font-size:22px}h2{font-size:17px}h3{font-size:14px}
a{color:var(--accent)}
.muted{color:var(--muted)}
header.run{background:var(--panel);border-bottom:1px solid var(--border);padding:22px max(24px,calc((100vw - 1240px)/2))}
.run-title{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.verdict{font-weight:600;font-size:13px;padding:3px 10px;border-radius:999px;border:1px solid currentColor}
.verdict.passed{color:var(--pass);background:var(--pass-bg)}.verdict.failed{color:var(--fail);background:var(--fail-bg)}
.verdict.errored,.verdict.interrupted{color:var(--err);background:var(--err-bg)}
.facts{color:var(--muted);margin:6px 0 12px}
section.suites{display:flex;flex-direction:column;gap:18px}
main{max-width:1240px;margin:0 auto;padding:20px 24px 60px;display:flex;flex-direction:column;gap:18px}
.panel{background:var(--panel);border:1px solid var(--border);border-radius:10px;padding:18px 20px}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.tile{min-width:104px;padding:8px 12px;border:1px solid var(--border);border-radius:8px;background:var(--panel)}
.tile-value{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.tile-label{font-size:12px;color:var(--muted)}.tile-hint{font-size:11px;color:var(--muted)}
.tile.passed .tile-value{color:var(--pass)}.tile.failed .tile-value{color:var(--fail)}.tile.errored .tile-value{color:var(--err)}
.status-bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:var(--track);margin-top:6px}
.status-bar span{display:block;min-width:2px}
.status-bar .passed{background:var(--pass)}.status-bar .failed{background:var(--fail)}.status-bar .errored{background:var(--err)}
.gates{border-color:var(--fail)}.gates h2{color:var(--fail)}
.gates ul{margin:10px 0 0;padding-left:20px}.gates li{margin:6px 0}.gate-message{color:var(--muted)}
.count{font-size:12px;background:var(--track);color:var(--text);border-radius:999px;padding:1px 8px;vertical-align:middle}
.chip{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;background:var(--track);margin-right:4px}
.chip.regressed{background:var(--fail-bg);color:var(--fail)}.chip.improved{background:var(--pass-bg);color:var(--pass)}
.chip.new,.chip.missing{background:var(--err-bg);color:var(--err)}
.test{color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--border);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;background:var(--panel)}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.compare{margin-top:10px}
details summary{cursor:pointer;color:var(--muted);margin-top:10px}
.suite h2{font-size:18px}
.charts{display:flex;flex-wrap:wrap;gap:24px;margin-top:6px}
figure{margin:0;flex:1 1 320px;max-width:440px}
figcaption{font-size:12px;font-weight:600;color:var(--muted);margin-bottom:4px;display:flex;gap:12px;flex-wrap:wrap}
.legend{font-weight:400;display:flex;gap:10px}.legend i{display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:4px}
.legend .passed{background:var(--pass)}.legend .failed{background:var(--fail)}.legend .errored{background:var(--err)}
svg.chart{width:100%;height:auto;display:block;overflow:visible}
svg .passed{fill:var(--pass)}svg .failed{fill:var(--fail)}svg .errored{fill:var(--err)}
svg .axis{fill:var(--muted);font-size:10.5px}svg .axis.label{font-size:11.5px;fill:var(--text)}
svg .value{fill:var(--text);font-size:11.5px;font-weight:600}
svg .bar-label{fill:var(--text);font-size:10px}
svg .grid{stroke:var(--border);stroke-dasharray:2 3}svg .base{stroke:var(--muted)}
svg .threshold{stroke:var(--text);stroke-width:1.2;stroke-dasharray:4 3}svg .threshold-label{fill:var(--text);font-size:10px}
svg .track{fill:var(--track)}svg .mean{fill:var(--accent)}svg .ci{stroke:var(--accent);stroke-width:2}
.table-head{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap;margin-bottom:10px}
.controls{display:flex;gap:8px;flex-wrap:wrap}
input,select,button{font:inherit;color:var(--text);background:var(--panel);border:1px solid var(--border);border-radius:6px;padding:5px 9px}
input[type=search]{width:280px}
button{cursor:pointer}button:hover{background:var(--hover)}button:disabled{opacity:.45;cursor:default}
.task-table th{position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}
.task-table th:hover{color:var(--text)}
.task-table th[aria-sort=ascending]::after{content:" ▲";font-size:9px}.task-table th[aria-sort=descending]::after{content:" ▼";font-size:9px}
.task-table tbody tr{cursor:pointer}.task-table tbody tr:hover{background:var(--hover)}
.task-table tbody tr.current{background:var(--current)}
.task-table tbody tr:focus{outline:2px solid var(--accent);outline-offset:-2px}
.task-id{font-family:var(--mono);font-size:12.5px}
td.error-cell{max-width:360px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;color:var(--muted)}
.empty-row td{text-align:center;color:var(--muted);padding:20px}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:0 8px;border-radius:999px;line-height:20px}
.badge.passed{background:var(--pass-bg);color:var(--pass)}.badge.failed{background:var(--fail-bg);color:var(--fail)}.badge.errored{background:var(--err-bg);color:var(--err)}
.table-foot{color:var(--muted);margin:10px 0 0}
#se-backdrop{position:fixed;inset:0;background:rgba(15,20,25,.35);z-index:9}
#se-drawer{position:fixed;top:0;right:0;bottom:0;width:min(940px,94vw);background:var(--bg);border-left:1px solid var(--border);
box-shadow:-8px 0 24px rgba(0,0,0,.18);overflow:auto;z-index:10;outline:none}
[hidden]{display:none!important}
.drawer-bar{position:sticky;top:0;z-index:1;display:flex;gap:8px;justify-content:flex-end;padding:10px 16px;background:var(--panel);border-bottom:1px solid var(--border)}
#se-detail{padding:16px 22px 40px;display:flex;flex-direction:column;gap:12px}
.crumbs{color:var(--muted);font-size:13px}
.detail-head h2{font-family:var(--mono);font-size:17px;margin:2px 0 6px;word-break:break-all}
.detail-facts{display:flex;gap:10px;align-items:center;flex-wrap:wrap;color:var(--muted)}
.error-box{border:1px solid var(--err);background:var(--err-bg);border-radius:8px;padding:10px 12px}
.error-box pre{margin:6px 0 0}
.step{background:var(--panel);border:1px solid var(--border);border-radius:10px;padding:12px 14px;display:flex;flex-direction:column;gap:8px}
.step h3{display:flex;justify-content:space-between;gap:10px}
.step-reward{font-weight:600;color:var(--accent)}
.part-label{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
.msg{border-left:3px solid var(--border);padding:2px 0 2px 10px}
.msg.role-system{border-color:#8c959f}.msg.role-user{border-color:#0969da}.msg.role-assistant{border-color:#8250df}.msg.role-tool{border-color:#1b7c83}
.msg-role{font-size:12px;font-weight:600;color:var(--muted)}
pre{font-family:var(--mono);font-size:12.5px;white-space:pre-wrap;word-break:break-word;margin:2px 0 0;max-height:30em;overflow:auto}
.tool-call{border:1px solid var(--border);border-radius:6px;padding:6px 10px;margin-top:4px;background:var(--track)}
.tool-name{font-family:var(--mono);font-weight:600;font-size:13px}
.tool-id{font-weight:400;color:var(--muted);font-size:11.5px;margin-left:8px}
.outcome.passed{border-color:var(--pass)}.outcome.failed{border-color:var(--fail)}.outcome.errored{border-color:var(--err)}
`;

// Plain JavaScript for any current browser. Kept free of backticks and template placeholders so it
// can sit in this raw string as written.
export const CLIENT_SCRIPT = String.raw`
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const readJson = (id) => {
    const node = $(id);
    return node ? JSON.parse(node.textContent) : null;
  };
  const suites = readJson('se-suites') || [];
  const rows = [];
  suites.forEach((suite, suiteIndex) => {
    for (const row of readJson('se-rows-' + suiteIndex) || []) {
      row.suite = suite.name;
      row.suiteIndex = suiteIndex;
      row.index = rows.length;
      rows.push(row);
    }
  });
  const collator = new Intl.Collator('en', { numeric: true });
  const PAGE = 200;
  const STATUS_ORDER = { errored: 0, failed: 1, passed: 2 };
  const state = { text: '', status: 'all', suite: 'all', key: '', dir: 1, limit: PAGE, view: rows, current: null };

  /** Builds an element; children that are not nodes become text nodes, never markup. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    fill(node, children);
    return node;
  }

  function fill(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const num = (v) => (typeof v === 'number' && isFinite(v) ? String(Math.round(v * 1000) / 1000) : String(v));
  const duration = (ms) => {
    if (typeof ms !== 'number' || !isFinite(ms) || ms < 0) return '–';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    return Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  };
  const errorText = (row) => (row.error ? row.error.kind + ': ' + row.error.message : '');
  const badge = (status) => h('span', { class: 'badge ' + status }, status);

  // ---- table ----

  function compare(a, b, key) {
    if (key === 'suite') return collator.compare(a.suite, b.suite);
    if (key === 'taskId') return collator.compare(a.taskId, b.taskId) || a.trial - b.trial;
    if (key === 'status') return STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    if (key === 'error') return collator.compare(errorText(a), errorText(b));
    return (a[key] || 0) - (b[key] || 0);
  }

  function matches(row) {
    if (state.suite !== 'all' && String(row.suiteIndex) !== state.suite) return false;
    if (state.status === 'notpassed' ? row.status === 'passed' : state.status !== 'all' && row.status !== state.status) return false;
    if (state.text && !(row.taskId + '\n' + row.suite + '\n' + errorText(row)).toLowerCase().includes(state.text)) return false;
    return true;
  }

  function rowNode(row) {
    const tr = h('tr', { tabindex: 0, class: row === state.current ? 'current' : '', 'data-seq': row.seq },
      h('td', {}, row.suite),
      h('td', { class: 'task-id' }, row.taskId),
      h('td', { class: 'num' }, row.trial),
      h('td', {}, badge(row.status)),
      h('td', { class: 'num' }, num(row.reward)),
      h('td', { class: 'num' }, row.steps),
      h('td', { class: 'num' }, duration(row.durationMs)),
      h('td', { class: 'error-cell', title: errorText(row) || null }, errorText(row)));
    tr.addEventListener('click', () => openRow(row));
    tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') openRow(row); });
    row.node = tr;
    return tr;
  }

  function renderTable() {
    let view = rows.filter(matches);
    if (state.key) view = view.slice().sort((a, b) => state.dir * compare(a, b, state.key) || a.index - b.index);
    state.view = view;
    const shown = view.slice(0, state.limit);
    const body = document.createDocumentFragment();
    for (const row of shown) body.append(rowNode(row));
    if (shown.length === 0) body.append(h('tr', { class: 'empty-row' }, h('td', { colspan: 8 }, rows.length ? 'No task matches the filter.' : 'No task finished in this run.')));
    $('se-rows').replaceChildren(body);
    $('se-count').textContent = 'Showing ' + shown.length + ' of ' + view.length + (view.length === rows.length ? ' tasks' : ' matching tasks (' + rows.length + ' in all)');
    $('se-more').hidden = shown.length >= view.length;
    for (const th of document.querySelectorAll('#se-table th')) {
      if (th.dataset.key === state.key) th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
  }

  function setupTable() {
    const suiteSelect = $('se-suite');
    suites.forEach((suite, index) => suiteSelect.append(h('option', { value: index }, suite.name)));
    if (suites.length < 2) suiteSelect.hidden = true;
    const refilter = () => { state.limit = PAGE; renderTable(); };
    $('se-filter').addEventListener('input', (event) => { state.text = event.target.value.trim().toLowerCase(); refilter(); });
    $('se-status').addEventListener('change', (event) => { state.status = event.target.value; refilter(); });
    suiteSelect.addEventListener('change', (event) => { state.suite = event.target.value; refilter(); });
    $('se-more').addEventListener('click', () => { state.limit += PAGE * 5; renderTable(); });
    for (const th of document.querySelectorAll('#se-table th')) {
      th.addEventListener('click', () => {
        const key = th.dataset.key;
        state.dir = state.key === key ? -state.dir : 1;
        state.key = key;
        renderTable();
      });
    }
  }

  // ---- trajectory ----

  function prettyArguments(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (error) {
      return String(text) + '\n(not valid JSON)';
    }
  }

  function toolCallNode(call) {
    const fn = call.function || {};
    const args = prettyArguments(fn.arguments === undefined ? '{}' : fn.arguments);
    return h('div', { class: 'tool-call' },
      h('div', { class: 'tool-name' }, 'call ' + (fn.name || '(unnamed)'), call.id ? h('span', { class: 'tool-id' }, call.id) : null),
      args === '{}' ? null : h('pre', { class: 'tool-args' }, args));
  }

  function messageNode(message, toolNames) {
    let role = message.role || 'message';
    if (message.role === 'tool') {
      const name = message.tool_call_id ? toolNames.get(message.tool_call_id) : undefined;
      role = 'tool result' + (name ? ' · ' + name : '') + (message.tool_call_id ? ' (' + message.tool_call_id + ')' : '');
    }
    const content = message.content === undefined || message.content === null ? '' : String(message.content);
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    return h('div', { class: 'msg role-' + String(message.role) },
      h('div', { class: 'msg-role' }, role),
      content !== '' ? h('pre', { class: 'msg-content' }, content) : calls.length ? null : h('div', { class: 'muted' }, '(empty)'),
      calls.map(toolCallNode));
  }

  /** Groups the conversation into the initial state and steps: an action and the observation after it. */
  function trajectoryNodes(messages, row) {
    const toolNames = new Map();
    for (const message of messages) {
      for (const call of message.tool_calls || []) if (call && call.id && call.function) toolNames.set(call.id, call.function.name);
    }
    const initial = [];
    const steps = [];
    for (const message of messages) {
      if (message.role === 'assistant') steps.push({ action: message, observation: [] });
      else if (steps.length) steps[steps.length - 1].observation.push(message);
      else initial.push(message);
    }
    const nodes = [];
    if (initial.length) nodes.push(h('section', { class: 'step initial' }, h('h3', {}, 'Initial state'), initial.map((m) => messageNode(m, toolNames))));
    steps.forEach((step, index) => {
      const last = index === steps.length - 1;
      nodes.push(h('section', { class: 'step' },
        h('h3', {}, h('span', {}, 'Step ' + (index + 1)), last && row.status !== 'errored' ? h('span', { class: 'step-reward' }, 'episode reward ' + num(row.reward)) : null),
        h('div', { class: 'part-label' }, 'Action'),
        messageNode(step.action, toolNames),
        h('div', { class: 'part-label' }, 'Observation'),
        step.observation.length ? step.observation.map((m) => messageNode(m, toolNames)) : h('div', { class: 'muted' }, '(none)')));
    });
    if (!steps.length) nodes.push(h('p', { class: 'muted' }, 'The agent took no action.'));
    return nodes;
  }

  function showRow(row) {
    if (state.current && state.current.node) state.current.node.classList.remove('current');
    state.current = row;
    if (row.node) row.node.classList.add('current');
    const detail = readJson('se-t-' + row.seq) || { trajectory: [] };
    const suite = suites[row.suiteIndex] || {};
    const error = detail.error;
    const outcome = (row.status === 'errored' ? 'Errored' + (error ? ' (' + error.kind + ')' : '') : row.status === 'passed' ? 'Passed' : 'Failed') +
      ': reward ' + num(row.reward) + (typeof suite.pass === 'number' && row.status !== 'errored' ? ' (passes at ≥ ' + num(suite.pass) + ')' : '');
    const detailNode = $('se-detail');
    detailNode.replaceChildren();
    fill(detailNode, [
      h('div', { class: 'detail-head' },
        h('div', { class: 'crumbs' }, row.suite + ' · ' + (suite.dataset || '') + '/' + (suite.split || '')),
        h('h2', {}, row.taskId),
        h('div', { class: 'detail-facts' }, badge(row.status), ['trial ' + row.trial, 'reward ' + num(row.reward), row.steps + ' steps', duration(row.durationMs)].map((fact) => h('span', {}, fact)))),
      error ? h('div', { class: 'error-box' }, h('strong', {}, error.kind + (error.code ? ' · ' + error.code : '')), h('pre', {}, error.message)) : null,
      trajectoryNodes(Array.isArray(detail.trajectory) ? detail.trajectory : [], row),
      h('section', { class: 'step outcome ' + row.status }, h('h3', {}, 'Outcome'), h('div', {}, outcome),
        detail.evaluation ? h('details', { open: true }, h('summary', {}, 'Evaluation'), h('pre', {}, JSON.stringify(detail.evaluation, null, 2))) : null),
    ]);
    const position = state.view.indexOf(row);
    $('se-prev').disabled = position <= 0;
    $('se-next').disabled = position < 0 || position >= state.view.length - 1;
    openDrawer();
  }

  function showMissing(task) {
    state.current = null;
    $('se-detail').replaceChildren(h('p', {}, 'No task ', h('code', {}, task), ' in this report.'));
    $('se-prev').disabled = true;
    $('se-next').disabled = true;
    openDrawer();
  }

  function openDrawer() {
    $('se-drawer').hidden = false;
    $('se-backdrop').hidden = false;
    $('se-drawer').scrollTop = 0;
    $('se-drawer').focus({ preventScroll: true });
  }

  function closeDrawer() {
    $('se-drawer').hidden = true;
    $('se-backdrop').hidden = true;
    if (location.hash) history.pushState(null, '', location.pathname + location.search);
    // the table row comes into view on close, not on open: the drawer covers the table meanwhile
    if (state.current && state.current.node) {
      state.current.node.scrollIntoView({ block: 'nearest' });
      state.current.node.focus({ preventScroll: true });
    }
  }

  // ---- #task=<id>&suite=<name>&trial=<n> opens a task, so a link can point at it ----

  const hashOf = (row) => 'task=' + encodeURIComponent(row.taskId) + '&suite=' + encodeURIComponent(row.suite) + '&trial=' + row.trial;

  function openRow(row) {
    if (location.hash === '#' + hashOf(row)) showRow(row);
    else location.hash = hashOf(row);
  }

  function applyHash() {
    const hash = location.hash.slice(1);
    if (!hash.startsWith('task=')) {
      if (!$('se-drawer').hidden) closeDrawer();
      return;
    }
    const params = new URLSearchParams(hash);
    const task = params.get('task');
    const suite = params.get('suite');
    const trial = params.get('trial');
    const row = rows.find((r) => r.taskId === task && (suite === null || r.suite === suite) && (trial === null || String(r.trial) === trial));
    if (!row) return showMissing(task);
    // the table stays as it is: a task further down than the rows shown is opened all the same
    showRow(row);
  }

  function step(delta) {
    const position = state.view.indexOf(state.current);
    const next = state.view[position + delta];
    if (position >= 0 && next) openRow(next);
  }

  setupTable();
  renderTable();
  $('se-close').addEventListener('click', closeDrawer);
  $('se-backdrop').addEventListener('click', closeDrawer);
  $('se-prev').addEventListener('click', () => step(-1));
  $('se-next').addEventListener('click', () => step(1));
  document.addEventListener('keydown', (event) => {
    if ($('se-drawer').hidden || event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    if (event.key === 'Escape') closeDrawer();
    else if (event.key === 'j' || event.key === 'ArrowDown') { event.preventDefault(); step(1); }
    else if (event.key === 'k' || event.key === 'ArrowUp') { event.preventDefault(); step(-1); }
  });
  window.addEventListener('hashchange', applyHash);
  applyHash();
})();
`;
