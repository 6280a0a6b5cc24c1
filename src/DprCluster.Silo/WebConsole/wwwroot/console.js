// DprCluster's console: plain DOM and SVG, no framework, no inline code (the page's CSP forbids it). Every string
// from the server is set as text (textContent, text nodes, SVG <title>), never parsed as HTML.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const state = { qrels: null, queries: null, clusterTimer: null };

function $(id) { return document.getElementById(id); }

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === 'class') node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
  for (const child of children) node.append(child);
  return node;
}

function status(text, isError) {
  const box = $('status');
  box.textContent = text;
  box.className = isError ? 'error' : '';
}

async function api(method, path, body, headers) {
  const response = await fetch(path, {
    method,
    headers: Object.assign(body === undefined ? {} : { 'Content-Type': 'application/json' }, headers || {}),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const problem = data || {};
    throw new Error(`${problem.code || response.status}: ${problem.detail || response.statusText}`);
  }
  return data;
}

function guarded(action) {
  return async (event) => {
    if (event) event.preventDefault();
    try { await action(); } catch (error) { status(error.message, true); }
  };
}

// ---- tabs
function show(view) {
  for (const button of document.querySelectorAll('#tabs button')) button.classList.toggle('active', button.dataset.view === view);
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${view}`;
  clearInterval(state.clusterTimer);
  if (view === 'cluster') {
    guarded(refreshCluster)();
    state.clusterTimer = setInterval(guarded(refreshCluster), 2000);
  }
}

// ---- search
function queryTerms(query) {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || [])];
}

function highlighted(text, terms) {
  const span = el('span');
  if (terms.length === 0) { span.textContent = text; return span; }
  const pattern = new RegExp(`(${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu');
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    span.append(document.createTextNode(text.slice(last, match.index)), el('mark', {}, match[0]));
    last = match.index + match[0].length;
  }
  span.append(document.createTextNode(text.slice(last)));
  return span;
}

function timingsBar(timings, took) {
  const stages = [['encode', timings.encode_ms], ['statistics', timings.statistics_ms], ['shards', timings.shards_ms], ['merge', timings.merge_ms]];
  const total = Math.max(took, stages.reduce((sum, [, ms]) => sum + ms, 0), 0.001);
  const chart = svg('svg', { viewBox: '0 0 800 40', width: 800, height: 40, id: 'timings-bar' });
  const colours = ['#2e6be6', '#12a150', '#f79009', '#7a5af8'];
  let x = 0;
  stages.forEach(([name, ms], i) => {
    const width = (ms / total) * 800;
    chart.append(svg('rect', { x, y: 0, width: Math.max(width, 0), height: 18, fill: colours[i] }, svg('title', {}, document.createTextNode(`${name} ${ms.toFixed(1)} ms`))));
    chart.append(svg('text', { x: x + 2, y: 32, class: 'bar-label' }, document.createTextNode(`${name} ${ms.toFixed(1)} ms`)));
    x += Math.max(width, 130);
  });
  return chart;
}

function shardLatencies(shards) {
  const slowest = Math.max(...shards.map((s) => s.ms), 0.001);
  const chart = svg('svg', { viewBox: `0 0 800 ${20 * shards.length + 4}`, width: 800, height: 20 * shards.length + 4, id: 'shard-latencies' });
  shards.forEach((s, i) => {
    const label = `shard ${s.shard} · replica ${s.replica} on ${s.silo}: ${s.ms.toFixed(1)} ms`;
    chart.append(svg('rect', { x: 0, y: 20 * i + 2, width: Math.max(2, (s.ms / slowest) * 400), height: 14, fill: '#98a2b3', class: 'shard-latency' },
      svg('title', {}, document.createTextNode(label))));
    chart.append(svg('text', { x: 410, y: 20 * i + 13, class: 'bar-label' }, document.createTextNode(label)));
  });
  return chart;
}

async function runSearch() {
  const query = $('search-query').value;
  const body = { query, k: Number($('search-k').value), mode: $('search-mode').value };
  if ($('search-ef').value) body.ef = Number($('search-ef').value);
  if (body.mode === 'hybrid') body.fusion = $('search-fusion').value;
  status('searching…');
  performance.mark('search-start');
  const result = await api('POST', '/v1/search', body);
  const terms = queryTerms(query);
  const list = $('search-hits');
  list.replaceChildren(...result.hits.map((hit) => el('li', { class: 'hit' },
    el('div', { class: 'hit-head' }, el('span', {}, `score ${hit.score.toFixed(4)}`), el('span', {}, `id ${hit.id}`),
      el('span', {}, `shard ${hit.shard}`), el('span', {}, `replica ${hit.replica ?? '?'}`)),
    el('div', { class: 'hit-title' }, highlighted(hit.title || '', terms)),
    el('div', { class: 'hit-text' }, highlighted(hit.text || '', terms)))));
  $('search-timings').replaceChildren(timingsBar(result.timings, result.took_ms), shardLatencies(result.shard_timings),
    el('p', {}, `${result.hits.length} hits in ${result.took_ms.toFixed(1)} ms${result.partial ? `, partial: shards ${result.failed_shards.join(', ')} did not answer` : ''}`));
  status(`${result.hits.length} hits`);
  // Read by the console benchmark: submit to rendered hits, on the browser's own clock.
  performance.measure('search-rendered', 'search-start');
}

// ---- compare
const MODES = ['dense', 'bm25', 'hybrid'];

async function searchModes(query, k) {
  return Promise.all(MODES.map((mode) => api('POST', '/v1/search', { query, k, mode })));
}

async function runCompare() {
  const query = $('compare-query').value;
  const k = Number($('compare-k').value);
  status('comparing…');
  const results = await searchModes(query, k);
  const denseRanks = new Map(results[0].hits.map((hit, i) => [hit.id, i + 1]));
  const judged = state.qrels ? judgedFor(query) : null;
  $('compare-columns').replaceChildren(...results.map((result, column) => el('div', {},
    el('h3', {}, MODES[column]),
    el('ol', {}, ...result.hits.map((hit, i) => {
      const dense = denseRanks.get(hit.id);
      const change = column === 0 ? '' : dense === undefined ? 'new' : dense > i + 1 ? `▲${dense - i - 1}` : dense < i + 1 ? `▼${i + 1 - dense}` : '=';
      const cls = change === 'new' ? 'new' : change.startsWith('▲') ? 'up' : change.startsWith('▼') ? 'down' : '';
      return el('li', {}, el('span', { class: cls }, change ? `${change} ` : ''), hit.title || hit.id,
        judged && judged.has(hit.id) ? ' ✓' : '');
    })))));
  status('compared');
}

function parseQueries(text) {
  const byId = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const record = JSON.parse(line);
    byId.set(String(record._id ?? record.id), record.text);
  }
  return byId;
}

function parseQrels(text) {
  const qrels = new Map();
  for (const line of text.split('\n')) {
    const fields = line.trim().split('\t');
    if (fields.length < 3 || fields[0] === 'query-id' || Number(fields[fields.length - 1]) <= 0) continue;
    const [queryId, passageId] = fields.length === 4 ? [fields[0], fields[2]] : [fields[0], fields[1]];
    if (!qrels.has(queryId)) qrels.set(queryId, new Set());
    qrels.get(queryId).add(passageId);
  }
  return qrels;
}

function judgedFor(question) {
  if (!state.qrels || !state.queries) return null;
  for (const [id, text] of state.queries) if (text === question) return state.qrels.get(id) || null;
  return null;
}

function scores(hits, relevant, k) {
  const ids = hits.slice(0, k).map((hit) => hit.id);
  const found = ids.filter((id) => relevant.has(id)).length;
  const first = ids.findIndex((id) => relevant.has(id));
  let dcg = 0;
  ids.slice(0, 10).forEach((id, i) => { if (relevant.has(id)) dcg += 1 / Math.log2(i + 2); });
  let ideal = 0;
  for (let i = 0; i < Math.min(relevant.size, 10); i++) ideal += 1 / Math.log2(i + 2);
  return { recall: found / relevant.size, mrr: first < 0 ? 0 : 1 / (first + 1), ndcg: ideal ? dcg / ideal : 0 };
}

async function readFile(input) {
  if (!input.files.length) throw new Error('choose a file first');
  return input.files[0].text();
}

async function runEvaluation() {
  state.queries = parseQueries(await readFile($('qrels-queries')));
  state.qrels = parseQrels(await readFile($('qrels-file')));
  const k = Number($('compare-k').value);
  const limit = Number($('qrels-limit').value);
  const judged = [...state.qrels.keys()].filter((id) => state.queries.has(id)).slice(0, limit);
  const totals = MODES.map(() => ({ recall: 0, mrr: 0, ndcg: 0 }));
  const rows = [];
  for (let i = 0; i < judged.length; i++) {
    status(`evaluating ${i + 1} / ${judged.length}…`);
    const question = state.queries.get(judged[i]);
    const results = await searchModes(question, Math.max(k, 10));
    const perMode = results.map((result) => scores(result.hits, state.qrels.get(judged[i]), k));
    perMode.forEach((s, m) => { totals[m].recall += s.recall; totals[m].mrr += s.mrr; totals[m].ndcg += s.ndcg; });
    rows.push(el('tr', {}, el('td', {}, question), ...perMode.map((s) => el('td', {}, s.ndcg.toFixed(3)))));
  }
  const n = Math.max(judged.length, 1);
  $('qrels-summary').replaceChildren(el('table', { id: 'qrels-table' },
    el('thead', {}, el('tr', {}, el('th', {}, `mode (${judged.length} questions)`), el('th', {}, `Recall@${k}`), el('th', {}, `MRR@${k}`), el('th', {}, 'nDCG@10'))),
    el('tbody', {}, ...MODES.map((mode, m) => el('tr', {}, el('td', {}, mode), el('td', {}, (totals[m].recall / n).toFixed(4)),
      el('td', {}, (totals[m].mrr / n).toFixed(4)), el('td', {}, (totals[m].ndcg / n).toFixed(4)))))));
  $('qrels-per-query').replaceChildren(el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'question'), ...MODES.map((mode) => el('th', {}, `${mode} nDCG@10`)))), el('tbody', {}, ...rows)));
  status(`evaluated ${judged.length} questions`);
}

