/**
 * Reads the editor's text as SystemData: JSON syntax first, then the core's schemas, each
 * problem placed at the line of the field it concerns; and the core's warnings about what
 * cannot work as written, placed the same way.
 */
import {
  inputWarnings,
  parseWith,
  SystemDataSchema,
  unknownKeyWarnings,
  ValidationError,
  type InputWarning,
  type SystemData,
} from '../src/core/index.js';
import { JsonSyntaxError, parseLocatedJson, type LocatedJson } from './json-lines.js';
import type { Problem } from './protocol.js';

export interface ReadDocument {
  /** set when the text is valid SystemData */
  data?: SystemData;
  /** by line, then path */
  problems: Problem[];
  /** by line, then path; unknown keys even when the text is not valid */
  warnings: Problem[];
}

function located(json: LocatedJson, issues: readonly InputWarning[]): Problem[] {
  const problems = issues.map(({ path, message }) => ({ path, message, line: json.lineOf(path) }));
  return problems.sort((a, b) => a.line - b.line || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function readDocument(text: string): ReadDocument {
  let json: LocatedJson;
  try {
    json = parseLocatedJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { problems: [{ path: '', message: `JSON: ${error.message}`, line: error.line }], warnings: [] };
  }
  try {
    const data = parseWith(SystemDataSchema, json.value);
    return { data, problems: [], warnings: located(json, inputWarnings(SystemDataSchema, json.value, data.system)) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { problems: located(json, error.issues), warnings: located(json, unknownKeyWarnings(SystemDataSchema, json.value)) };
  }
}
