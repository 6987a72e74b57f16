/**
 * The playground page: a SystemData document in an editor, the optimizer's flags, and the
 * results of running the core (in a worker) on it: allocations table, charts and exports.
 */
import type { OptimizerSpec, SaturationPolicy } from '../src/core/index.js';
import { isSampleName, SAMPLES, type SampleName } from '../src/samples/index.js';
import { capacityChart, costChart, headroomChart } from './charts.js';
import { curlInline, curlWithFile } from './curl.js';
import { byId, h } from './dom.js';
import { JsonEditor } from './editor.js';
import { renderExplanation } from './explanation-panel.js';
import { formatCost } from './format.js';
import { combineFiles } from './input-files.js';
import type { OptimizerFlags, Problem, RunReport } from './protocol.js';
import { markSelectedRow, renderRows } from './results-table.js';
import { renderSolverSummary } from './solver-summary.js';
import { latestOnly, OptimizerClient } from './worker-client.js';
import './style.css';

/** ms of quiet after an edit before the document is validated again */
const VALIDATE_DELAY = 250;
const BOOLEAN_FLAGS = ['unlimited', 'heterogeneous', 'milpSolver', 'delayedBestEffort'] as const;

const sampleSelect = byId<HTMLSelectElement>('sample');
const filesInput = byId<HTMLInputElement>('files');
const docStatus = byId('doc-status');
const problemList = byId('problems');
const fileNotes = byId('file-notes');
const flagsForm = byId<HTMLFormElement>('flags');
const scaleInput = byId<HTMLInputElement>('scale');
const scaleValue = byId<HTMLOutputElement>('scale-value');
const runButton = byId<HTMLButtonElement>('run');
const totalCost = byId('total-cost');
const allocated = byId('allocated');
const runError = byId('run-error');
const results = byId('results');
const resultsNote = byId('results-note');
const rowsBody = byId<HTMLTableSectionElement>('rows');
const explanationPanel = byId('explanation');
const solverSummary = byId('solver-summary');
const serverUrl = byId<HTMLInputElement>('server-url');
const curlText = byId('curl');
const exportButtons = ['download-solution', 'download-system', 'copy-curl'].map((id) => byId<HTMLButtonElement>(id));
const [downloadSolution, downloadSystem, copyCurl] = exportButtons;

const client = new OptimizerClient(showRunError);
const editor = new JsonEditor(byId('editor'), onEdit);

let lastReport: RunReport | undefined;
/** the server whose explanation is shown; kept across runs, so that a what-if updates it */
let explained: string | undefined;
/** the latest load and validation: answers to older ones are not shown */
let loads = 0;
let validation = 0;
let validateTimer: ReturnType<typeof setTimeout> | undefined;

// Documents

/** Run waits until the controls have taken the new document's flags. A new document closes the explanation. */
function loadDocument(text: string): void {
  const load = ++loads;
  editor.text = text;
  explained = undefined;
  clearResults();
  runButton.disabled = true;
  void validate().then((optimizer) => {
    if (load !== loads) return;
    if (optimizer) setFlags(optimizer);
    runButton.disabled = false;
  });
}

function loadSample(name: SampleName): void {
  fileNotes.replaceChildren();
  loadDocument(`${JSON.stringify(SAMPLES[name], null, 2)}\n`);
}

function onEdit(): void {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(() => void validate(), VALIDATE_DELAY);
  if (lastReport) resultsNote.textContent = 'The system data changed since this run: press Run to update.';
}

/** Validates the document and shows its problems; returns its optimizer flags when valid. */
async function validate(): Promise<OptimizerSpec | undefined> {
  const id = ++validation;
  const response = await client.send({ type: 'validate', text: editor.text });
  if (response.type !== 'validated') return undefined;
  if (id === validation) showProblems(response.problems);
  return response.optimizer;
}

