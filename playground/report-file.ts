/**
 * The report a user downloads: what the page shows of a run, as JSON. The counts are the ones
 * on the page; every server is listed with how it came out, best effort and unallocated apart.
 */
import type { DescribedRun } from './report.js';

export function reportFile(report: DescribedRun): unknown {
  const { flags, arrivalScale, solver, summary, counts, totalCost } = report;
  return {
    flags,
    arrivalScale,
    solver,
    totalCost: Number(totalCost.toFixed(6)),
    counts,
    ...(summary ? { summary } : {}),
    servers: report.rows.map((row) => ({
      server: row.server,
      class: row.serviceClass,
      model: row.model,
      priority: row.priority,
      arrivalRate: row.arrivalRate,
      status: row.status,
      ...(row.allocation
        ? {
            accelerator: row.allocation.accelerator,
            ...(row.allocation.placements ? { placements: row.allocation.placements } : {}),
            numReplicas: row.allocation.numReplicas,
            replicasNeeded: row.allocation.replicasNeeded,
            maxBatch: row.allocation.maxBatch,
            cost: row.allocation.cost,
            itl: row.allocation.itl,
            ttft: row.allocation.ttft,
          }
        : { reason: row.reason ?? '' }),
    })),
  };
}
