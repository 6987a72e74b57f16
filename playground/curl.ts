/** curl commands that reproduce a run against the REST server's stateless /optimizeOne. */

/** Where the REST server is when the page cannot tell: `npm start` on this machine. */
export const DEFAULT_SERVER_URL = 'http://localhost:8080';

/**
 * The REST server's URL for a page at `pageUrl`. The built page is served by the REST server
 * itself (`npm start`, the Worker), at the API's base; the Vite dev server (`dev`) and a file
 * are not the API.
 */
export function serverUrlFor(pageUrl: string, dev: boolean): string {
  const url = new URL('.', pageUrl);
  if (dev || (url.protocol !== 'http:' && url.protocol !== 'https:')) return DEFAULT_SERVER_URL;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Quotes `text` as one POSIX shell word. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function endpoint(serverUrl: string): string {
  return `${serverUrl.trim().replace(/\/+$/, '') || DEFAULT_SERVER_URL}/optimizeOne`;
}

/** The command with the body in a file, as "Download system.json" saves it. */
export function curlWithFile(serverUrl: string, file = 'system.json'): string {
  return `curl -X POST ${shellQuote(endpoint(serverUrl))} -H 'Content-Type: application/json' -d @${file}`;
}

/** The command with the body inline, ready to paste. */
export function curlInline(serverUrl: string, body: unknown): string {
  return `curl -X POST ${shellQuote(endpoint(serverUrl))} -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(body))}`;
}