// ---- embedding space
async function runProjection() {
  const query = $('space-query').value;
  const judged = judgedFor(query);
  status('projecting…');
  const result = await api('POST', '/v1/projection', {
    query, k: Number($('space-k').value), sample: Number($('space-sample').value), judged: judged ? [...judged].slice(0, 100) : [],
  });
  const plot = $('space-plot');
  const xs = result.points.map((p) => p.x);
  const ys = result.points.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => 30 + ((x - minX) / (maxX - minX || 1)) * 740;
  const sy = (y) => 470 - ((y - minY) / (maxY - minY || 1)) * 440;
  const order = { sample: 0, judged: 1, hit: 2, query: 3 };
  const sorted = [...result.points].sort((a, b) => order[a.kind] - order[b.kind]);
  const question = result.points[0];
  const lines = result.points.filter((p) => p.kind === 'judged' || (judged && judged.has(p.id)))
    .map((p) => svg('line', { x1: sx(question.x), y1: sy(question.y), x2: sx(p.x), y2: sy(p.y), class: 'judged-line' }));
  const circles = sorted.map((p) => {
    const label = p.kind === 'query' ? `question: ${p.title}` : `${p.kind} · ${p.title} — ${p.text} (score ${p.score.toFixed(3)})`;
    const dot = svg('circle', { cx: sx(p.x), cy: sy(p.y), r: p.kind === 'sample' ? 3 : p.kind === 'query' ? 8 : 5,
      class: judged && judged.has(p.id) && p.kind === 'hit' ? 'hit judged-hit' : p.kind, 'data-kind': p.kind },
    svg('title', {}, document.createTextNode(label)));
    dot.addEventListener('mouseenter', () => { $('space-hover').textContent = label; });
    return dot;
  });
  plot.replaceChildren(...lines, ...circles,
    svg('text', { x: 30, y: 495, class: 'bar-label' }, document.createTextNode(
      `PC1 ${(100 * result.explained_variance[0]).toFixed(1)}% · PC2 ${(100 * result.explained_variance[1]).toFixed(1)}% of variance`)));
  status(`${result.points.length} points${result.partial ? ' (partial)' : ''}`);
}

