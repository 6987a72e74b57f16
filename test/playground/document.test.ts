/**
 * The playground's pure parts, in Node: where the editor marks a problem and how loaded files
 * combine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDocument } from '../../playground/document.js';
import { combineFiles } from '../../playground/input-files.js';
import { JsonSyntaxError, parseLocatedJson } from '../../playground/json-lines.js';
import { parseWith, SystemDataSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';

const SMALL = `${JSON.stringify(SAMPLES.small, null, 2)}\n`;

/** 1-based line of the first line of `text` matching `pattern` */
function lineMatching(text: string, pattern: RegExp, from = 0): number {
  const index = text.split('\n').findIndex((line, i) => i >= from && pattern.test(line));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

function replaceLine(text: string, line: number, edit: (line: string) => string): string {
  const lines = text.split('\n');
  lines[line - 1] = edit(lines[line - 1]);
  return lines.join('\n');
}

describe('readDocument', () => {
  it('reads a valid sample as the core does, without problems', () => {
    expect(readDocument(SMALL)).toEqual({ data: parseWith(SystemDataSchema, SAMPLES.small), problems: [], warnings: [] });
  });

  it('places a schema problem at the line of its field, whatever the case of its key', () => {
    // The sample spells it AvgInTokens; the schema's path says avgInTokens.
    const line = lineMatching(SMALL, /"AvgInTokens":/);
    const { data, problems } = readDocument(replaceLine(SMALL, line, (text) => text.replace(/: \d+/, ': 12.5')));
    expect(data).toBeUndefined();
    expect(problems).toEqual([{ path: 'system.serverData.servers.0.currentAlloc.load.avgInTokens', message: 'must be a whole number', line }]);
  });

  it("places the core's warnings at their lines: unknown keys and dangling references", () => {
    const multiplicity = lineMatching(SMALL, /"multiplicity":/);
    const model = lineMatching(SMALL, /"model":/, lineMatching(SMALL, /"servers":/) - 1);
    let text = replaceLine(SMALL, multiplicity, (line) => line.replace('"multiplicity"', '"multiplicty"'));
    text = replaceLine(text, model, (line) => line.replace(/: ".*"/, ': "llama_13bX"'));
    const { data, problems, warnings } = readDocument(text);
    expect(data).toBeDefined();
    expect(problems).toEqual([]);
    expect(warnings.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'system.acceleratorData.accelerators.0.multiplicty', line: multiplicity },
      { path: 'system.serverData.servers.0.model', line: model },
    ]);
    expect(warnings[1].message).toMatch(/^model llama_13bX has no perf data/);
  });

  it('warns of unknown keys even in a document that is not valid', () => {
    const { data, problems, warnings } = readDocument('{"system": {"serverData": {"servers": [{"name": "s", "multiplicity": 1, "minNumReplicas": -1}]}}}');
    expect(data).toBeUndefined();
    expect(problems.map((problem) => problem.path)).toEqual(['system.serverData.servers.0.minNumReplicas']);
    expect(warnings.map((warning) => warning.path)).toEqual(['system.serverData.servers.0.multiplicity']);
  });

  it('lists several problems by line', () => {
    const cost = lineMatching(SMALL, /"cost":/);
    const policy = lineMatching(SMALL, /"saturationPolicy":/);
    let text = replaceLine(SMALL, policy, (t) => t.replace('"RoundRobin"', '"Sometimes"'));
    text = replaceLine(text, cost, (t) => t.replace(/: [\d.]+/, ': -1'));
    expect(readDocument(text).problems.map((p) => [p.line, p.path])).toEqual([
      [cost, 'system.acceleratorData.accelerators.0.cost'],
      [policy, 'system.optimizerData.optimizer.saturationPolicy'],
    ]);
  });

  it('reads duplicate keys as the schemas do: the later one counts', () => {
    const text = ['{"system": {', '  "capacityData": {"count": [{"type": "A", "count": -1}]},', '  "CapacityData": {"count": []}', '}}'].join('\n');
    expect(readDocument(text).problems).toEqual([]);
    const swapped = ['{"system": {', '  "CapacityData": {"count": []},', '  "capacityData": {"count": [{"type": "A", "count": -1}]}', '}}'].join('\n');
    expect(readDocument(swapped).problems).toEqual([{ path: 'system.capacityData.count.0.count', message: 'must not be negative', line: 3 }]);
  });

  it('places a JSON syntax error at the line where the text stops making sense', () => {
    const line = lineMatching(SMALL, /"multiplicity":/);
    const missingComma = replaceLine(SMALL, line, (t) => t.replace(/,$/, ''));
    expect(readDocument(missingComma).problems).toEqual([{ path: '', message: expect.stringMatching(/^JSON: expected ',' or '}'/), line: line + 1 }]);
    expect(readDocument('{\n  "system": "unterminated\n}').problems[0].line).toBe(2);
    expect(readDocument('{}\n\nx').problems[0].line).toBe(3);
    expect(readDocument('').problems[0].message).toMatch(/unexpected end/);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(readDocument('['.repeat(100_000)).problems[0].message).toMatch(/nesting deeper/);
  });
});

