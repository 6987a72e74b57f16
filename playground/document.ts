/**
 * Reads the editor's text as SystemData: JSON syntax first, then the core's schemas, each
 * problem placed at the line of the field it concerns.
 */
import { parseWith, SystemDataSchema, ValidationError, type SystemData } from '../src/core/index.js';
import { JsonSyntaxError, parseLocatedJson, type LocatedJson } from './json-lines.js';
import type { Problem } from './protocol.js';

export interface ReadDocument {
  /** set when the text is valid SystemData */
  data?: SystemData;
  /** by line, then path */
  problems: Problem[];
}

export function readDocument(text: string): ReadDocument {
  let json: LocatedJson;
  try {
    json = parseLocatedJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { problems: [{ path: '', message: `JSON: ${error.message}`, line: error.line }] };
  }
  try {
    return { data: parseWith(SystemDataSchema, json.value), problems: [] };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const problems = error.issues.map(({ path, message }) => ({ path, message, line: json.lineOf(path) }));
    problems.sort((a, b) => a.line - b.line || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { problems };
  }
}