function showProblems(problems: readonly Problem[]): void {
  editor.showProblems(problems);
  docStatus.className = `doc-status ${problems.length === 0 ? 'ok' : 'bad'}`;
  docStatus.textContent =
    problems.length === 0 ? 'Valid SystemData.' : `${problems.length === 1 ? 'One problem' : `${problems.length} problems`} in the system data:`;
  problemList.replaceChildren(
    ...problems.map((problem) => {
      const button = h('button', { class: 'link', attrs: { type: 'button' } }, [`line ${problem.line}`]);
      button.addEventListener('click', () => editor.goToLine(problem.line));
      return h('li', { data: { testid: 'problem', line: String(problem.line), path: problem.path } }, [
        button,
        ' ',
        problem.path ? h('code', { text: problem.path }) : '',
        problem.path ? `: ${problem.message}` : problem.message,
      ]);
    }),
  );
}

async function loadFiles(files: readonly File[]): Promise<void> {
  if (files.length === 0) return;
  const loaded = await Promise.all(files.map(async (file) => ({ name: file.name, text: await file.text() })));
  const combined = combineFiles(loaded, editor.text);
  fileNotes.replaceChildren(
    ...combined.notes.map((note) => h('li', { text: note })),
    ...combined.errors.map((error) => h('li', { class: 'bad', text: error })),
  );
  if (combined.text === undefined) return;
  sampleSelect.value = '';
  loadDocument(combined.text);
}

// Flags and scale

function readFlags(): OptimizerFlags {
  const form = flagsForm.elements;
  const checked = (name: string): boolean => (form.namedItem(name) as HTMLInputElement).checked;
  return {
    unlimited: checked('unlimited'),
    heterogeneous: checked('heterogeneous'),
    milpSolver: checked('milpSolver'),
    delayedBestEffort: checked('delayedBestEffort'),
    saturationPolicy: (form.namedItem('saturationPolicy') as HTMLSelectElement).value as SaturationPolicy,
  };
}

function setFlags(spec: OptimizerSpec): void {
  const form = flagsForm.elements;
  for (const name of BOOLEAN_FLAGS) (form.namedItem(name) as HTMLInputElement).checked = spec[name];
  (form.namedItem('saturationPolicy') as HTMLSelectElement).value = spec.saturationPolicy;
}

/** The slider moves in powers of two, so that ×0.5 and ×2 sit equally far from ×1. */
function readScale(): number {
  return 2 ** Number(scaleInput.value);
}

// Runs

const requestRun = latestOnly(run, () => {
  if (results.dataset.status === 'running') results.dataset.status = lastReport ? 'done' : 'error';
});

async function run(): Promise<void> {
  results.dataset.status = 'running';
  runError.hidden = true;
  const response = await client.send({ type: 'run', text: editor.text, flags: readFlags(), arrivalScale: readScale() });
  results.dataset.runs = String(Number(results.dataset.runs) + 1);
  if (response.type === 'result') {
    showReport(response.report);
    return;
  }
  if (response.type !== 'failed') return;
  if (response.problems.length > 0) showProblems(response.problems);
  if (response.internal) console.error(response.message);
  clearResults();
  showRunError(response.message);
  results.dataset.status = 'error';
}

function showRunError(message: string): void {
  runError.textContent = message;
  runError.hidden = false;
}

function showReport(report: RunReport): void {
  lastReport = report;
  const allocatedRows = report.rows.filter((row) => row.allocation);
  totalCost.textContent = formatCost(report.totalCost);
  allocated.textContent = `${allocatedRows.length} of ${report.rows.length}`;
  renderRows(rowsBody, report.rows, (server) => showExplanation(server, true));
  renderSolverSummary(solverSummary, report.solution.summary);
  showExplanation(explained, false);
  const scale = report.arrivalScale === 1 ? '' : ` at ×${formatScale(report.arrivalScale)} arrival rates`;
  resultsNote.textContent = `${report.rows.length} servers${scale}, saturation policy ${report.flags.saturationPolicy}${report.flags.unlimited ? ', unlimited' : ''}.`;
  results.dataset.arrivalScale = String(report.arrivalScale);
  results.classList.remove('empty');
  byId('chart-cost').replaceChildren(costChart(report.types));
  byId('chart-capacity').replaceChildren(capacityChart(report.types, report.flags.unlimited));
  byId('chart-headroom').replaceChildren(headroomChart(report.rows));
  for (const button of exportButtons) button.disabled = false;
  updateCurl();
  results.dataset.status = 'done';
}

