/**
 * The explanation of one server, as the core's explainResult gives it: its status and the
 * decision in words, its load and SLO targets, and every candidate accelerator considered.
 */
import type { CandidateExplanation, ServerExplanation, ServerStatus, SolvedAllocation } from '../src/core/index.js';
import { h } from './dom.js';
import { watchScroll } from './scroll-sign.js';
import { formatCost, formatMs, formatPlacements, formatRate, formatReplicaRate } from './format.js';

const STATUS_TAGS: Record<ServerStatus, { label: string; class: string }> = {
  allocated: { label: 'allocated', class: 'ok' },
  'best-effort': { label: 'best effort', class: 'best-effort' },
  unallocated: { label: 'not allocated', class: 'missed' },
  'not-needed': { label: 'no replicas needed', class: 'neutral' },
};

/** Fills `panel` with the explanation of `server`; `close` is the panel's close button. */
export function renderExplanation(panel: HTMLElement, server: ServerExplanation, close: () => void): void {
  const tag = STATUS_TAGS[server.status];
  const closeButton = h('button', { class: 'close', text: 'Close', attrs: { type: 'button', 'aria-label': `close the explanation of ${server.server}` } });
  closeButton.addEventListener('click', close);
  const feasible = server.candidates.filter((candidate) => candidate.feasible).length;
  panel.dataset.server = server.server;
  panel.dataset.status = server.status;
  panel.replaceChildren(
    h('div', { class: 'explanation-head' }, [
      h('h3', { attrs: { id: 'explanation-title' } }, [h('code', { text: server.server })]),
      h('span', { class: `tag ${tag.class}`, text: tag.label, data: { field: 'status' } }),
      h('span', { class: 'meta', text: `class ${server.class} · model ${server.model} · priority ${server.priority}` }),
      closeButton,
    ]),
    h('p', { class: 'decision', data: { field: 'decision' } }, [server.decision]),
    h('dl', { class: 'facts' }, [
      fact('Load', loadText(server)),
      fact('SLO targets', targetsText(server)),
      fact('Allocation', allocationText(server.allocation)),
    ]),
    // Focusable, so that a keyboard scrolls it sideways on a narrow screen.
    h('div', { class: 'scroll-box' }, [
      h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': `candidates of ${server.server}` } }, [
        h('table', { class: 'candidates' }, [
          h('caption', { text: `${server.candidates.length} accelerators considered, ${feasible} feasible` }),
          h('thead', {}, [
            h('tr', {}, [
              h('th', { text: 'Accelerator' }),
              h('th', { text: 'Feasible' }),
              h('th', { class: 'num', text: 'Replicas', title: 'replicas the SLOs need at this load' }),
              h('th', { class: 'num', text: 'Batch' }),
              header('Cost', 'cents/h', 'cents per hour'),
              header('Value', 'cents/h', 'what the solver minimises: cost with the transition penalty from the current allocation'),
              header('Max rate', 'req/s', 'requests per second one replica takes within the SLOs'),
              header('ITL', 'ms', 'inter-token latency at the load spread over the replicas'),
              header('TTFT', 'ms', 'time to first token at the load spread over the replicas'),
              h('th', { text: 'Chosen' }),
              h('th', { text: 'Why not' }),
            ]),
          ]),
          h('tbody', {}, server.candidates.map(candidateRow)),
        ]),
      ]),
    ]),
    h('p', { class: 'scroll-sign', text: 'more columns: scroll sideways →', attrs: { 'aria-hidden': 'true' } }),
  );
  watchScroll(panel.querySelector<HTMLElement>('.scroll-box')!);
  panel.setAttribute('aria-labelledby', 'explanation-title');
}

function header(name: string, unit: string, title: string): HTMLTableCellElement {
  return h('th', { class: 'num', title }, [name, ' ', h('small', { text: unit })]);
}

function fact(term: string, description: string): HTMLElement {
  return h('div', {}, [h('dt', { text: term }), h('dd', { text: description, data: { field: term.toLowerCase().replace(/ /g, '-') } })]);
}

function loadText({ load }: ServerExplanation): string {
  return `${formatRate(load.arrivalRate)} req/min · ${load.avgInTokens} tokens in · ${load.avgOutTokens} tokens out`;
}

function targetsText({ targets }: ServerExplanation): string {
  if (!targets) return 'none: the service class has no target for this model';
  const target = (name: string, value: number, unit: string): string => `${name} ${value > 0 ? `${value} ${unit}` : '–'}`;
  return [target('ITL', targets.itl, 'ms'), target('TTFT', targets.ttft, 'ms'), target('TPS', targets.tps, 'tokens/s')].join(' · ');
}

function allocationText(allocation: SolvedAllocation | null): string {
  if (!allocation) return 'none';
  if (allocation.accelerator === '') return 'no replicas';
  // The placements' batch sizes are their candidates' (in the table), not one for all.
  if (allocation.placements) return `${formatPlacements(allocation.placements)}, ${formatCost(allocation.cost)} cents/h`;
  return `${allocation.numReplicas} × ${allocation.accelerator}, batch ${allocation.maxBatch}, ${formatCost(allocation.cost)} cents/h`;
}

function candidateRow(candidate: CandidateExplanation): HTMLTableRowElement {
  const why = candidate.reason !== undefined ? { field: 'reason', text: candidate.reason } : { field: 'note', text: candidate.note ?? '' };
  return h(
    'tr',
    {
      class: candidate.chosen ? 'chosen' : candidate.feasible ? '' : 'infeasible',
      data: { testid: 'candidate', accelerator: candidate.accelerator, feasible: String(candidate.feasible), chosen: String(candidate.chosen) },
    },
    [
      h('th', { text: candidate.accelerator, attrs: { scope: 'row' } }),
      h('td', { class: candidate.feasible ? 'yes' : 'no', text: candidate.feasible ? 'yes' : 'no' }),
      numberCell('replicas', candidate.numReplicas, String),
      numberCell('batch', candidate.batchSize, String),
      numberCell('cost', candidate.cost, formatCost),
      numberCell('value', candidate.value, formatCost),
      numberCell('max-rate', candidate.maxRatePerReplica, formatReplicaRate),
      numberCell('itl', candidate.itl, formatMs),
      numberCell('ttft', candidate.ttft, formatMs),
      h('td', { class: 'chosen-mark', text: candidate.chosen ? '✓ chosen' : '' }),
      h('td', { class: 'why', text: why.text, data: { field: why.field } }),
    ],
  );
}

/** An infeasible candidate has no numbers: a dash. */
function numberCell(field: string, value: number | undefined, format: (value: number) => string): HTMLTableCellElement {
  if (value === undefined) return h('td', { class: 'num muted', text: '–', data: { field } });
  return h('td', { class: 'num', text: format(value), data: { field, value: String(value) } });
}
