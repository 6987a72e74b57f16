/** Calls an Api the way an HTTP client would, for the router tests. */
import { expect } from 'vitest';
import { createApi, MemorySystemStore, type Api, type ApiMode } from '../../src/api/index.js';
import { parseWith, System, SystemDataSchema, type SystemData } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';

export interface Answer {
  status: number;
  headers: Headers;
  /** the parsed JSON body */
  body: any;
}

/** `body` is sent as is when a string, as JSON otherwise. */
export async function call(api: Api, method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await api.fetch(new Request(`http://inferno.test${path}`, init));
  const text = await response.text();
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

export function smallSample(): SystemData {
  return parseWith(SystemDataSchema, SAMPLES.small);
}

/** An API over a memory store holding the small sample, and that store. */
export function sampleApi(mode: ApiMode = 'stateful') {
  const store = new MemorySystemStore(System.fromSpec(smallSample().system));
  return { api: createApi({ store, mode }), store };
}

/** The stored system as plain data, to compare before and after. */
export async function snapshot(store: MemorySystemStore): Promise<SystemData> {
  return (await store.read()).toData();
}
