/** Requests to the Worker inside workerd, as a client would send them. */
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { parseWith, SystemDataSchema, type SystemData } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { readState as readSystemState } from '../http/system-state.js';

export interface Answer {
  status: number;
  headers: Headers;
  /** the parsed JSON body */
  body: any;
}

/** `body` is sent as is when a string, as JSON otherwise; every answer must be JSON. */
export async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await exports.default.fetch(new Request(`http://inferno.test${path}`, init));
  expect(response.headers.get('content-type'), `${method} ${path}`).toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export function smallSample(): SystemData {
  return parseWith(SystemDataSchema, SAMPLES.small);
}

/** What the /get verbs answer about the system under `prefix`. */
export function readState(prefix: string): Promise<unknown> {
  return readSystemState((path) => call('GET', path), prefix);
}