function clearResults(): void {
  lastReport = undefined;
  totalCost.textContent = '–';
  allocated.textContent = '–';
  rowsBody.replaceChildren();
  renderSolverSummary(solverSummary, undefined);
  hideExplanation();
  resultsNote.textContent = 'Press Run to optimize.';
  results.dataset.status = 'idle';
  delete results.dataset.arrivalScale;
  results.classList.add('empty');
  for (const id of ['chart-cost', 'chart-capacity', 'chart-headroom']) byId(id).replaceChildren(h('p', { class: 'chart-empty', text: 'No run yet.' }));
  for (const button of exportButtons) button.disabled = true;
  runError.hidden = true;
  updateCurl();
}

// Explanations

/**
 * Shows the last run's explanation of `server`, or hides the panel when that run has no such
 * server. `focus`: when the user asked for it, the panel takes the focus (and comes into view).
 */
function showExplanation(server: string | undefined, focus: boolean): void {
  const found = lastReport?.explanation.servers.find((candidate) => candidate.server === server);
  if (!found) {
    hideExplanation();
    return;
  }
  explained = found.server;
  renderExplanation(explanationPanel, found, closeExplanation);
  explanationPanel.hidden = false;
  markSelectedRow(rowsBody, explained);
  if (focus) explanationPanel.focus();
}

function hideExplanation(): void {
  explanationPanel.hidden = true;
  explanationPanel.replaceChildren();
  delete explanationPanel.dataset.server;
  delete explanationPanel.dataset.status;
  markSelectedRow(rowsBody, undefined);
}

/** Closed by the user: the focus goes back to the server's row. */
function closeExplanation(): void {
  const row = [...rowsBody.rows].find((tr) => tr.dataset.server === explained);
  explained = undefined;
  hideExplanation();
  row?.focus();
}

function formatScale(scale: number): string {
  return String(Number(scale.toFixed(2)));
}

// Exports

function download(name: string, body: unknown): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(body, null, 2)}\n`], { type: 'application/json' }));
  h('a', { attrs: { href: url, download: name } }).click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function updateCurl(): void {
  curlText.textContent = lastReport
    ? `${curlWithFile(serverUrl.value)}\n# system.json: "Download system.json"; "Copy curl" puts the body inline`
    : 'Run first: the curl command reproduces the last run.';
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (or not a secure context): the older way, through a selection.
    const area = h('textarea', { attrs: { readonly: '', style: 'position:fixed;opacity:0' } });
    area.value = text;
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

// Wiring

sampleSelect.addEventListener('change', () => {
  if (isSampleName(sampleSelect.value)) loadSample(sampleSelect.value);
});
filesInput.addEventListener('change', () => {
  void loadFiles([...(filesInput.files ?? [])]).finally(() => (filesInput.value = ''));
});
runButton.addEventListener('click', requestRun);
scaleInput.addEventListener('input', () => {
  scaleValue.textContent = formatScale(readScale());
  if (lastReport) requestRun();
});
serverUrl.addEventListener('input', updateCurl);
explanationPanel.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeExplanation();
});
downloadSolution.addEventListener('click', () => lastReport && download('solution.json', lastReport.solution));
downloadSystem.addEventListener('click', () => lastReport && download('system.json', lastReport.systemData));
copyCurl.addEventListener('click', () => {
  if (!lastReport) return;
  void copyText(curlInline(serverUrl.value, lastReport.systemData)).then((copied) => {
    copyCurl.textContent = copied ? 'Copied' : 'Copy failed';
    setTimeout(() => (copyCurl.textContent = 'Copy curl'), 1500);
  });
});

loadSample('small');