// ---- cluster
async function refreshCluster() {
  const cluster = await api('GET', '/v1/cluster');
  $('cluster-silos').tBodies[0].replaceChildren(...cluster.silos.map((silo) => el('tr', {},
    el('td', {}, silo.name), el('td', {}, silo.address), el('td', {}, silo.status), el('td', {}, silo.roles.join(', ')), el('td', {}, silo.gpu ? 'yes' : 'no'))));
  const encoder = cluster.encoder;
  $('cluster-encoder').textContent = !encoder ? 'no encoder silo answered'
    : `${encoder.silo}: queue ${encoder.queue_length} / ${encoder.max_queue_length}; ${encoder.query_batches} question batches `
      + `(mean ${encoder.mean_query_batch.toFixed(1)}), ${encoder.passage_batches} passage batches (mean ${encoder.mean_passage_batch.toFixed(1)})`;
  const replicas = Math.max(...cluster.shards.map((s) => s.replicas.length), 1);
  const grid = $('cluster-grid');
  grid.tHead.replaceChildren(el('tr', {}, el('th', {}, 'shard'), ...Array.from({ length: replicas }, (_, r) => el('th', {}, `replica ${r}`))));
  grid.tBodies[0].replaceChildren(...cluster.shards.map((shard) => el('tr', {}, el('td', {}, String(shard.shard_id)),
    ...shard.replicas.map((replica) => {
      const stats = replica.stats;
      const stateName = !replica.reachable ? 'unreachable' : stats ? stats.state : 'unknown';
      const lines = [`${stateName.replace('_', ' ')} on ${replica.silo}`];
      if (stats) {
        lines.push(`${stats.passages} passages, ${stats.deleted_slots} deleted`, `LSN ${stats.last_lsn} (snapshot ${stats.snapshot_lsn})`,
          `recall probe ${stats.recall === undefined ? 'not measured yet' : stats.recall.toFixed(3)}`);
      }
      if (replica.lag !== undefined) lines.push(replica.lag === 0 ? 'in step with its shard' : `${replica.lag} records behind`);
      if (replica.error || stats?.error) lines.push(`error: ${replica.error || stats.error}`);
      return el('td', { class: `replica ${stateName}`, 'data-shard': shard.shard_id, 'data-replica': replica.replica },
        ...lines.map((line) => el('div', {}, line)));
    }))));
  status(`cluster refreshed ${new Date().toLocaleTimeString()}`);
}

