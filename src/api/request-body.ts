/**
 * Reads a request's JSON body, refusing bodies over MAX_BODY_BYTES before they are held in
 * memory whole. Web streams only, so that it runs in Node and in workerd alike.
 */
import { MAX_BODY_BYTES, ValidationError } from '../core/index.js';
import { ApiError } from './errors.js';

export { MAX_BODY_BYTES };

function tooLarge(): ApiError {
  return new ApiError(413, `request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
}

function invalidBody(message: string): ValidationError {
  return new ValidationError([{ path: '(body)', message }]);
}

export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await readText(request);
  if (text.trim() === '') throw invalidBody('a JSON body is required');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidBody(`not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A request's body as bytes (empty when it has none), refused with a 413 once it is known to
 * be over MAX_BODY_BYTES. What is left of a refused body stays unread, not cancelled: the
 * runtime adapter decides what to do with it (both read it to its end and drop it). The Worker
 * reads bodies so before passing them to a Durable Object.
 */
export async function readBody(request: Request): Promise<Uint8Array> {
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  if (Number(request.headers.get('content-length')) > MAX_BODY_BYTES) throw tooLarge();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((error: Error) => {
      // the client went away mid-body, mostly: its fault, not a bug here
      throw new ApiError(400, `the request body could not be read: ${error.message}`);
    });
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      reader.releaseLock();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function readText(request: Request): Promise<string> {
  const bytes = await readBody(request);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalidBody('not valid UTF-8');
  }
}
