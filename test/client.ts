/**
 * The tests' one client of the REST API, whatever answers it: an Api's fetch handler, the
 * Worker inside workerd, or a server over real HTTP. Web APIs and vitest only: workerd runs
 * this file too.
 */
import { parseWith, SystemDataSchema, type SystemData } from '../src/core/index.js';
import { SAMPLES } from '../src/samples/index.js';

export interface Answer {
  status: number;
  headers: Headers;
  /** the parsed JSON body (the text of a 200 /metrics) */
  body: any;
}

/** Sends `method path`: `body` as is when a string, as JSON otherwise; `token` as the bearer token. */
export type Call = (method: string, path: string, body?: unknown, token?: string) => Promise<Answer>;

/** What answers a request: fetch over the network, or a fetch handler called in-process. */
export type Send = (request: Request) => Promise<Response>;

/**
 * A client of the API at `base` (where it listens, or any origin for a handler; a function for
 * an address known only once the server listens), reached through `send`.
 */
export function client(base: string | URL | (() => URL), send: Send = (request) => fetch(request)): Call {
  return async (method, path, body, token) => {
    const init: RequestInit = { method };
    if (token !== undefined) init.headers = { authorization: `Bearer ${token}` };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await send(new Request(new URL(path, typeof base === 'function' ? base() : base), init));
    return { status: response.status, headers: response.headers, body: await answerBody(response, `${method} ${path}`) };
  };
}

/** An answer's body: every answer is JSON but a 200 /metrics, which is Prometheus text. */
export async function answerBody(response: Response, request: string): Promise<unknown> {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (response.status === 200 && request.endsWith('/metrics')) {
    if (!/^text\/plain; version=0\.0\.4/.test(type)) throw new Error(`${request}: ${type} is not the Prometheus text format`);
    return text;
  }
  if (!/^application\/json/.test(type)) throw new Error(`${request}: ${response.status} ${type} is not JSON: ${text}`);
  return JSON.parse(text);
}

/** The small sample as the API reads it. */
export function smallSample(): SystemData {
  return parseWith(SystemDataSchema, SAMPLES.small);
}
