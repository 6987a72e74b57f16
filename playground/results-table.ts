/**
 * The allocations table: one row per server, allocated or not (then with the reason), a page
 * of rows at a time, sorted by any column and filtered by class, status and accelerator. The
 * rows come from the run's worker a page at a time, so that a fleet of 10,000 servers costs
 * the page no more than a sample. A row opens its server's explanation when clicked, or when
 * focused and Enter or Space is pressed; the rows are one Tab stop, and the arrow keys (Home,
 * End, Page Up, Page Down) move between them.
 */
import { byId, h } from './dom.js';
import { formatCost, formatMs, formatRate } from './format.js';
import type { AllocatedServer, ServerRow, SloCheck, SloStatus } from './protocol.js';
import { PAGE_SIZE, type FilterOptions, type RowQuery, type RowsPage, type SortKey } from './table-query.js';

export const STATUS_LABELS: Record<SloStatus, { label: string; class: string }> = {
  'within-slo': { label: 'within SLO', class: 'ok' },
  'missed-slo': { label: 'SLO missed', class: 'missed' },
  'best-effort': { label: 'best effort', class: 'best-effort' },
  unallocated: { label: 'not allocated', class: 'missed' },
};

/** Asks the run's worker for a page; undefined when that run is gone. */
export type RowSource = (query: RowQuery) => Promise<RowsPage | undefined>;

export class ResultsTable {
  private source: RowSource | undefined;
  private query: RowQuery = { sort: 'priority', descending: false, serviceClass: '', status: '', accelerator: '', page: 0 };
  private shown: RowsPage | undefined;
  private requests = 0;
  /** the row that is the table's Tab stop */
  private active: string | undefined;
  private selected: string | undefined;

  private readonly body = byId<HTMLTableSectionElement>('rows');
  private readonly classFilter = byId<HTMLSelectElement>('filter-class');
  private readonly statusFilter = byId<HTMLSelectElement>('filter-status');
  private readonly acceleratorFilter = byId<HTMLSelectElement>('filter-accelerator');
  private readonly count = byId('rows-shown');
  private readonly pageInfo = byId('page-info');
  private readonly previous = byId<HTMLButtonElement>('page-previous');
  private readonly next = byId<HTMLButtonElement>('page-next');

  constructor(
    private readonly head: HTMLTableSectionElement,
    private readonly open: (server: string, byKeyboard: boolean) => void,
  ) {
    this.statusFilter.replaceChildren(
      h('option', { text: 'all', attrs: { value: '' } }),
      ...Object.entries(STATUS_LABELS).map(([value, { label }]) => h('option', { text: label, attrs: { value } })),
    );
    for (const select of [this.classFilter, this.statusFilter, this.acceleratorFilter]) {
      select.addEventListener('change', () =>
        void this.load({ ...this.query, serviceClass: this.classFilter.value, status: this.statusFilter.value, accelerator: this.acceleratorFilter.value, page: 0 }),
      );
    }
    for (const button of head.querySelectorAll<HTMLButtonElement>('button[data-sort]')) {
      button.addEventListener('click', () => {
        const sort = button.dataset.sort as SortKey;
        void this.load({ ...this.query, sort, descending: this.query.sort === sort ? !this.query.descending : false, page: 0 });
      });
    }
    this.previous.addEventListener('click', () => void this.load({ ...this.query, page: this.query.page - 1 }));
    this.next.addEventListener('click', () => void this.load({ ...this.query, page: this.query.page + 1 }));
    this.body.addEventListener('click', (event) => {
      const row = (event.target as Element).closest('tr');
      if (row?.dataset.server) this.open(row.dataset.server, false);
    });
    this.body.addEventListener('keydown', (event) => this.onKey(event));
    this.body.addEventListener('focusin', (event) => {
      const row = (event.target as Element).closest('tr');
      if (row?.dataset.server) this.makeActive(row);
    });
  }

  /**
   * The rows of a new run (or none): the sort is kept, and the filters that still make sense.
   * Resolves when its first page is shown.
   */
  async setSource(source: RowSource | undefined, options: FilterOptions = { classes: [], accelerators: [] }): Promise<void> {
    this.source = source;
    fillOptions(this.classFilter, options.classes);
    fillOptions(this.acceleratorFilter, options.accelerators);
    const query = { ...this.query, serviceClass: this.classFilter.value, accelerator: this.acceleratorFilter.value, page: 0 };
    if (!source) {
      this.requests++;
      this.query = query;
      this.show(undefined);
      return;
    }
    await this.load({ ...query, server: this.selected ?? this.active });
  }

