/**
 * The allocations table: one row per server, allocated or not (then with the reason). A row
 * opens its server's explanation when clicked, or when focused and Enter or Space is pressed.
 */
import { h } from './dom.js';
import { formatCost, formatMs, formatPlacements, formatRate } from './format.js';
import type { AllocatedServer, ServerRow, SloCheck } from './protocol.js';

export function renderRows(tbody: HTMLTableSectionElement, rows: readonly ServerRow[], open: (server: string) => void): void {
  tbody.replaceChildren(
    ...rows.map((row) => {
      const tr = renderRow(row);
      tr.tabIndex = 0;
      tr.setAttribute('aria-controls', 'explanation');
      tr.addEventListener('click', () => open(row.server));
      tr.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        // Space would scroll the page otherwise.
        event.preventDefault();
        open(row.server);
      });
      return tr;
    }),
  );
}

/** Marks the row whose explanation is shown, if any. */
export function markSelectedRow(tbody: HTMLTableSectionElement, server: string | undefined): void {
  for (const tr of tbody.rows) {
    const selected = tr.dataset.server === server;
    tr.classList.toggle('selected', selected);
    tr.setAttribute('aria-expanded', String(selected));
  }
}

function renderRow(row: ServerRow): HTMLTableRowElement {
  const head = [
    h('th', { text: row.server, attrs: { scope: 'row' } }),
    h('td', { text: row.serviceClass }),
    h('td', { text: row.model }),
    h('td', { class: 'num', text: String(row.priority) }),
    h('td', { class: 'num', text: formatRate(row.arrivalRate), title: 'requests per minute' }),
  ];
  const { allocation } = row;
  if (!allocation) {
    return h('tr', { class: 'unallocated', data: { testid: 'allocation-row', server: row.server, status: 'unallocated' } }, [
      ...head,
      // Two lines at most: the whole text is in the title, and in the explanation panel.
      h('td', { class: 'reason', attrs: { colspan: '6' }, data: { field: 'reason' }, title: row.reason ?? '' }, [
        h('div', { class: 'clamp' }, [h('span', { class: 'tag missed', text: 'not allocated' }), ` ${row.reason ?? ''}`]),
      ]),
    ]);
  }
  return h(
    'tr',
    { class: allocation.bestEffort ? 'best-effort' : '', data: { testid: 'allocation-row', server: row.server, status: allocation.bestEffort ? 'best-effort' : 'allocated' } },
    [
      ...head,
      acceleratorCell(allocation),
      replicasCell(allocation),
      h('td', { class: 'num', text: String(allocation.maxBatch), data: { field: 'batch' } }),
      h('td', { class: 'num', text: formatCost(allocation.cost), data: { field: 'cost', value: String(allocation.cost) } }),
      sloCell('itl', allocation.itl, allocation),
      sloCell('ttft', allocation.ttft, allocation),
    ],
  );
}

/** The accelerator, or where the replicas went when they are split across accelerators. */
function acceleratorCell(allocation: AllocatedServer): HTMLTableCellElement {
  const text = allocation.placements ? formatPlacements(allocation.placements) : allocation.accelerator || 'none (no load)';
  return h('td', { text, data: { field: 'accelerator', value: allocation.accelerator } });
}

function replicasCell(allocation: AllocatedServer): HTMLTableCellElement {
  const cell = h('td', { class: 'num', data: { field: 'replicas', value: String(allocation.numReplicas) } }, [String(allocation.numReplicas)]);
  if (allocation.bestEffort) {
    cell.prepend(h('span', { class: 'tag best-effort', text: 'best effort', title: `the SLOs need ${allocation.replicasNeeded} replicas; capacity left room for ${allocation.numReplicas}` }), ' ');
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
    h('span', { class: 'mark', text: met ? ' ✓' : ' ✗' }),
  ]);
}
