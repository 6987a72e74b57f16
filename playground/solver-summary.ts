/** How the MILP solver did, from the summary it adds to the answer; greedy answers have none. */
import type { SolverSummary } from '../src/core/index.js';
import { h } from './dom.js';
import { formatCost, formatPercent } from './format.js';

const STATUS_CLASSES: Record<SolverSummary['status'], string> = {
  optimal: 'ok',
  'time-limit': 'best-effort',
  'iteration-limit': 'best-effort',
  failed: 'missed',
};

/**
 * Shows `summary` in `box`, or hides the box when the answer carries none. `totalCost` (cents
 * per hour) is the run's, beside which the objective is explained. `timeLimit`: seconds;
 * `iterationLimit`: simplex iterations (0: none).
 */
export function renderSolverSummary(box: HTMLElement, summary: SolverSummary | undefined, totalCost = 0, timeLimit = 0, iterationLimit = 0): void {
  box.hidden = !summary;
  if (!summary) {
    box.replaceChildren();
    delete box.dataset.status;
    return;
  }
  box.dataset.status = summary.status;
  // Keys are priorities as strings: in numeric order, so that 10 comes after 2.
  const served = Object.entries(summary.servedWithinSLO).sort(([a], [b]) => Number(a) - Number(b));
  const stages = summary.stages.map((stage) => `${stage.stage}: ${stage.status} (${formatCost(stage.objective)}, kept the ${stage.kept === 'start' ? `${stage.start} start` : "solver's solution"})`).join('\n');
  box.replaceChildren(
    h('div', { class: 'solver-head' }, [
      h('strong', { text: 'MILP' }),
      h('span', { class: 'meta', text: `${summary.solver} · ${summary.formulation} formulation${summary.answer === 'greedy' ? " · the greedy's answer kept" : ''}` }),
      h('span', { class: `tag ${STATUS_CLASSES[summary.status]}`, text: summary.status, title: `stages, in order:\n${stages}`, data: { field: 'status' } }),
    ]),
    h('dl', {}, [
      item('Objective', formatCost(summary.objective), 'objective', summary.objective, 'total value of the answer: cost with transition penalties, cents per hour'),
      ...(summary.gap !== undefined ? [item('Gap', formatPercent(summary.gap), 'gap', summary.gap, 'relative gap between the objective and the proven bound')] : []),
      item('Time', `${Math.round(summary.ms)} ms`, 'ms', summary.ms, 'all stages, in this browser'),
    ]),
    h('p', { class: 'served' }, [
      h('span', { class: 'label', text: 'Servers within SLO, by priority' }),
      ...served.map(([priority, count]) =>
        h('span', { class: 'served-count', data: { testid: 'served-within-slo', priority, count: String(count) }, title: `priority ${priority}` }, [
          h('small', { text: `P${priority}` }),
          ` ${count}`,
        ]),
      ),
    ]),
    h('p', { class: 'note', data: { field: 'objective-note' } }, [
      `The objective is what the MILP minimises, not the cost (${formatCost(totalCost)} cents/h): the sum of the servers' values, each the price of the change from its current allocation: 1.1 × the cost for a server that has none yet; on another accelerator, the cost difference plus 10% of both costs; on the same one, the cost difference (0 when nothing changes).`,
    ]),
    ...(summary.limitedBy === 'time'
      ? [
          h('p', { class: 'note warn', data: { testid: 'time-limit-note' } }, [
            `Stopped at the time limit (${timeLimit} s): the answer is the best found by then, so another run, or another machine, may give another one. A longer milpTimeLimit lets it finish; a milpIterationLimit gives the same answer on every run.`,
          ]),
        ]
      : []),
    ...(summary.limitedBy === 'iterations'
      ? [
          h('p', { class: 'note', data: { testid: 'iteration-limit-note' } }, [
            `Stopped at the iteration limit (${iterationLimit} simplex iterations): the answer is the best found within them, the same on every run.`,
          ]),
        ]
      : []),
    ...(summary.note ? [h('p', { class: 'note', text: summary.note })] : []),
  );
}

function item(term: string, text: string, field: string, value: number, title: string): HTMLElement {
  return h('div', { title }, [h('dt', { text: term }), h('dd', { text, data: { field, value: String(value) } })]);
}
