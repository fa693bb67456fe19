// plan.js — EXPLAIN QUERY PLAN rows ([id, parent, detail]) to a tree.
// SQLite's rows name their parent by id (0 = the root); a parent that is
// missing (never in SQLite's output) makes its children roots.
export function planTree(rows) {
  const nodes = new Map();
  const roots = [];
  for (const [id, parent, detail] of rows) nodes.set(id, { id, parent, detail: String(detail), children: [] });
  for (const n of nodes.values()) {
    const p = n.parent !== 0 && nodes.get(n.parent);
    (p && p !== n ? p.children : roots).push(n);
  }
  return roots;
}

// What kind of step a detail line is, for an icon and a colour.
export function planKind(detail) {
  if (/^SCAN\b/.test(detail)) return /USING (COVERING )?INDEX/.test(detail) ? 'scan-index' : 'scan';
  if (/^SEARCH\b/.test(detail)) return 'search';
  if (/TEMP B-TREE/.test(detail)) return 'temp';
  if (/^(CO-ROUTINE|MATERIALIZE|SCALAR SUBQUERY|CORRELATED|LIST SUBQUERY)/.test(detail)) return 'subquery';
  if (/^(COMPOUND|UNION|EXCEPT|INTERSECT|LEFT-MOST|MERGE)/.test(detail)) return 'compound';
  return 'other';
}

// True when a result's columns are those of EXPLAIN QUERY PLAN.
export function isPlanResult(columns) {
  return Array.isArray(columns) && columns.length === 4 &&
    columns.map((c) => c.name).join(',') === 'id,parent,notused,detail';
}
