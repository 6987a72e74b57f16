/**
 * The one reading of JSON keys (src/core/json-keys.ts), checked against what Go's
 * encoding/json does (go1.19: `{"name":"a","NAME":"b"}` and `{"NAME":"a","name":"b"}` both
 * give "b"; `{"name":"a","Name":null}` gives "a"), and the same wherever keys are read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyReader, OptimizerDataSchema, parseWith, readKey, sameKey, ServerSpecSchema } from '../../src/core/index.js';
import { parseLocatedJson } from '../../playground/json-lines.js';

describe('KeyReader', () => {
  const reader = new KeyReader(['name', 'maxBatchSize']);

  it('a key names a field whatever its case', () => {
    expect(reader.field('NAME')).toBe('name');
    expect(reader.field('maxbatchsize')).toBe('maxBatchSize');
    expect(reader.field('names')).toBeUndefined();
    expect(sameKey('MaxBatchSize', 'maxBatchSize')).toBe(true);
    expect(sameKey('maxBatch', 'maxBatchSize')).toBe(false);
  });

  it('the last key naming a field wins, exact match or not, as in Go', () => {
    expect(reader.read(Object.entries({ name: 'a', NAME: 'b' }))).toEqual({ name: 'b' });
    expect(reader.read(Object.entries({ NAME: 'a', name: 'b' }))).toEqual({ name: 'b' });
  });

  it('null is no value: an earlier one stands', () => {
    expect(reader.read(Object.entries({ name: 'a', Name: null }))).toEqual({ name: 'a' });
    expect(reader.read(Object.entries({ name: null }))).toEqual({});
  });

  it('leaves out keys that name no field', () => {
    expect(reader.read(Object.entries({ colour: 'blue', MaxBatchSize: 8 }))).toEqual({ maxBatchSize: 8 });
  });

  it('refuses fields that differ only in case, which no key could tell apart', () => {
    expect(() => new KeyReader(['name', 'Name'])).toThrow('fields name and Name differ only in case');
  });
});

describe('every reader of keys reads them alike', () => {
  const spellings = fc.constantFrom('name', 'Name', 'NAME', 'nAmE');
  // Distinct spellings: JSON.parse moves a repeated key's last value to its first place (docs/semantics.md).
  const entries = fc.uniqueArray(fc.tuple(spellings, fc.option(fc.string({ maxLength: 4 }), { nil: null })), { minLength: 1, selector: ([key]) => key });

  it('the schemas, readKey and the playground lines pick the same key', () => {
    fc.assert(
      fc.property(entries, (pairs) => {
        // one member a line, so that the line the playground points at names the member
        const text = `{\n${pairs.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(',\n')}\n}`;
        const chosen = pairs.map(([, value]) => value !== null).lastIndexOf(true);
        const json = JSON.parse(text) as object;
        const expected = chosen < 0 ? undefined : pairs[chosen][1];
        expect(readKey(json, 'name')).toBe(expected);
        expect(parseWith(ServerSpecSchema, json).name).toBe(expected ?? '');
        expect(parseLocatedJson(text).lineOf('name')).toBe(chosen < 0 ? 1 : chosen + 2);
      }),
    );
  });
});

describe("where we read repeated keys unlike Go (docs/semantics.md's deviations)", () => {
  it('a later object replaces an earlier one for the same field whole; Go merges them', () => {
    const { optimizer } = parseWith(OptimizerDataSchema, { optimizer: { unlimited: true }, Optimizer: { milpSolver: true } });
    expect(optimizer).toMatchObject({ unlimited: false, milpSolver: true });
  });

  it('a key repeated with the same spelling counts at its first place; Go takes the last key', () => {
    expect(parseWith(ServerSpecSchema, JSON.parse('{"NAME": "x", "name": "y", "NAME": "z"}')).name).toBe('y');
  });
});
