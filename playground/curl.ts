/** curl commands that reproduce a run against the REST server's stateless /optimizeOne. */

/** Quotes `text` as one POSIX shell word. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function endpoint(serverUrl: string): string {
  return `${serverUrl.trim().replace(/\/+$/, '') || 'http://localhost:8080'}/optimizeOne`;
}

/** The command with the body in a file, as "Download system.json" saves it. */
export function curlWithFile(serverUrl: string, file = 'system.json'): string {
  return `curl -X POST ${shellQuote(endpoint(serverUrl))} -H 'Content-Type: application/json' -d @${file}`;
}

/** The command with the body inline, ready to paste. */
export function curlInline(serverUrl: string, body: unknown): string {
  return `curl -X POST ${shellQuote(endpoint(serverUrl))} -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(body))}`;
}