// ---- ingest
async function runIngest() {
  const lines = (await readFile($('ingest-file'))).split('\n').filter((line) => line.trim());
  const passages = lines.map((line, i) => {
    try { return JSON.parse(line); } catch { throw new Error(`line ${i + 1} is not JSON`); }
  });
  const batch = Number($('ingest-batch').value);
  const key = $('ingest-key').value;
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  const progress = $('ingest-progress');
  progress.max = passages.length;
  progress.value = 0;
  let done = 0;
  for (let start = 0; start < passages.length; start += batch) {
    const part = passages.slice(start, start + batch).map((p) => ({ id: String(p._id ?? p.id), title: p.title || '', text: p.text || '' }));
    await api('POST', '/v1/passages', { passages: part }, headers);
    done += part.length;
    progress.value = done;
    $('ingest-text').textContent = `${done} / ${passages.length} passages stored`;
  }
  status(`ingested ${done} passages`);
}

document.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('#tabs button')) button.addEventListener('click', () => show(button.dataset.view));
  $('search-form').addEventListener('submit', guarded(runSearch));
  $('compare-form').addEventListener('submit', guarded(runCompare));
  $('qrels-form').addEventListener('submit', guarded(runEvaluation));
  $('space-form').addEventListener('submit', guarded(runProjection));
  $('ingest-form').addEventListener('submit', guarded(runIngest));
  status('ready');
});
