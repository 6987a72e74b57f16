/**
 * The allocations table's rows, filtered by class, status and accelerator, sorted by a column
 * and cut into pages. The worker of a run answers these queries, so that the page holds one
 * page of a 10,000-server fleet, never the fleet.
 */
import type { ServerRow, SloStatus } from './protocol.js';

export const PAGE_SIZE = 50;

export const SORT_KEYS = ['server', 'status', 'class', 'model', 'priority', 'rate', 'accelerator', 'replicas', 'batch', 'cost', 'itl', 'ttft'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The accelerator filter's value for servers without replicas. */
export const NO_ACCELERATOR = '(none)';

export interface RowQuery {
  sort: SortKey;
  descending: boolean;
  /** '' for all */
  serviceClass: string;
  /** a SloStatus, or '' for all */
  status: string;
  /** an accelerator name, NO_ACCELERATOR, or '' for all */
  accelerator: string;
  /** 0-based */
  page: number;
  /** when set and among the rows that match, the page that holds this server instead of `page` */
  server?: string;
}

export interface RowsPage {
  rows: ServerRow[];
  /** rows that match the filters, all pages */
  matching: number;
  /** rows in all */
  total: number;
  /** 0-based, within [0, pages) */
  page: number;
  pages: number;
}

export interface FilterOptions {
  classes: string[];
  accelerators: string[];
}

const STATUS_ORDER: Record<SloStatus, number> = { 'within-slo': 0, 'missed-slo': 1, 'best-effort': 2, unallocated: 3 };

/** What a column sorts by; undefined (no allocation, so no number) comes after the others in either order. */
const SORT_VALUES: Record<SortKey, (row: ServerRow) => number | string | undefined> = {
  server: (row) => row.server,
  status: (row) => STATUS_ORDER[row.status],
  class: (row) => row.serviceClass,
  model: (row) => row.model,
  priority: (row) => row.priority,
  rate: (row) => row.arrivalRate,
  accelerator: (row) => (row.allocation ? acceleratorsOf(row).join(' ') : undefined),
  replicas: (row) => row.allocation?.numReplicas,
  batch: (row) => row.allocation?.maxBatch,
  cost: (row) => row.allocation?.cost,
  itl: (row) => row.allocation?.itl.value,
  ttft: (row) => row.allocation?.ttft.value,
};

/** The accelerators a server's replicas run on ('' for an allocation without replicas); none when unallocated. */
export function acceleratorsOf(row: ServerRow): string[] {
  const { allocation } = row;
  if (!allocation) return [];
  return allocation.placements ? allocation.placements.map((p) => p.accelerator) : [allocation.accelerator];
}

export function filterOptions(rows: readonly ServerRow[]): FilterOptions {
  // The default sort: by UTF-16 code units, as the core orders names.
  const classes = [...new Set(rows.map((row) => row.serviceClass))].sort();
  const names = new Set(rows.flatMap((row) => (row.allocation ? acceleratorsOf(row) : [''])).map((name) => name || NO_ACCELERATOR));
  const accelerators = [...names].filter((name) => name !== NO_ACCELERATOR).sort();
  return { classes, accelerators: names.has(NO_ACCELERATOR) ? [...accelerators, NO_ACCELERATOR] : accelerators };
}

function matches(row: ServerRow, query: RowQuery): boolean {
  if (query.serviceClass !== '' && row.serviceClass !== query.serviceClass) return false;
  if (query.status !== '' && row.status !== query.status) return false;
  if (query.accelerator === '') return true;
  const names = acceleratorsOf(row);
  return query.accelerator === NO_ACCELERATOR ? names.length === 0 || names.includes('') : names.includes(query.accelerator);
}

/** `rows` in the report's order (priority, then name), which also breaks ties of the sort. */
export function queryRows(rows: readonly ServerRow[], query: RowQuery): RowsPage {
  const value = SORT_VALUES[query.sort];
  const direction = query.descending ? -1 : 1;
  const matching = rows.map((row, index) => ({ row, index, key: value(row) })).filter(({ row }) => matches(row, query));
  matching.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) return (a.key === undefined ? 1 : 0) - (b.key === undefined ? 1 : 0) || a.index - b.index;
    return (a.key < b.key ? -direction : a.key > b.key ? direction : 0) || a.index - b.index;
  });
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const found = query.server === undefined ? -1 : matching.findIndex(({ row }) => row.server === query.server);
  const page = found >= 0 ? Math.floor(found / PAGE_SIZE) : Math.min(Math.max(0, query.page), pages - 1);
  return {
    rows: matching.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map(({ row }) => row),
    matching: matching.length,
    total: rows.length,
    page,
    pages,
  };
}