  /** Marks the row whose explanation is shown, and shows its page. */
  async select(server: string | undefined): Promise<void> {
    this.selected = server;
    if (server === undefined) {
      for (const tr of this.body.rows) markSelected(tr, false);
      return;
    }
    this.active = server;
    if (this.shown?.rows.some((row) => row.server === server)) {
      for (const tr of this.body.rows) markSelected(tr, tr.dataset.server === server);
      return;
    }
    await this.load({ ...this.query, server });
  }

  /** The focus goes to `server`'s row if it is shown, else to the table's Tab stop. */
  focusRow(server: string | undefined): void {
    const rows = [...this.body.rows];
    (rows.find((row) => row.dataset.server === server) ?? rows.find((row) => row.tabIndex === 0))?.focus();
  }

  private async load(query: RowQuery, focus?: 'first' | 'last'): Promise<void> {
    const request = ++this.requests;
    // The query asked for now, so that a second click on a column turns the order it asked for.
    this.query = { ...query, server: undefined };
    const page = await this.source?.(query);
    // A newer query, or another run, has been asked for meanwhile.
    if (request !== this.requests || !page) return;
    this.query = { ...this.query, page: page.page };
    if (focus) this.active = (focus === 'first' ? page.rows[0] : page.rows.at(-1))?.server;
    this.show(page);
    if (focus) this.focusRow(this.active);
  }

