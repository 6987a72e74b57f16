/**
 * How much one request may carry and one system may hold. The optimizer's work and memory grow
 * with each of these, so they keep every request bounded; the schemas refuse a request that
 * carries more (per array), the API a request that would make a stored system hold more.
 */

export const MAX_SERVERS = 10_000;

/**
 * Bytes of one server's record as people keep SystemData: indented JSON (2 spaces) at its
 * depth, both allocations filled in. The samples' answered servers take about 975 bytes,
 * bench/generate.ts's about 910; this leaves room for long names and placements.
 */
export const MAX_SERVER_RECORD_BYTES = 1_536;
/** Bytes of the rest of a SystemData (accelerators, models and their perf data, classes): the samples have under 100 kB. */
export const MAX_CATALOG_BYTES = 1024 * 1024;
/**
 * Bytes of a request body: the largest system by server count, as people write it, fits
 * (docs/semantics.md, Limits). About 15.6 MiB.
 */
export const MAX_BODY_BYTES = MAX_SERVERS * MAX_SERVER_RECORD_BYTES + MAX_CATALOG_BYTES;
export const MAX_ACCELERATORS = 1_000;
/** accelerator types with a capacity count */
export const MAX_CAPACITIES = 1_000;
export const MAX_SERVICE_CLASSES = 1_000;
/** model names, those without perf data included */
export const MAX_MODELS = 10_000;
/** perf data entries, one per model and accelerator */
export const MAX_MODEL_PERF = 100_000;
/** SLO targets, one per service class and model, over all classes */
export const MAX_MODEL_TARGETS = 100_000;

/** Batch sizes beyond this are not modelled: a replica's queue has 11·N states, and the work grows with N. */
export const MAX_BATCH_SIZE = 1 << 20;
/** A MILP iteration budget beyond this is no budget (a run of days). */
export const MAX_MILP_ITERATIONS = 1e9;
/**
 * A server's maxQueueSize (perfParms models). The states beyond the batch are summed in closed
 * form, so the work does not grow with it; the bound keeps the rare direct sums near saturation short.
 */
export const MAX_QUEUE_SIZE = 1 << 20;
/** More replicas than this for one server is taken as a sign of a broken input. */
export const MAX_REPLICAS = 1e9;
