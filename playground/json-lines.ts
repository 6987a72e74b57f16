/**
 * A strict JSON parser that remembers the line of every field, so that a validation issue's
 * dotted path can be shown at the line of the field it concerns, and a syntax error at its own.
 */
import { KeyReader } from '../src/core/json-keys.js';

/** Deeper nesting than this is refused rather than risking the call stack. */
const MAX_DEPTH = 512;

export class JsonSyntaxError extends Error {
  /** line and column are 1-based */
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

type JsonNode =
  | { kind: 'object'; line: number; members: { key: string; line: number; node: JsonNode }[] }
  | { kind: 'array'; line: number; items: JsonNode[] }
  | { kind: 'scalar'; line: number; isNull: boolean };

export interface LocatedJson {
  value: unknown;
  /**
   * The line of the field a dotted path (as ValidationError issues give it) names, its keys
   * read as the schemas read them (json-keys.ts); where the path leaves the text (a defaulted
   * field), the line of the deepest field that is there.
   */
  lineOf(path: string): number;
}

export function parseLocatedJson(text: string): LocatedJson {
  const parser = new Parser(text);
  const { value, node } = parser.document();
  return { value, lineOf: (path) => lineOf(node, path) };
}

function lineOf(root: JsonNode, path: string): number {
  let node = root;
  let line = root.line;
  const segments = path === '' || path === '(body)' ? [] : path.split('.');
  for (const segment of segments) {
    let next: { line: number; node: JsonNode } | undefined;
    if (node.kind === 'object') {
      const members = node.members.map((member) => [member.key, member] as const);
      next = new KeyReader([segment]).read(members, (member) => member.node.kind === 'scalar' && member.node.isNull)[segment];
    } else if (node.kind === 'array' && /^\d+$/.test(segment)) {
      const item = node.items[Number(segment)];
      next = item && { line: item.line, node: item };
    }
    if (!next) break;
    ({ line, node } = next);
  }
  return line;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class Parser {
  private at = 0;
  private line = 1;
  /** index where the current line starts, for columns */
  private lineStart = 0;

  constructor(private readonly text: string) {
    if (text.startsWith('\uFEFF')) this.at = this.lineStart = 1;
  }

  document(): { value: unknown; node: JsonNode } {
    const parsed = this.value(0);
    this.skipWhitespace();
    if (this.at < this.text.length) this.fail('unexpected text after the JSON value');
    return parsed;
  }

  private value(depth: number): { value: unknown; node: JsonNode } {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    this.skipWhitespace();
    const line = this.line;
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return { value: this.string(), node: { kind: 'scalar', line, isNull: false } };
    if (c === '-' || (c >= '0' && c <= '9')) return { value: this.number(), node: { kind: 'scalar', line, isNull: false } };
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return { value, node: { kind: 'scalar', line, isNull: value === null } };
      }
    }
    return this.fail(c === undefined ? 'unexpected end of the text' : `unexpected character ${JSON.stringify(c)}`);
  }

  private object(depth: number): { value: unknown; node: JsonNode } {
    const node: JsonNode = { kind: 'object', line: this.line, members: [] };
    const value: Record<string, unknown> = {};
    this.at++;
    this.skipWhitespace();
    if (this.text[this.at] === '}') {
      this.at++;
      return { value, node };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.at] !== '"') this.fail('expected a quoted key');
      const line = this.line;
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.at] !== ':') this.fail(`expected ':' after the key ${JSON.stringify(key)}`);
      this.at++;
      const member = this.value(depth + 1);
      // defineProperty, not assignment: a "__proto__" key is data, as JSON.parse reads it.
      Object.defineProperty(value, key, { value: member.value, enumerable: true, writable: true, configurable: true });
      node.members.push({ key, line, node: member.node });
      this.skipWhitespace();
      const c = this.text[this.at++];
      if (c === '}') return { value, node };
      if (c !== ',') this.fail("expected ',' or '}' after a value", -1);
    }
  }

  private array(depth: number): { value: unknown; node: JsonNode } {
    const node: JsonNode = { kind: 'array', line: this.line, items: [] };
    const value: unknown[] = [];
    this.at++;
    this.skipWhitespace();
    if (this.text[this.at] === ']') {
      this.at++;
      return { value, node };
    }
    for (;;) {
      const item = this.value(depth + 1);
      value.push(item.value);
      node.items.push(item.node);
      this.skipWhitespace();
      const c = this.text[this.at++];
      if (c === ']') return { value, node };
      if (c !== ',') this.fail("expected ',' or ']' after a value", -1);
    }
  }

  private string(): string {
    const start = this.at++;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') break;
      if (c < ' ') this.fail(c === '\n' ? 'line break inside a string' : 'control character inside a string');
      if (c === '\\') {
        const escape = this.text[this.at + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 2, this.at + 6))) this.fail('bad \\u escape');
          this.at += 6;
        } else {
          if (!ESCAPES.has(escape)) this.fail('bad escape');
          this.at += 2;
        }
        continue;
      }
      this.at++;
    }
    this.at++;
    return JSON.parse(this.text.slice(start, this.at)) as string;
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('bad number');
    this.at += match[0].length;
    return Number(match[0]);
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text[this.at];
      if (c === '\n') {
        this.line++;
        this.lineStart = this.at + 1;
      } else if (c !== ' ' && c !== '\t' && c !== '\r') {
        return;
      }
      this.at++;
    }
  }

  /** `back` moves the reported position onto a character already consumed. */
  private fail(message: string, back = 0): never {
    const at = Math.max(this.at + back, this.lineStart);
    throw new JsonSyntaxError(message, this.line, at - this.lineStart + 1);
  }
}
