// editor.js — the CodeMirror 6 SQL editor: SQLite dialect highlighting,
// completion from the current schema, light/dark theme following the
// system, error marks, and the run keys.
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { EditorState, Compartment, Prec } from '@codemirror/state';
import { sql, SQLite } from '@codemirror/lang-sql';
import { oneDark } from '@codemirror/theme-one-dark';
import { setDiagnostics, lintGutter, diagnosticCount } from '@codemirror/lint';

// createEditor(parent, { doc, onRun, onExplain, onStop, onChange }) -> api
export function createEditor(parent, { doc = '', onRun, onExplain, onStop, onChange, onSelect }) {
  const theme = new Compartment();
  const lang = new Compartment();
  const dark = window.matchMedia?.('(prefers-color-scheme: dark)');
  const themeFor = () => (dark?.matches ? oneDark : []);
  const language = (schema = {}) => sql({ dialect: SQLite, schema, upperCaseKeywords: true });

  const runKeys = Prec.highest(keymap.of([
    { key: 'Mod-Enter', run: () => { onRun(); return true; } },
    { key: 'Shift-Mod-Enter', run: () => { onExplain(); return true; } },
    { key: 'Mod-.', run: () => { onStop(); return true; } },
  ]));

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        runKeys,
        lang.of(language()),
        theme.of(themeFor()),
        lintGutter(),
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            // an edit clears the error mark (after this update: no
            // dispatch while one is in progress)
            if (diagnosticCount(u.state) > 0) queueMicrotask(() => view.dispatch(setDiagnostics(view.state, [])));
            onChange?.(u.state.doc.toString());
          }
          if (u.selectionSet || u.docChanged) onSelect?.(!u.state.selection.main.empty);
        }),
        EditorView.contentAttributes.of({ 'aria-label': 'SQL editor' }),
      ],
    }),
  });
  dark?.addEventListener?.('change', () => view.dispatch({ effects: theme.reconfigure(themeFor()) }));

  return {
    view,
    text: () => view.state.doc.toString(),
    setText(t) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t }, selection: { anchor: 0 } }); },
    // { text, from }: the selection when there is one, else the whole text.
    target() {
      const sel = view.state.selection.main;
      if (!sel.empty) return { text: view.state.sliceDoc(sel.from, sel.to), from: sel.from, selection: true };
      return { text: view.state.doc.toString(), from: 0, selection: false };
    },
    hasSelection: () => !view.state.selection.main.empty,
    // Marks an error: from..to in document positions.
    markError(from, to, message) {
      const len = view.state.doc.length;
      from = Math.max(0, Math.min(from, len));
      to = Math.max(from, Math.min(to, len));
      if (to === from && to < len) to = from + 1;
      view.dispatch(setDiagnostics(view.state, [{ from, to, severity: 'error', message }]));
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    },
    clearErrors() { view.dispatch(setDiagnostics(view.state, [])); },
    // schema: { table: [column, ...] } for completion
    setSchema(schema) { view.dispatch({ effects: lang.reconfigure(language(schema)) }); },
    lineCol(pos) {
      const line = view.state.doc.lineAt(Math.max(0, Math.min(pos, view.state.doc.length)));
      return { line: line.number, col: pos - line.from + 1, text: line.text, lineFrom: line.from };
    },
    focus() { view.focus(); },
  };
}
