/**
 * The charts, as inline SVG drawn here: cost by accelerator type, capacity used against
 * available per type, and the SLO headroom of every allocated server.
 */
import { h, svg } from './dom.js';
import { formatCost } from './format.js';
import type { ServerRow, TypeUsage } from './protocol.js';
import { headroom } from './slo.js';

const WIDTH = 440;
const LABEL_WIDTH = 150;
const VALUE_WIDTH = 92;
const BAR_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
const ROW_HEIGHT = 22;

function chart(height: number, children: SVGElement[], label: string): SVGSVGElement {
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: 'img', 'aria-label': label, class: 'chart' }, children);
}

function text(x: number, y: number, content: string, attrs: Record<string, string | number> = {}): SVGTextElement {
  return svg('text', { x, y, 'dominant-baseline': 'middle', ...attrs }, [content]);
}

function empty(message: string): HTMLElement {
  return h('p', { class: 'chart-empty', text: message });
}

export function costChart(types: readonly TypeUsage[]): Element {
  const bars = types.filter((type) => type.cost > 0).sort((a, b) => b.cost - a.cost || (a.type < b.type ? -1 : 1));
  if (bars.length === 0) return empty('No allocation, no cost.');
  const max = bars[0].cost;
  const children = bars.flatMap((type, i) => {
    const y = i * ROW_HEIGHT;
    const width = Math.max(1, (type.cost / max) * BAR_WIDTH);
    return [
      text(LABEL_WIDTH - 8, y + ROW_HEIGHT / 2, type.type, { 'text-anchor': 'end' }),
      svg('rect', { x: LABEL_WIDTH, y: y + 4, width, height: ROW_HEIGHT - 8, rx: 2, class: 'bar cost' }),
      text(LABEL_WIDTH + width + 6, y + ROW_HEIGHT / 2, formatCost(type.cost), { class: 'value' }),
    ];
  });
  return chart(bars.length * ROW_HEIGHT, children, 'cost by accelerator type, cents per hour');
}

/** Each type's bar is its own capacity; in unlimited mode there is none, so bars compare usage. */
export function capacityChart(types: readonly TypeUsage[], unlimited: boolean): Element {
  const shown = unlimited ? types.filter((type) => type.used > 0) : types;
  if (shown.length === 0) return empty(unlimited ? 'No accelerator used.' : 'No capacity given.');
  const maxUsed = Math.max(...shown.map((type) => type.used));
  const children = shown.flatMap((type, i) => {
    const y = i * ROW_HEIGHT;
    const share = unlimited ? type.used / maxUsed : type.available > 0 ? type.used / type.available : type.used > 0 ? 1 : 0;
    const over = !unlimited && type.used > type.available;
    const label = unlimited ? `${type.used}` : `${type.used} / ${type.available}`;
    return [
      text(LABEL_WIDTH - 8, y + ROW_HEIGHT / 2, type.type, { 'text-anchor': 'end' }),
      svg('rect', { x: LABEL_WIDTH, y: y + 4, width: BAR_WIDTH, height: ROW_HEIGHT - 8, rx: 2, class: 'bar track' }),
      svg('rect', { x: LABEL_WIDTH, y: y + 4, width: Math.min(1, share) * BAR_WIDTH, height: ROW_HEIGHT - 8, rx: 2, class: over ? 'bar over' : 'bar used' }),
      text(LABEL_WIDTH + BAR_WIDTH + 6, y + ROW_HEIGHT / 2, label, { class: 'value' }),
    ];
  });
  return chart(shown.length * ROW_HEIGHT, children, unlimited ? 'accelerator units used per type' : 'accelerator units used against available per type');
}

/** `rows`: the servers to draw (report.ts picks them), of `of` allocated servers with a target. */
export function headroomChart({ rows, of }: { rows: readonly ServerRow[]; of: number }): Element {
  if (rows.length === 0) return empty('No allocated server with an ITL or TTFT target.');
  if (rows.length === of) return headroomBars(rows);
  return h('div', {}, [h('p', { class: 'chart-note', text: `The ${rows.length} servers with the least headroom, of ${of}.` }), headroomBars(rows)]);
}

function headroomBars(servers: readonly ServerRow[]): Element {
  const pair = 9;
  const rowHeight = 2 * pair + 6;
  // -100% .. +100%; a miss by more than the target is drawn at the left edge.
  const zero = LABEL_WIDTH + BAR_WIDTH / 2;
  const half = BAR_WIDTH / 2;
  const top = 18;
  const children: SVGElement[] = [
    text(zero - half, 8, '−100%', { class: 'axis', 'text-anchor': 'start' }),
    text(zero, 8, '0', { class: 'axis', 'text-anchor': 'middle' }),
    text(zero + half, 8, '+100%', { class: 'axis', 'text-anchor': 'end' }),
  ];
  servers.forEach((row, i) => {
    const allocation = row.allocation!;
    const y = top + i * rowHeight;
    children.push(text(LABEL_WIDTH - 8, y + rowHeight / 2 - 2, row.server, { 'text-anchor': 'end', class: allocation.bestEffort ? 'muted' : '' }));
    const checks = [
      ['ITL', allocation.itl],
      ['TTFT', allocation.ttft],
    ] as const;
    checks.forEach(([name, check], j) => {
      const barY = y + j * pair;
      if (check.target <= 0) return;
      const share = headroom(check);
      const width = Math.min(1, Math.abs(share)) * half;
      const kind = allocation.bestEffort ? 'best-effort' : share < 0 ? 'missed' : name.toLowerCase();
      children.push(
        svg('rect', { x: share < 0 ? zero - width : zero, y: barY, width: Math.max(width, 1), height: pair - 2, class: `bar ${kind}` }, [
          svg('title', {}, [`${row.server} ${name}: ${Math.round(share * 100)}% headroom${allocation.bestEffort ? ' (best effort: SLOs not met)' : ''}`]),
        ]),
      );
    });
    const shares = checks.filter(([, c]) => c.target > 0).map(([, c]) => headroom(c));
    const label = allocation.bestEffort ? 'best effort' : `${Math.round(Math.min(...shares) * 100)}%`;
    children.push(text(LABEL_WIDTH + BAR_WIDTH + 6, y + rowHeight / 2 - 2, label, { class: allocation.bestEffort ? 'value muted' : 'value' }));
  });
  children.push(svg('line', { x1: zero, x2: zero, y1: top - 4, y2: top + servers.length * rowHeight, class: 'axis-line' }));
  return chart(top + servers.length * rowHeight, children, 'SLO headroom per server: ITL and TTFT');
}
