/**
 * Warnings about input that is valid but cannot work as written: a key the format does not
 * know (the schemas ignore it, as the reference does, so a misspelt key silently becomes a
 * zero), and references to things the system does not have. Pure: the same input, the same
 * warnings, in the order of the document. (Warnings about what an answer cannot say, perf data
 * that sized nothing, are in warnings.ts.)
 */
import type { z } from 'zod';
import { KeyReader } from './json-keys.js';
import type { SystemSpec } from './schemas.js';
import { DEFAULT_SERVICE_CLASS } from './system.js';

export interface InputWarning {
  /** dotted path of the field, as a 400 answer names fields */
  path: string;
  message: string;
}

/** A warning in the words of the answers' `warnings` lists and the CLI's stderr: "PATH: MESSAGE". */
export function inputWarningText(warning: InputWarning): string {
  return `${warning.path}: ${warning.message}`;
}

/**
 * Every warning for `json` read with `schema` (SystemDataSchema, ExplainRequestSchema), whose
 * system spec is `system` at the key `system`.
 */
export function inputWarnings(schema: z.ZodType, json: unknown, system: SystemSpec): InputWarning[] {
  return [...unknownKeyWarnings(schema, json), ...referenceWarnings(system, 'system')];
}

/** The zod 4 definition fields this walk reads. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object or array schema under the defaults and key preprocessing around it, if any. */
function structure(schema: z.ZodType): Def {
  let def = defOf(schema);
  for (;;) {
    if (def.innerType) def = defOf(def.innerType);
    // A preprocess runs a transform `in` to the schema; `.transform()` runs the schema `in` to one.
    else if (def.type === 'pipe' && def.in && def.out) def = defOf(defOf(def.out).type === 'transform' ? def.in : def.out);
    else return def;
  }
}

/** Keys of `json` that `schema` does not read (json-keys.ts: the schemas' reading of keys). */
export function unknownKeyWarnings(root: z.ZodType, input: unknown): InputWarning[] {
  const warnings: InputWarning[] = [];
  // Each schema's structure and fields, found once per call: a fleet has 10,000 servers.
  const structures = new Map<z.ZodType, { def: Def; fields?: KeyReader }>();
  const structureOf = (schema: z.ZodType) => {
    let found = structures.get(schema);
    if (!found) {
      const def = structure(schema);
      const fields = def.type === 'object' && def.shape ? new KeyReader(Object.keys(def.shape)) : undefined;
      structures.set(schema, (found = { def, fields }));
    }
    return found;
  };
  const walk = (schema: z.ZodType, json: unknown, path: string): void => {
    if (json === null || typeof json !== 'object') return;
    const { def, fields } = structureOf(schema);
    const prefix = path === '' ? '' : `${path}.`;
    if (Array.isArray(json)) {
      if (def.type === 'array' && def.element) for (let i = 0; i < json.length; i++) walk(def.element, json[i], `${prefix}${i}`);
      return;
    }
    if (!fields || !def.shape) return;
    for (const key of Object.keys(json)) {
      const field = fields.field(key);
      if (field !== undefined) walk(def.shape[field], (json as Record<string, unknown>)[key], `${prefix}${key}`);
      else warnings.push({ path: `${prefix}${key}`, message: unknownKeyMessage(key, fields.fields) });
    }
  };
  walk(root, input, '');
  return warnings;
}

function unknownKeyMessage(key: string, names: readonly string[]): string {
  const near = names.find((name) => editDistance(name.toLowerCase(), key.toLowerCase()) <= Math.min(2, Math.floor(key.length / 3)));
  return `unknown key, ignored${near ? `: did you mean ${near}?` : ` (known here: ${names.join(', ')})`}`;
}

/**
 * References that point nowhere: a server's class or model, a server's class without a target
 * for its model, perf data on an accelerator that does not exist; and a system without servers.
 */
export function referenceWarnings(system: SystemSpec, path = 'system'): InputWarning[] {
  const warnings: InputWarning[] = [];
  const accelerators = new Set(system.acceleratorData.accelerators.map((acc) => acc.name));
  const models = new Set(system.modelData.models.map((perf) => perf.name));
  const classes = new Map(system.serviceClassData.serviceClasses.map((svc) => [svc.name, new Set(svc.modelTargets.map((target) => target.model))]));
  system.modelData.models.forEach((perf, index) => {
    if (!accelerators.has(perf.acc)) {
      warnings.push({ path: `${path}.modelData.models.${index}.acc`, message: `accelerator ${perf.acc || '(none)'} does not exist: no accelerator has this name` });
    }
  });
  const servers = system.serverData.servers;
  if (servers.length === 0) warnings.push({ path: `${path}.serverData.servers`, message: 'no servers: there is nothing to optimize' });
  servers.forEach((server, index) => {
    const at = `${path}.serverData.servers.${index}`;
    const className = server.class === '' ? DEFAULT_SERVICE_CLASS : server.class;
    const targets = classes.get(className);
    if (!targets) {
      const what = server.class === '' ? `no class given, and the default class ${DEFAULT_SERVICE_CLASS}` : `service class ${className}`;
      warnings.push({ path: `${at}.class`, message: `${what} does not exist: server ${server.name} cannot be allocated` });
    }
    if (!models.has(server.model)) {
      warnings.push({ path: `${at}.model`, message: `model ${server.model || '(none)'} has no perf data: server ${server.name} cannot be allocated` });
    } else if (targets && !targets.has(server.model)) {
      warnings.push({ path: `${at}.model`, message: `service class ${className} has no SLO target for model ${server.model}: server ${server.name} cannot be allocated` });
    }
  });
  return warnings;
}

/** Levenshtein distance, for "did you mean" on short keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
