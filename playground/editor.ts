/**
 * The JSON editor: CodeMirror, which draws only the lines in view, so that a 9 MB fleet is as
 * quick to show and to edit as a sample (a textarea lays out every line on every change).
 * Problems (errors) and warnings are marked in the gutter and under their line, with the message
 * on hover; the messages of the line the caret is on are written under the editor, in a live
 * region, so that the keyboard and screen readers get them too.
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { EditorSelection, EditorState, type Extension, type Text } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { h } from './dom.js';
import type { Problem } from './protocol.js';

type Severity = 'error' | 'warning';

interface LineIssues {
  severity: Severity;
  messages: string[];
}

export class JsonEditor {
  private readonly view: EditorView;
  private readonly extensions: Extension[];
  /** the problems of the caret's line, in words; a live region, so that moving onto a marked line says why */
  readonly note = h('p', { class: 'editor-note', attrs: { id: 'editor-note', 'aria-live': 'polite', 'data-testid': 'editor-note' } });
  private issues = new Map<number, LineIssues>();
  /** the text of a document, made once: a fleet's is 9 MB */
  private cached: { doc: Text; text: string } | undefined;

  constructor(host: HTMLElement, onEdit: () => void) {
    host.classList.add('editor');
    this.extensions = [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      history(),
      drawSelection(),
      bracketMatching(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      json(),
      lintGutter(),
      search(),
      highlightSelectionMatches(),
      // Tab is left to the browser, so that it leaves the editor as everywhere else on the page.
      keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap]),
      // tabindex: focusable as it is (contenteditable), and so said, for tools that look for it.
      EditorView.contentAttributes.of({ 'aria-label': 'System data (JSON)', 'aria-describedby': 'editor-note', 'data-testid': 'editor', tabindex: '0' }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onEdit();
        if (update.docChanged || update.selectionSet) this.showCaretNote();
      }),
    ];
    this.view = new EditorView({ parent: host, state: EditorState.create({ extensions: this.extensions }) });
    host.after(this.note);
  }

  get text(): string {
    const { doc } = this.view.state;
    if (this.cached?.doc !== doc) this.cached = { doc, text: doc.toString() };
    return this.cached.text;
  }

  /** A new document (no undo across documents), shown from its start with the caret there. */
  set text(text: string) {
    this.view.setState(EditorState.create({ doc: text, extensions: this.extensions, selection: EditorSelection.cursor(0) }));
    // A new state keeps the old scroll position.
    this.view.dispatch({ effects: EditorView.scrollIntoView(0, { y: 'start' }) });
    this.cached = { doc: this.view.state.doc, text };
    this.issues = new Map();
    this.showCaretNote();
  }

  /** Marks each problem's and warning's line; a line with both counts as an error. */
  showProblems(problems: readonly Problem[], warnings: readonly Problem[] = []): void {
    const { doc } = this.view.state;
    const issues = new Map<number, LineIssues>();
    const diagnostics: Diagnostic[] = [];
    const add = ({ line, path, message }: Problem, severity: Severity) => {
      const number = Math.min(Math.max(1, line), doc.lines);
      const text = path ? `${lastSegment(path)}: ${message}` : message;
      const entry = issues.get(number) ?? { severity, messages: [] };
      if (severity === 'error') entry.severity = 'error';
      entry.messages.push(text);
      issues.set(number, entry);
      const { from, to, text: lineText } = doc.line(number);
      // From the first character that is not blank, so that the mark is under the field.
      diagnostics.push({ from: Math.min(to, from + (lineText.length - lineText.trimStart().length)), to, severity, message: text });
    };
    for (const problem of problems) add(problem, 'error');
    for (const warning of warnings) add(warning, 'warning');
    this.issues = issues;
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
    this.showCaretNote();
  }

  /** Selects line `line`, scrolls it into the upper third of the editor and focuses the editor. */
  goToLine(line: number): void {
    const { doc } = this.view.state;
    const { from, to } = doc.line(Math.min(Math.max(1, line), doc.lines));
    this.view.dispatch({
      selection: EditorSelection.range(from, to),
      effects: EditorView.scrollIntoView(from, { y: 'start', yMargin: this.view.scrollDOM.clientHeight / 3 }),
    });
    this.view.focus();
  }

  private showCaretNote(): void {
    const { state } = this.view;
    const line = state.doc.lineAt(state.selection.main.head).number;
    const issues = this.issues.get(line);
    const text = issues ? `Line ${line}: ${issues.messages.join('; ')}` : '';
    if (this.note.textContent !== text) this.note.textContent = text;
    this.note.className = `editor-note ${issues?.severity ?? ''}`;
    this.note.dataset.line = issues ? String(line) : '';
  }
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}