  private show(page: RowsPage | undefined): void {
    this.shown = page;
    const rows = page?.rows ?? [];
    const hadFocus = this.body.contains(document.activeElement);
    const focused = hadFocus ? (document.activeElement as HTMLElement).closest('tr')?.dataset.server : undefined;
    const tabStop = rows.some((row) => row.server === this.active) ? this.active : rows[0]?.server;
    this.body.replaceChildren(
      ...rows.map((row) => {
        const tr = renderRow(row);
        tr.tabIndex = row.server === tabStop ? 0 : -1;
        tr.setAttribute('aria-controls', 'explanation');
        markSelected(tr, row.server === this.selected);
        return tr;
      }),
    );
    if (hadFocus) this.focusRow(focused);
    for (const th of this.head.querySelectorAll<HTMLTableCellElement>('th[data-sort-key]')) {
      if (th.dataset.sortKey === this.query.sort) th.setAttribute('aria-sort', this.query.descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
    if (!page) {
      this.count.textContent = '';
      this.pageInfo.textContent = '';
    } else {
      this.count.textContent = page.matching === page.total ? `${page.total} servers` : `${page.matching} of ${page.total} servers match`;
      const start = page.page * PAGE_SIZE;
      this.pageInfo.textContent = page.matching === 0 ? 'No server matches.' : `Rows ${start + 1}–${start + rows.length} of ${page.matching}, page ${page.page + 1} of ${page.pages}`;
    }
    this.previous.disabled = !page || page.page === 0;
    this.next.disabled = !page || page.page >= page.pages - 1;
  }

  private makeActive(row: HTMLTableRowElement): void {
    this.active = row.dataset.server;
    for (const tr of this.body.rows) tr.tabIndex = tr === row ? 0 : -1;
  }

  private onKey(event: KeyboardEvent): void {
    const row = (event.target as Element).closest('tr');
    if (!row || !row.dataset.server) return;
    const rows = [...this.body.rows];
    const index = rows.indexOf(row);
    const page = this.shown?.page ?? 0;
    const pages = this.shown?.pages ?? 1;
    const move = (target: HTMLTableRowElement | undefined) => {
      if (!target) return;
      this.makeActive(target);
      target.focus();
    };
    switch (event.key) {
      case 'Enter':
      case ' ':
        this.open(row.dataset.server, true);
        break;
      case 'ArrowDown':
        if (index < rows.length - 1) move(rows[index + 1]);
        else if (page < pages - 1) void this.load({ ...this.query, page: page + 1 }, 'first');
        break;
      case 'ArrowUp':
        if (index > 0) move(rows[index - 1]);
        else if (page > 0) void this.load({ ...this.query, page: page - 1 }, 'last');
        break;
      case 'Home':
        move(rows[0]);
        break;
      case 'End':
        move(rows.at(-1));
        break;
      case 'PageDown':
        if (page < pages - 1) void this.load({ ...this.query, page: page + 1 }, 'first');
        break;
      case 'PageUp':
        if (page > 0) void this.load({ ...this.query, page: page - 1 }, 'first');
        break;
      default:
        return;
    }
    // Space and the arrows would scroll the page otherwise.
    event.preventDefault();
  }
}

function markSelected(tr: HTMLTableRowElement, selected: boolean): void {
  tr.classList.toggle('selected', selected);
  if (selected) tr.setAttribute('aria-current', 'true');
  else tr.removeAttribute('aria-current');
}

function fillOptions(select: HTMLSelectElement, values: readonly string[]): void {
  const current = select.value;
  select.replaceChildren(h('option', { text: 'all', attrs: { value: '' } }), ...values.map((value) => h('option', { text: value, attrs: { value } })));
  select.value = values.includes(current) ? current : '';
}

function renderRow(row: ServerRow): HTMLTableRowElement {
  const status = STATUS_LABELS[row.status];
  const head = [
    h('th', { text: row.server, attrs: { scope: 'row' } }),
    h('td', { data: { field: 'status' } }, [h('span', { class: `tag ${status.class}`, text: status.label })]),
    h('td', { text: row.serviceClass }),
    h('td', { text: row.model }),
    h('td', { class: 'num', text: String(row.priority) }),
    h('td', { class: 'num', text: formatRate(row.arrivalRate), title: 'requests per minute' }),
  ];
  const data = { testid: 'allocation-row', server: row.server, status: row.allocation ? (row.allocation.bestEffort ? 'best-effort' : 'allocated') : 'unallocated', slo: row.status };
  const { allocation } = row;
  if (!allocation) {
    return h('tr', { class: 'unallocated', data }, [
      ...head,
      // Two lines at most: the whole text is in the title, and in the explanation panel.
      h('td', { class: 'reason', attrs: { colspan: '6' }, data: { field: 'reason' }, title: row.reason ?? '' }, [h('div', { class: 'clamp', text: row.reason ?? '' })]),
    ]);
  }
  return h('tr', { class: allocation.bestEffort ? 'best-effort' : '', data }, [
    ...head,
    acceleratorCell(allocation),
    replicasCell(allocation),
    h('td', { class: 'num', text: String(allocation.maxBatch), data: { field: 'batch' } }),
    h('td', { class: 'num', text: formatCost(allocation.cost), data: { field: 'cost', value: String(allocation.cost) } }),
    sloCell('itl', allocation.itl, allocation),
    sloCell('ttft', allocation.ttft, allocation),
  ]);
}

/** The accelerator, or where the replicas went, one line each, when they are split across accelerators. */
function acceleratorCell(allocation: AllocatedServer): HTMLTableCellElement {
  const data = { field: 'accelerator', value: allocation.accelerator };
  if (!allocation.placements) return h('td', { text: allocation.accelerator || 'none (no load)', data });
  // One line each; the text reads "2 × A100 + 2 × G2", as the explanation writes it.
  return h(
    'td',
    { class: 'placements', data },
    allocation.placements.map((p, i) => h('div', { text: `${i === 0 ? '' : ' + '}${p.numReplicas} × ${p.accelerator}` })),
  );
}

function replicasCell(allocation: AllocatedServer): HTMLTableCellElement {
  const cell = h('td', { class: 'num', data: { field: 'replicas', value: String(allocation.numReplicas) } }, [String(allocation.numReplicas)]);
  if (allocation.bestEffort) {
    cell.append(h('small', { text: ` of ${allocation.replicasNeeded}`, title: `the SLOs need ${allocation.replicasNeeded} replicas; capacity left room for ${allocation.numReplicas}` }));
  }
  return cell;
}

/**
 * Value against target. A best-effort allocation has fewer replicas than its SLOs need, so at
 * its load the SLOs are missed whatever the latencies computed for the full replica count.
 */
function sloCell(field: 'itl' | 'ttft', check: SloCheck, allocation: AllocatedServer): HTMLTableCellElement {
  const value = formatMs(check.value);
  const data = { field, value: String(check.value), target: String(check.target) };
  if (check.target <= 0) return h('td', { class: 'num slo', data: { ...data, slo: 'none' }, title: 'no target' }, [value, h('span', { class: 'slo-target', text: ' / –' })]);
  const met = !allocation.bestEffort && check.value <= check.target;
  const title = allocation.bestEffort
    ? `best effort: ${allocation.numReplicas} of the ${allocation.replicasNeeded} replicas the SLOs need; ${value} ms is at ${allocation.replicasNeeded}`
    : `${value} ms against a target of ${check.target} ms`;
  return h('td', { class: `num slo ${met ? 'met' : 'missed'}`, data: { ...data, slo: met ? 'met' : 'missed' }, title }, [
    value,
    h('span', { class: 'slo-target', text: ` / ${check.target}` }),
    h('span', { class: 'mark', text: met ? ' ✓' : ' ✗', attrs: { 'aria-hidden': 'true' } }),
    h('span', { class: 'visually-hidden', text: met ? ' met' : ' missed' }),
  ]);
}
