/**
 * Why a server got no allocation, in words, from its candidates: a rule about the server
 * itself, else every accelerator's rejection, else it lost the capacity to other servers.
 */
import type { ServerCandidates } from '../src/core/index.js';

const NO_PERF_DATA = /^no perf data for model .* on (.*)$/;

export function unallocatedReason(server: ServerCandidates): string {
  if (server.reason) return server.reason;
  if (server.candidates.length === 0) {
    if (server.rejected.length === 0) return 'no accelerators are defined';
    // Accelerators without perf data are many and alike: name them together, after the others.
    const missingPerf: string[] = [];
    const reasons: string[] = [];
    for (const { accelerator, reason } of server.rejected) {
      const match = NO_PERF_DATA.exec(reason);
      if (match) missingPerf.push(match[1]);
      else reasons.push(`${accelerator}: ${reason}`);
    }
    if (missingPerf.length > 0) reasons.push(`no perf data on ${missingPerf.join(', ')}`);
    return reasons.join('; ');
  }
  if (server.candidates.every((candidate) => candidate.accelerator === '')) {
    return 'no load (zero arrival rate or output tokens) and no minimum replicas: nothing to allocate';
  }
  return 'capacity taken by other servers';
}
