/**
 * The JSON editor: a textarea with line numbers, and marks on the lines that have problems.
 * Lines never wrap, so that line n is always at (n - 1) line heights from the top.
 */
import { h } from './dom.js';
import type { Problem } from './protocol.js';

export class JsonEditor {
  readonly textarea = h('textarea', {
    class: 'editor-text',
    attrs: { spellcheck: 'false', wrap: 'off', autocomplete: 'off', 'aria-label': 'System data (JSON)', 'data-testid': 'editor' },
  });
  private readonly gutter = h('pre', { class: 'editor-gutter', attrs: { 'aria-hidden': 'true' } });
  private readonly marks = h('div', { class: 'editor-marks', attrs: { 'aria-hidden': 'true' } });
  private lineCount = 0;

  constructor(host: HTMLElement, onEdit: () => void) {
    host.classList.add('editor');
    host.append(this.gutter, this.textarea, this.marks);
    this.textarea.addEventListener('input', () => {
      this.updateGutter();
      onEdit();
    });
    this.textarea.addEventListener('scroll', () => this.followScroll());
  }

  get text(): string {
    return this.textarea.value;
  }

  set text(text: string) {
    this.textarea.value = text;
    this.textarea.scrollTop = 0;
    this.textarea.scrollLeft = 0;
    this.updateGutter();
    this.followScroll();
  }

  /** Marks each problem's line, with its message at the right end of the line. */
  showProblems(problems: readonly Problem[]): void {
    const byLine = new Map<number, string[]>();
    for (const { line, path, message } of problems) byLine.set(line, [...(byLine.get(line) ?? []), path ? `${lastSegment(path)}: ${message}` : message]);
    const { lineHeight, paddingTop } = this.metrics();
    this.marks.replaceChildren(
      ...[...byLine].map(([line, messages]) =>
        h('div', { class: 'editor-mark', data: { line: String(line) }, attrs: { style: `top:${paddingTop + (line - 1) * lineHeight}px;height:${lineHeight}px` } }, [
          h('span', { text: messages.join('; ') }),
        ]),
      ),
    );
  }

  /** Selects line `line` and scrolls it into the upper third of the editor. */
  goToLine(line: number): void {
    const lines = this.text.split('\n');
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    this.textarea.focus();
    this.textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    const { lineHeight } = this.metrics();
    this.textarea.scrollTop = Math.max(0, (line - 1) * lineHeight - this.textarea.clientHeight / 3);
    // The scroll event comes a frame later; the marks and numbers move with the text now.
    this.followScroll();
  }

  private metrics(): { lineHeight: number; paddingTop: number } {
    const style = getComputedStyle(this.textarea);
    return { lineHeight: parseFloat(style.lineHeight) || 18, paddingTop: parseFloat(style.paddingTop) || 0 };
  }

  private updateGutter(): void {
    let count = 1;
    for (let at = this.text.indexOf('\n'); at !== -1; at = this.text.indexOf('\n', at + 1)) count++;
    if (count === this.lineCount) return;
    this.lineCount = count;
    this.gutter.textContent = Array.from({ length: count }, (_, i) => i + 1).join('\n');
    this.gutter.style.setProperty('--digits', String(String(count).length));
  }

  private followScroll(): void {
    this.gutter.scrollTop = this.textarea.scrollTop;
    this.marks.style.transform = `translateY(${-this.textarea.scrollTop}px)`;
  }
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}
