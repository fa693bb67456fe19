// render.js — DOM for results, errors, query plans and the schema sidebar.
import { planTree, planKind, isPlanResult } from './plan.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function fmtMs(ms) {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
const plural = (n, one, many = one + 's') => `${n.toLocaleString()} ${n === 1 ? one : many}`;

function blobText(u8) {
  const hex = Array.from(u8.subarray(0, 32), (b) => b.toString(16).padStart(2, '0')).join('');
  return `x'${hex}${u8.length > 32 ? '…' : ''}'`;
}

function cellNode(v, t) {
  if (t === 'null' || v === null) return h('td', { class: 't-null', title: 'NULL' }, 'NULL');
  if (t === 'blob') return h('td', { class: 't-blob', title: `blob, ${v.length} bytes` }, blobText(v));
  if (t === 'integer') return h('td', { class: 't-integer', title: 'integer' }, typeof v === 'object' ? v.big : String(v));
  if (t === 'real') {
    const s = Number.isInteger(v) ? v.toFixed(1) : String(v);
    return h('td', { class: 't-real', title: 'real' }, s);
  }
  const s = String(v);
  return h('td', { class: 't-text', title: `text, ${s.length} chars` }, s.length > 500 ? s.slice(0, 500) + '…' : s);
}

// A column's type hint: the declared type, else the storage classes seen.
function columnType(col, i, types) {
  if (col.type) return col.type.toUpperCase();
  const seen = new Set();
  for (const rt of types) if (rt[i] !== 'null') seen.add(rt[i]);
  return seen.size ? [...seen].join('|') : '';
}

// SQLite's order of values: NULL < numbers < text < blob.
const CLASS_RANK = { null: 0, integer: 1, real: 1, text: 2, blob: 3 };
function compareCells(a, ta, b, tb) {
  const ra = CLASS_RANK[ta], rb = CLASS_RANK[tb];
  if (ra !== rb) return ra - rb;
  if (ra === 1) {
    const na = typeof a === 'object' ? Number(a.big) : a, nb = typeof b === 'object' ? Number(b.big) : b;
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  if (ra === 2) return a < b ? -1 : a > b ? 1 : 0;
  if (ra === 3) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }
  return 0;
}

// A result table; a click on a column header sorts the rows shown by it
// (again: descending, a third time: the query's order).
export function resultTable(r) {
  const order = r.rows.map((_, j) => j);
  let sortCol = -1, dir = 0;
  const body = h('tbody');
  const draw = () => body.replaceChildren(...order.map((j) =>
    h('tr', {}, r.rows[j].map((v, i) => cellNode(v, r.types[j][i])))));
  const ths = r.columns.map((c, i) =>
    h('th', { scope: 'col', title: (c.type ? `declared type ${c.type}` : 'no declared type: the storage classes of the values') + ' · click to sort',
      onclick: () => {
        if (sortCol !== i) { sortCol = i; dir = 1; } else dir = dir === 1 ? -1 : 0;
        order.sort((x, y) => (dir === 0 ? x - y
          : dir * compareCells(r.rows[x][i], r.types[x][i], r.rows[y][i], r.types[y][i]) || x - y));
        ths.forEach((t, k) => t.setAttribute('aria-sort', k === i && dir ? (dir > 0 ? 'ascending' : 'descending') : 'none'));
        draw();
      } },
    h('span', { class: 'col-name' }, c.name),
    h('span', { class: 'col-type' }, columnType(c, i, r.types))));
  draw();
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ths)), body));
}

export function planView(rows) {
  const draw = (nodes) => h('ul', {}, nodes.map((n) =>
    h('li', { class: `plan-node k-${planKind(n.detail)}` },
      h('span', { class: 'plan-detail' }, n.detail),
      n.children.length ? draw(n.children) : null)));
  return h('div', { class: 'plan-tree' }, draw(planTree(rows)));
}

// A statement as one line, without its leading comments.
export function oneLine(sql) {
  return sql.replace(/^(\s*(--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/))+/, '').replace(/\s+/g, ' ').trim();
}

function statementHeader(index, sql, meta, cls = '') {
  const one = oneLine(sql);
  return h('header', { class: `res-head ${cls}` },
    h('span', { class: 'res-index' }, `#${index + 1}`),
    h('code', { class: 'res-sql', title: sql }, one.length > 140 ? one.slice(0, 140) + '…' : one),
    h('span', { class: 'res-meta' }, meta));
}

// A result as tab-separated text (header line, then the rows shown).
export function resultTSV(r) {
  const text = (v, t) => (t === 'null' || v === null ? '' : t === 'blob' ? blobText(v)
    : t === 'integer' && typeof v === 'object' ? v.big : t === 'real' && Number.isInteger(v) ? v.toFixed(1) : String(v))
    .replace(/[\t\n\r]/g, ' ');
  return [r.columns.map((c) => c.name).join('\t'),
    ...r.rows.map((row, j) => row.map((v, i) => text(v, r.types[j][i])).join('\t'))].join('\n') + '\n';
}

