/**
 * Files a user loads: one SystemData file, or any of the six separate data files (accelerator,
 * capacity, model, service class, server, optimizer), each recognised by its top-level key.
 * Sections the files do not bring are kept from the current document.
 */
import { KeyReader, readKey, sameKey } from '../src/core/json-keys.js';

export interface LoadedFile {
  name: string;
  text: string;
}

export interface CombinedFiles {
  /** the new document; absent when no file was usable */
  text?: string;
  /** what each usable file was read as, and what was kept */
  notes: string[];
  /** files that could not be used, and why */
  errors: string[];
}

/** SystemSpec section by the top-level key of its separate file. */
const SECTION_BY_KEY: Readonly<Record<string, string>> = {
  accelerators: 'acceleratorData',
  count: 'capacityData',
  models: 'modelData',
  serviceClasses: 'serviceClassData',
  servers: 'serverData',
  optimizer: 'optimizerData',
};
const SECTIONS = Object.values(SECTION_BY_KEY);
/** Keys are read as the schemas read them. */
const SECTION_KEYS = new KeyReader(Object.keys(SECTION_BY_KEY));

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withMember(object: JsonObject, key: string, value: unknown): JsonObject {
  const rest = Object.entries(object).filter(([name]) => !sameKey(name, key));
  return Object.fromEntries([...rest, [key, value]]);
}

function parse(file: LoadedFile): { value: JsonObject } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(file.text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { error: `${file.name}: not JSON (${(error as Error).message})` };
  }
  return isObject(value) ? { value } : { error: `${file.name}: not a JSON object` };
}

export function combineFiles(files: readonly LoadedFile[], currentText: string): CombinedFiles {
  const notes: string[] = [];
  const errors: string[] = [];
  let base: JsonObject | undefined;
  const sections = new Map<string, { file: string; value: JsonObject }>();
  for (const file of files) {
    const parsed = parse(file);
    if ('error' in parsed) {
      errors.push(parsed.error);
      continue;
    }
    const system = readKey(parsed.value, 'system');
    if (isObject(system)) {
      // A single SystemData file is shown as it was written.
      if (files.length === 1) return { text: file.text.replace(/^\uFEFF/, ''), notes: [`${file.name}: SystemData`], errors };
      base = system;
      notes.push(`${file.name}: SystemData`);
      continue;
    }
    const sectionKey = Object.keys(parsed.value)
      .map((key) => SECTION_KEYS.field(key))
      .find((found) => found !== undefined);
    if (sectionKey === undefined) {
      errors.push(`${file.name}: has none of the top-level keys system, ${Object.keys(SECTION_BY_KEY).join(', ')}`);
      continue;
    }
    const section = SECTION_BY_KEY[sectionKey];
    if (sections.has(section)) errors.push(`${file.name}: ${section} also in ${sections.get(section)?.file}; the later file is used`);
    sections.set(section, { file: file.name, value: parsed.value });
    notes.push(`${file.name}: ${section}`);
  }
  if (base === undefined && sections.size === 0) return { notes, errors };

  if (base === undefined) {
    base = current(currentText);
    const kept = SECTIONS.filter((section) => !sections.has(section) && readKey(base as JsonObject, section) !== undefined);
    if (kept.length > 0) notes.push(`kept from the current document: ${kept.join(', ')}`);
  }
  let system = base;
  for (const [section, { value }] of sections) system = withMember(system, section, value);
  return { text: `${JSON.stringify({ system }, null, 2)}\n`, notes, errors };
}

/** The current document's system, or nothing when it is not (yet) SystemData. */
function current(text: string): JsonObject {
  try {
    const value: unknown = JSON.parse(text);
    const system = isObject(value) ? readKey(value, 'system') : undefined;
    return isObject(system) ? system : {};
  } catch {
    return {};
  }
}
