/**
 * How the keys of a JSON object name fields, wherever input is read (the schemas, the verbs,
 * the input warnings, the playground's files and lines): as the reference's Go encoding/json
 * reads them. A key names a field whatever its case. Of several keys naming one field the last
 * wins, whether it matches exactly or not: Go's "preferring an exact match" chooses between
 * struct fields that differ only in case (we have none), never between keys. A null value is no
 * value, so an earlier key's value stands. docs/semantics.md ("Reading input") says the same.
 */

/** Whether `key` names `field`. */
export function sameKey(key: string, field: string): boolean {
  return fold(key) === fold(field);
}

function fold(key: string): string {
  return key.toLowerCase();
}

const isJsonNull = (value: unknown) => value === null;

/** Reads the keys of JSON objects as the given fields. */
export class KeyReader<F extends string = string> {
  private readonly byFolded = new Map<string, F>();
  /** the fields as spelled: the usual key, found without a lower-cased copy */
  private readonly exact: ReadonlySet<string>;

  constructor(readonly fields: readonly F[]) {
    this.exact = new Set(fields);
    for (const field of fields) {
      const other = this.byFolded.get(fold(field));
      if (other !== undefined) throw new Error(`fields ${other} and ${field} differ only in case`);
      this.byFolded.set(fold(field), field);
    }
  }

  /** The field `key` names, if any. */
  field(key: string): F | undefined {
    return this.exact.has(key) ? (key as F) : this.byFolded.get(fold(key));
  }

  /**
   * The value each field takes from `entries` (an object's, in order): the last that is not
   * null (`isNull` says which are, for values that are not plain JSON). Keys naming no field
   * are left out.
   */
  read<V>(entries: Iterable<readonly [string, V]>, isNull: (value: V) => boolean = isJsonNull): Partial<Record<F, V>> {
    const values: Partial<Record<F, V>> = {};
    for (const [key, value] of entries) this.take(values, key, value, isNull);
    return values;
  }

  /** `read` of a parsed JSON object, without making its [key, value] pairs (the validation's hot path). */
  readObject(object: object): Partial<Record<F, unknown>> {
    const values: Partial<Record<F, unknown>> = {};
    for (const key of Object.keys(object)) this.take(values, key, (object as Record<string, unknown>)[key], isJsonNull);
    return values;
  }

  /** The one rule: a key naming a field gives it its value, unless the value is null. */
  private take<V>(values: Partial<Record<F, V>>, key: string, value: V, isNull: (value: V) => boolean): void {
    const field = this.field(key);
    if (field !== undefined && !isNull(value)) values[field] = value;
  }
}

/** The value `object` (parsed JSON) gives `field`, or undefined. */
export function readKey(object: object, field: string): unknown {
  return new KeyReader([field]).read(Object.entries(object))[field];
}