function copyButton(r) {
  const b = h('button', { class: 'copy', type: 'button', title: 'Copy the rows as tab-separated text' }, 'Copy');
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(resultTSV(r));
      b.textContent = 'Copied';
    } catch {
      b.textContent = 'Copy failed';
    }
    setTimeout(() => { b.textContent = 'Copy'; }, 1500);
  });
  return b;
}

export function resultCard(r) {
  const card = h('section', { class: 'result', dataset: { index: r.index } });
  if (r.columns) {
    const rows = r.truncated ? `${plural(r.rowCount, 'row')} (first ${r.rows.length.toLocaleString()} shown)` : plural(r.rowCount, 'row');
    card.append(statementHeader(r.index, r.sql, [rows, ' · ', fmtMs(r.ms)]));
    if (r.columns.length && r.rows.length && !isPlanResult(r.columns)) card.querySelector('.res-head').append(copyButton(r));
    if (isPlanResult(r.columns)) {
      card.classList.add('is-plan');
      card.append(planView(r.rows.map((row) => [Number(row[0]), Number(row[1]), row[3]])));
    } else if (r.columns.length) {
      card.append(resultTable(r));
    }
  } else {
    // sqlite3_changes() keeps the last INSERT/UPDATE/DELETE's count: only
    // those statements report it
    const dml = /^(WITH\b[\s\S]*\b)?(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(oneLine(r.sql));
    const what = dml ? `${plural(r.changes ?? 0, 'row')} changed` : 'OK';
    card.classList.add('is-done');
    card.append(statementHeader(r.index, r.sql, [what, ' · ', fmtMs(r.ms)]));
  }
  return card;
}

// err: { message, code, index, sql, where: { line, col, text, caret } }
export function errorCard(err) {
  const card = h('section', { class: 'result is-error', role: 'alert' });
  card.append(h('header', { class: 'res-head' },
    h('span', { class: 'res-index' }, err.index !== undefined ? `#${err.index + 1}` : '!'),
    h('span', { class: 'err-code' }, err.code || 'Error'),
    h('span', { class: 'res-meta' }, err.where ? `line ${err.where.line}, column ${err.where.col}` : '')));
  card.append(h('p', { class: 'err-message' }, err.message));
  if (err.where) {
    card.append(h('pre', { class: 'err-excerpt' },
      err.where.text, '\n', ' '.repeat(Math.max(0, err.where.col - 1)), h('span', { class: 'caret' }, '^')));
  }
  return card;
}

export function noticeCard(text, cls = 'is-notice') {
  return h('section', { class: `result ${cls}` }, h('p', {}, text));
}

// The sidebar: tables (row counts, columns with types and keys), views,
// indexes, triggers.  onPreview(name) runs a preview query of a table.
export function schemaTree(objects, { onPreview, open = new Set() }) {
  if (!objects.length) return h('p', { class: 'schema-empty' }, 'No tables yet. Create one!');
  const groups = [['table', 'Tables'], ['view', 'Views'], ['index', 'Indexes'], ['trigger', 'Triggers']];
  const out = [];
  for (const [type, title] of groups) {
    const list = objects.filter((o) => o.type === type);
    if (!list.length) continue;
    out.push(h('h3', {}, title, h('span', { class: 'count' }, list.length)));
    out.push(h('ul', { class: 'schema-list' }, list.map((o) => {
      const cols = o.columns?.length ? h('ul', { class: 'schema-cols' }, o.columns.map((c) =>
        h('li', {}, h('span', { class: 'c-name' }, c.pk ? h('span', { class: 'pk', title: 'primary key' }, 'PK') : null, c.name),
          h('span', { class: 'c-type' }, (c.type || '').toUpperCase(), c.notnull ? ' NOT NULL' : '')))) : null;
      const details = h('details', { open: open.has(o.name), dataset: { name: o.name } },
        h('summary', { title: o.sql || '' },
          h('span', { class: `obj-name obj-${type}` }, o.name),
          type === 'table' && o.rows !== null ? h('span', { class: 'rows' }, plural(o.rows, 'row')) : null,
          type === 'index' || type === 'trigger' ? h('span', { class: 'rows' }, 'on ' + o.tbl_name) : null,
          (type === 'table' || type === 'view') && onPreview
            ? h('button', { class: 'preview', title: `SELECT * FROM ${o.name} LIMIT 100`,
                onclick: (e) => { e.preventDefault(); onPreview(o.name); } }, '▶') : null),
        cols, o.sql ? h('pre', { class: 'obj-sql' }, o.sql) : null);
      return h('li', {}, details);
    })));
  }
  return h('div', {}, out);
}