describe('parseLocatedJson', () => {
  it('reads every JSON text as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseLocatedJson(text).value).toEqual(JSON.parse(text));
      }),
    );
  });

  it('refuses what JSON.parse refuses, and reads alike what it accepts', () => {
    const texts = fc.oneof(
      fc.string({ unit: 'grapheme-ascii' }),
      fc.json().map((text) => text.slice(0, -1)),
      fc.tuple(fc.json(), fc.nat(), fc.constantFrom(',', ':', '"', '\\', ']', '}', ' ', '0', '-', 'e')).map(([text, at, c]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + c + text.slice(i);
      }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        let expected: { value: unknown } | undefined;
        try {
          expected = { value: JSON.parse(text) };
        } catch {
          expected = undefined;
        }
        if (expected) expect(parseLocatedJson(text).value).toEqual(expected.value);
        else expect(() => parseLocatedJson(text)).toThrow(JsonSyntaxError);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a "__proto__" key as data', () => {
    const value = parseLocatedJson('{"__proto__": {"polluted": true}}').value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('falls back to the deepest field present when the path goes on', () => {
    const json = parseLocatedJson('{\n  "a": {\n    "b": 1\n  },\n  "list": [\n    {},\n    {"c": 2}\n  ]\n}');
    expect(json.lineOf('a.b')).toBe(3);
    expect(json.lineOf('a.b.c')).toBe(3);
    expect(json.lineOf('a.missing')).toBe(2);
    expect(json.lineOf('list.1.c')).toBe(7);
    expect(json.lineOf('list.9')).toBe(5);
    expect(json.lineOf('(body)')).toBe(1);
  });
});

describe('combineFiles', () => {
  const system = (SAMPLES.small as { system: Record<string, Record<string, unknown>> }).system;
  const separate = [
    { name: 'accelerator-data.json', text: JSON.stringify(system.acceleratorData) },
    { name: 'capacity-data.json', text: JSON.stringify(system.capacityData) },
    { name: 'model-data.json', text: JSON.stringify(system.modelData) },
    { name: 'serviceclass-data.json', text: JSON.stringify(system.serviceClassData) },
    { name: 'server-data.json', text: JSON.stringify(system.serverData) },
    { name: 'optimizer-data.json', text: JSON.stringify(system.optimizerData) },
  ];

  it('makes SystemData of the six separate files, each recognised by its top-level key', () => {
    const combined = combineFiles([...separate].reverse(), '');
    expect(combined.errors).toEqual([]);
    expect(combined.notes).toHaveLength(6);
    expect(parseWith(SystemDataSchema, JSON.parse(combined.text!))).toEqual(parseWith(SystemDataSchema, SAMPLES.small));
  });

  it('keeps the sections the files do not bring from the current document', () => {
    const servers = { servers: [{ name: 'only', class: 'Premium', model: 'granite_13b' }] };
    const combined = combineFiles([{ name: 'servers.json', text: JSON.stringify(servers) }], SMALL);
    const data = parseWith(SystemDataSchema, JSON.parse(combined.text!));
    expect(data.system.serverData.servers.map((s) => s.name)).toEqual(['only']);
    expect(data.system.acceleratorData).toEqual(parseWith(SystemDataSchema, SAMPLES.small).system.acceleratorData);
    expect(combined.notes.at(-1)).toMatch(/^kept from the current document: acceleratorData, capacityData, modelData, serviceClassData, optimizerData$/);
  });

  it('shows a single SystemData file as it was written', () => {
    const text = '{"system": {"capacityData": {"count": []}}}';
    expect(combineFiles([{ name: 'mine.json', text }], SMALL)).toEqual({ text, notes: ['mine.json: SystemData'], errors: [] });
  });

  it('names the files it cannot use and why', () => {
    const combined = combineFiles(
      [
        { name: 'broken.json', text: '{"servers": [' },
        { name: 'other.json', text: '{"whatever": 1}' },
        { name: 'list.json', text: '[]' },
      ],
      SMALL,
    );
    expect(combined.text).toBeUndefined();
    expect(combined.errors).toEqual([
      expect.stringMatching(/^broken\.json: not JSON/),
      expect.stringMatching(/^other\.json: has none of the top-level keys system, accelerators, count, models, serviceClasses, servers, optimizer$/),
      'list.json: not a JSON object',
    ]);
  });
});
