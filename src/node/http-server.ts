/**
 * The Node adapter: node:http request → web Request → api.fetch → node:http response, plus the
 * playground's static files. One log line per request: method, path, status, ms.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Api } from '../api/index.js';
import { staticFile } from './static-files.js';

export interface NodeServerOptions {
  api: Api;
  /** folder of static files served at / and below when it exists (checked per request) */
  staticDir?: string;
  log?: (line: string) => void;
}

/**
 * The request body as a web stream, read only as fast as the API reads it. Cancelling it (the
 * API does when a body is too large) discards the rest instead of destroying the socket, so
 * that the answer still reaches the client.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let controller: ReadableStreamDefaultController<Uint8Array>;
  const onData = (chunk: Buffer) => {
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = () => controller.close();
  const onError = (error: Error) => controller.error(error);
  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      req.on('data', onData).on('end', onEnd).on('error', onError);
    },
    pull() {
      req.resume();
    },
    cancel() {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      req.resume();
    },
  });
}

function requestUrl(req: IncomingMessage): URL {
  // The API reads only the path and query, so the origin is a placeholder.
  return new URL(`http://localhost${req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`}`);
}

function toRequest(req: IncomingMessage, url: URL, body: ReadableStream<Uint8Array> | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  // duplex is required by Node's fetch for a streamed body; the DOM typings lack it
  return new Request(url, { method: req.method, headers, body, duplex: 'half' } as RequestInit);
}

async function send(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  const body = req.method === 'HEAD' ? undefined : Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}

export function createNodeServer({ api, staticDir, log = console.log }: NodeServerOptions): Server {
  // answers every failure itself (a JSON 500), so its promise needs no one to await it
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    const body = isRead ? undefined : bodyStream(req);
    let status = 500;
    try {
      const url = requestUrl(req);
      const response =
        (isRead && staticDir !== undefined ? await staticFile(staticDir, url.pathname) : undefined) ??
        (await api.fetch(toRequest(req, url, body)));
      status = response.status;
      await send(req, res, response);
    } catch (error) {
      console.error('unexpected error:', error);
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ message: 'internal error; the server log has the details', issues: [] }));
      }
    } finally {
      // A body the API did not read is discarded, so that the connection can take the next request.
      if (body && !body.locked) await body.cancel().catch(() => undefined);
    }
    log(`${req.method} ${req.url} ${status} ${(performance.now() - started).toFixed(1)}ms`);
  };
  return createServer((req, res) => void handle(req, res));
}

/** Starts `server` on host:port (port 0: any free port) and answers the URL it listens on. */
export function listen(server: Server, host: string, port: number): Promise<URL> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: actual } = server.address() as AddressInfo;
      resolve(new URL(`http://${host.includes(':') ? `[${host}]` : host}:${actual}/`));
    });
  });
}
