/**
 * The playground page: a SystemData document in an editor, the optimizer's flags, and the
 * results of running the core (in a worker) on it: allocations table, charts and exports.
 *
 * One run at a time, and results always belong to the document shown: every run has a worker
 * of its own, and a new run, another document or an edit terminates the run in flight, so that
 * a superseded run can never answer. The worker of the run on the page stays, to explain its
 * servers and export its input and solution when asked.
 */
import type { OptimizerSpec, SaturationPolicy, ServerExplanation } from '../src/core/index.js';
import { MAX_MILP_ITERATIONS } from '../src/core/limits.js';
import { isSampleName, SAMPLES, type SampleName } from '../src/samples/index.js';
import { capacityChart, costChart, headroomChart } from './charts.js';
import { curlInline, curlWithFile, serverUrlFor } from './curl.js';
import { byId, h } from './dom.js';
import { JsonEditor } from './editor.js';
import { renderExplanation } from './explanation-panel.js';
import { formatCost } from './format.js';
import { elapsedText, progressText } from './progress.js';
import type { ExportKind, OptimizerFlags, Problem, RunProgress, RunReport } from './protocol.js';
import { ResultsTable } from './results-table.js';
import { watchScroll } from './scroll-sign.js';
import { renderSolverSummary } from './solver-summary.js';
import { OptimizerWorker } from './worker-client.js';
import './style.css';

/** ms of quiet after an edit before the document is validated again */
const VALIDATE_DELAY = 250;
/** ms of quiet on the what-if slider before it runs: a drag runs once, where it stops */
const SLIDER_DELAY = 150;
/** problems and warnings listed under the editor; the rest are counted */
const LISTED = 100;
const BOOLEAN_FLAGS = ['unlimited', 'heterogeneous', 'milpSolver', 'delayedBestEffort'] as const;

const sampleSelect = byId<HTMLSelectElement>('sample');
const loadFilesButton = byId<HTMLButtonElement>('load-files');
const filesInput = byId<HTMLInputElement>('files');
const docStatus = byId('doc-status');
const problemList = byId('problems');
const warningList = byId('warnings');
const fileNotes = byId('file-notes');
const flagsForm = byId<HTMLFormElement>('flags');
const iterationLimitInput = flagsForm.elements.namedItem('milpIterationLimit') as HTMLInputElement;
const iterationLimitProblem = byId('iteration-limit-problem');
const scaleInput = byId<HTMLInputElement>('scale');
const scaleValue = byId<HTMLOutputElement>('scale-value');
const runButton = byId<HTMLButtonElement>('run');
const busyBox = byId('busy');
const busyStage = byId('busy-stage');
const busyElapsed = byId('busy-elapsed');
const cancelButton = byId<HTMLButtonElement>('cancel');
const runStatus = byId('run-status');
const totalCost = byId('total-cost');
const withinSlo = byId('within-slo');
const counts = byId('counts');
const runWarnings = byId('run-warnings');
const runError = byId('run-error');
const results = byId('results');
const resultsNote = byId('results-note');
const explanationPanel = byId('explanation');
const solverSummary = byId('solver-summary');
const serverUrl = byId<HTMLInputElement>('server-url');
const curlText = byId('curl');
const exportButtons = ['download-report', 'download-solution', 'download-system', 'copy-curl'].map((id) => byId<HTMLButtonElement>(id));
const [downloadReport, downloadSolution, downloadSystem, copyCurl] = exportButtons;

const editor = new JsonEditor(byId('editor'), onEdit);
const table = new ResultsTable(byId<HTMLTableSectionElement>('results-head'), (server, byKeyboard) => void showExplanation(server, byKeyboard));

/** validates the document; replaced when a newer document arrives while it works */
let validator = new OptimizerWorker(showCrash);
let validation = 0;
let validateTimer: ReturnType<typeof setTimeout> | undefined;
let sliderTimer: ReturnType<typeof setTimeout> | undefined;
/** the latest document load; Run waits until the controls have taken its flags */
let loads = 0;
let loading = false;

interface Run {
  worker: OptimizerWorker;
  /** ticks the elapsed time */
  timer: ReturnType<typeof setInterval>;
}
/** the run in flight, if any */
let running: Run | undefined;
/** the run on the page, and its worker */
let shown: { worker: OptimizerWorker; report: RunReport } | undefined;
/** the server whose explanation is shown; kept across runs, so that a what-if updates it */
let explained: string | undefined;
let explanationRequest = 0;

// Documents

function loadDocument(text: string): void {
  cancelRun(false);
  const load = ++loads;
  loading = true;
  docStatus.className = 'doc-status';
  docStatus.textContent = 'Checking the system data…';
  editor.text = text;
  explained = undefined;
  clearResults();
  updateRunButton();
  void validate().then((optimizer) => {
    if (load !== loads) return;
    loading = false;
    if (optimizer) setFlags(optimizer);
    updateRunButton();
    // How many documents have been loaded and checked: what a test waits for.
    docStatus.dataset.loaded = String(load);
  });
}

function loadSample(name: SampleName): void {
  fileNotes.replaceChildren();
  loadDocument(`${JSON.stringify(SAMPLES[name], null, 2)}\n`);
}

/** An edit is another document: the run in flight stops; the results on the page say they are older. */
function onEdit(): void {
  if (running) {
    cancelRun(false);
    announce('Run stopped: the system data changed.');
  }
  clearTimeout(validateTimer);
  validateTimer = setTimeout(() => void validate(), VALIDATE_DELAY);
  if (shown) resultsNote.textContent = 'The system data changed since this run: press Run to update.';
}

/** Validates the document and shows its problems; returns its optimizer flags when valid. */
async function validate(): Promise<OptimizerSpec | undefined> {
  const id = ++validation;
  // A large document takes a while: a newer one stops the validation of an older one.
  if (validator.busy) {
    validator.terminate();
    validator = new OptimizerWorker(showCrash);
  }
  const reply = await validator.send({ type: 'validate', text: editor.text });
  if (reply.type !== 'validated') return undefined;
  if (id === validation) {
    showProblems(reply.problems, reply.warnings);
    // How many edits have been checked and shown: what a test waits for after an edit.
    docStatus.dataset.checked = String(id);
  }
  return reply.optimizer;
}

function showProblems(problems: readonly Problem[], warnings: readonly Problem[]): void {
  editor.showProblems(problems, warnings);
  const valid = problems.length === 0;
  docStatus.className = `doc-status ${valid ? (warnings.length === 0 ? 'ok' : 'warn') : 'bad'}`;
  const problemCount = problems.length === 1 ? 'One problem' : `${problems.length} problems`;
  const warningCount = warnings.length === 1 ? 'one warning' : `${warnings.length} warnings`;
  docStatus.textContent = valid
    ? warnings.length === 0
      ? 'Valid SystemData.'
      : `Valid SystemData, with ${warningCount}: it may not work as written.`
    : `${problemCount} in the system data${warnings.length === 0 ? '' : `, and ${warningCount}`}:`;
  problemList.replaceChildren(...listed(problems, 'problem'));
  warningList.replaceChildren(...listed(warnings, 'warning'));
  // The document is fixed: an error that asked to fix it no longer holds.
  if (valid && runError.dataset.kind === 'document') hideRunError();
}

function listed(items: readonly Problem[], testid: 'problem' | 'warning'): HTMLElement[] {
  const shownItems = items.slice(0, LISTED).map((item) => {
    const button = h('button', { class: 'link', attrs: { type: 'button', 'aria-label': `${testid} at line ${item.line}: go to the line` } }, [`line ${item.line}`]);
    button.addEventListener('click', () => editor.goToLine(item.line));
    return h('li', { data: { testid, line: String(item.line), path: item.path } }, [
      button,
      ' ',
      item.path ? h('code', { text: item.path }) : '',
      item.path ? `: ${item.message}` : item.message,
    ]);
  });
  const more = items.length - shownItems.length;
  return more > 0 ? [...shownItems, h('li', { class: 'more', text: `and ${more} more` })] : shownItems;
}

async function loadFiles(files: readonly File[]): Promise<void> {
  if (files.length === 0) return;
  const loaded = await Promise.all(files.map(async (file) => ({ name: file.name, text: await file.text() })));
  // In the worker: a fleet's file is 9 MB of JSON to read.
  const reply = await validator.send({ type: 'combine', files: loaded, current: editor.text });
  if (reply.type !== 'combined') return;
  const { combined } = reply;
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
  const limit = Number((form.namedItem('milpTimeLimit') as HTMLInputElement).value);
  return {
    unlimited: checked('unlimited'),
    heterogeneous: checked('heterogeneous'),
    milpSolver: checked('milpSolver'),
    delayedBestEffort: checked('delayedBestEffort'),
    saturationPolicy: (form.namedItem('saturationPolicy') as HTMLSelectElement).value as SaturationPolicy,
    // What the schema takes: 0 (the default) to 3600 seconds.
    milpTimeLimit: Number.isFinite(limit) ? Math.min(3600, Math.max(0, limit)) : 0,
    // Run waits until the field is valid (flagsProblem).
    milpIterationLimit: Number(iterationLimitInput.value),
  };
}

/** What is wrong with the flags as the controls set them (a budget the schema refuses), if anything. */
function flagsProblem(): string | undefined {
  const { validity } = iterationLimitInput;
  if (validity.badInput || validity.stepMismatch) return 'milpIterationLimit: must be a whole number';
  if (validity.rangeUnderflow) return 'milpIterationLimit: must not be negative';
  if (validity.rangeOverflow) return `milpIterationLimit: must be at most ${MAX_MILP_ITERATIONS}`;
  return undefined;
}

/** Shows what is wrong with the flags beside the field; Run waits until it is fixed. */
function checkFlags(): void {
  const problem = flagsProblem();
  iterationLimitProblem.hidden = problem === undefined;
  iterationLimitProblem.textContent = problem ?? '';
  iterationLimitInput.setAttribute('aria-invalid', String(problem !== undefined));
  updateRunButton();
}

function setFlags(spec: OptimizerSpec): void {
  const form = flagsForm.elements;
  for (const name of BOOLEAN_FLAGS) (form.namedItem(name) as HTMLInputElement).checked = spec[name];
  (form.namedItem('saturationPolicy') as HTMLSelectElement).value = spec.saturationPolicy;
  (form.namedItem('milpTimeLimit') as HTMLInputElement).value = String(spec.milpTimeLimit);
  iterationLimitInput.value = String(spec.milpIterationLimit);
  checkFlags();
}

/** The slider moves in powers of two, so that ×0.5 and ×2 sit equally far from ×1. */
function readScale(): number {
  return 2 ** Number(scaleInput.value);
}

function formatScale(scale: number): string {
  return String(Number(scale.toFixed(2)));
}

// Runs

function updateRunButton(): void {
  runButton.disabled = running !== undefined || loading || flagsProblem() !== undefined;
}

/** Starts a run of the document as it is; a run in flight is superseded. */
async function startRun(): Promise<void> {
  // The slider may ask while a flag is wrong: the field says what to fix.
  if (flagsProblem() !== undefined) return;
  cancelRun(false);
  clearTimeout(sliderTimer);
  const started = performance.now();
  const run: Run = {
    worker: new OptimizerWorker(showCrash, (progress) => showProgress(run, progress)),
    timer: setInterval(() => (busyElapsed.textContent = elapsedText(performance.now() - started)), 100),
  };
  running = run;
  setBusy(true);
  const flags = readFlags();
  const arrivalScale = readScale();
  announce(`Running ${flags.milpSolver ? 'the MILP solver' : 'the greedy solver'}…`);
  const reply = await run.worker.send({ type: 'run', text: editor.text, flags, arrivalScale });
  // Superseded or cancelled: its worker is gone, and so is anything it computed.
  if (running !== run) return;
  finishRun(run);
  if (reply.type === 'result') {
    shown?.worker.terminate();
    shown = { worker: run.worker, report: reply.report };
    await showReport(shown);
    return;
  }
  run.worker.terminate();
  if (reply.type !== 'failed') return;
  if (reply.problems.length > 0) showProblems(reply.problems, []);
  if (reply.internal) console.error(reply.message);
  // The results of an earlier run stay, saying what they are.
  if (shown) resultsNote.textContent = 'These results are from the last run that succeeded; the run since failed (see above).';
  showRunError(reply.message, reply.problems.length > 0 ? 'document' : 'run');
  results.dataset.status = 'error';
  announce(`Run failed: ${reply.message}`);
}

function finishRun(run: Run): void {
  clearInterval(run.timer);
  running = undefined;
  setBusy(false);
}

/** Stops the run in flight, if any; `byUser`: the Cancel button, which says so. */
function cancelRun(byUser: boolean): void {
  const run = running;
  if (!run) return;
  run.worker.terminate();
  finishRun(run);
  results.dataset.status = shown ? 'done' : 'idle';
  if (byUser) {
    announce('Run cancelled.');
    resultsNote.textContent = shown ? 'Run cancelled: these results are from the run before.' : 'Run cancelled. Press Run to optimize.';
  }
}

function setBusy(busy: boolean): void {
  const cancelHadFocus = document.activeElement === cancelButton;
  busyBox.hidden = !busy;
  results.setAttribute('aria-busy', String(busy));
  updateRunButton();
  if (busy) {
    results.dataset.status = 'running';
    busyStage.textContent = 'Starting…';
    busyElapsed.textContent = elapsedText(0);
    hideRunError();
    // Run is disabled now: a keyboard user lands on Cancel instead of on nothing.
    if (document.activeElement === runButton || document.activeElement === document.body) cancelButton.focus();
  } else if (cancelHadFocus) {
    runButton.focus();
  }
}

function showProgress(run: Run, progress: RunProgress): void {
  if (running === run) busyStage.textContent = progressText(progress);
}

function showRunError(message: string, kind: 'document' | 'run'): void {
  runError.textContent = message;
  runError.dataset.kind = kind;
  runError.hidden = false;
}

function hideRunError(): void {
  runError.hidden = true;
  delete runError.dataset.kind;
}

function showCrash(message: string): void {
  showRunError(message, 'run');
}

/** Says `message` to screen readers; the page shows the same in its own places. */
function announce(message: string): void {
  runStatus.textContent = message;
}

async function showReport(run: { worker: OptimizerWorker; report: RunReport }): Promise<void> {
  const { report } = run;
  const { counts: c } = report;
  totalCost.textContent = formatCost(report.totalCost);
  withinSlo.textContent = `${c.withinSlo} of ${c.servers}`;
  counts.replaceChildren(...countItems(report));
  runWarnings.replaceChildren(...report.warnings.map((warning) => h('li', { text: warning, data: { testid: 'run-warning' } })));
  await table.setSource(async (query) => {
    const reply = await run.worker.send({ type: 'rows', query });
    return reply.type === 'rows' ? reply.page : undefined;
  }, report.options);
  // Another run, or another document, while the first page came.
  if (shown !== run) return;
  renderSolverSummary(solverSummary, report.summary, report.totalCost, report.milpTimeLimit, report.flags.milpIterationLimit);
  resultsNote.textContent = describeReport(report);
  results.dataset.arrivalScale = String(report.arrivalScale);
  results.classList.remove('empty');
  byId('chart-cost').replaceChildren(costChart(report.types));
  byId('chart-capacity').replaceChildren(capacityChart(report.types, report.flags.unlimited));
  byId('chart-headroom').replaceChildren(headroomChart(report.headroom));
  for (const button of exportButtons) button.disabled = false;
  updateCurl();
  results.dataset.runs = String(Number(results.dataset.runs) + 1);
  results.dataset.status = 'done';
  announce(`Run done: ${c.withinSlo} of ${c.servers} servers within SLO, ${c.bestEffort} best effort, ${c.unallocated} not allocated; total cost ${formatCost(report.totalCost)} cents per hour.`);
  if (explained !== undefined) void showExplanation(explained, false);
}

function describeReport(report: RunReport): string {
  const scale = report.arrivalScale === 1 ? '' : ` at ×${formatScale(report.arrivalScale)} arrival rates`;
  return `${report.counts.servers} servers${scale}, ${report.solver} solver, saturation policy ${report.flags.saturationPolicy}${report.flags.unlimited ? ', unlimited' : ''}.`;
}

/** Best effort and unallocated apart from the servers within SLO; a miss of an allocated server only when there is one. */
function countItems({ counts: c }: RunReport): HTMLElement[] {
  const item = (field: string, count: number, label: string) =>
    h('span', { class: `count ${field}`, data: { field, value: String(count) } }, [h('strong', { text: String(count) }), ` ${label}`]);
  return [
    item('best-effort', c.bestEffort, 'best effort'),
    item('unallocated', c.unallocated, 'not allocated'),
    ...(c.missedSlo > 0 ? [item('missed-slo', c.missedSlo, 'allocated, SLO missed')] : []),
  ];
}

function clearResults(): void {
  if (shown) shown.worker.terminate();
  shown = undefined;
  totalCost.textContent = '–';
  withinSlo.textContent = '–';
  counts.replaceChildren();
  runWarnings.replaceChildren();
  void table.setSource(undefined);
  renderSolverSummary(solverSummary, undefined);
  hideExplanation();
  resultsNote.textContent = 'Press Run to optimize.';
  results.dataset.status = 'idle';
  delete results.dataset.arrivalScale;
  results.classList.add('empty');
  for (const id of ['chart-cost', 'chart-capacity', 'chart-headroom']) byId(id).replaceChildren(h('p', { class: 'chart-empty', text: 'No run yet.' }));
  for (const button of exportButtons) button.disabled = true;
  hideRunError();
  updateCurl();
}

// Explanations, computed by the run's worker when a row is opened

/**
 * Shows the explanation of `server` in the run on the page, or hides the panel when that run
 * has no such server. `byKeyboard`: the panel takes the focus (and comes into view).
 */
async function showExplanation(server: string, byKeyboard: boolean): Promise<void> {
  const request = ++explanationRequest;
  const run = shown;
  if (!run) return;
  explained = server;
  void table.select(server);
  const reply = await run.worker.send({ type: 'explain', server });
  if (request !== explanationRequest || shown !== run) return;
  const explanation: ServerExplanation | null = reply.type === 'explained' ? reply.explanation : null;
  if (!explanation) {
    explained = undefined;
    hideExplanation();
    return;
  }
  renderExplanation(explanationPanel, explanation, closeExplanation);
  explanationPanel.hidden = false;
  if (byKeyboard) explanationPanel.focus();
}

function hideExplanation(): void {
  explanationRequest++;
  explanationPanel.hidden = true;
  explanationPanel.replaceChildren();
  delete explanationPanel.dataset.server;
  delete explanationPanel.dataset.status;
  void table.select(undefined);
}

/** Closed by the user: the focus goes back to the server's row. */
function closeExplanation(): void {
  const server = explained;
  explained = undefined;
  hideExplanation();
  table.focusRow(server);
}

// Exports

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  h('a', { attrs: { href: url, download: name } }).click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The run's own input or solution, as its worker writes it. */
async function exported(what: ExportKind): Promise<string | undefined> {
  const reply = await shown?.worker.send({ type: 'export', what });
  return reply?.type === 'exported' ? reply.text : undefined;
}

function updateCurl(): void {
  curlText.textContent = shown
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
loadFilesButton.addEventListener('click', () => filesInput.click());
filesInput.addEventListener('change', () => {
  void loadFiles([...(filesInput.files ?? [])]).finally(() => (filesInput.value = ''));
});
runButton.addEventListener('click', () => void startRun());
cancelButton.addEventListener('click', () => cancelRun(true));
scaleInput.addEventListener('input', () => {
  const scale = formatScale(readScale());
  scaleValue.textContent = scale;
  scaleInput.setAttribute('aria-valuetext', `arrival rates × ${scale}`);
  if (!shown && !running) return;
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => void startRun(), SLIDER_DELAY);
});
iterationLimitInput.addEventListener('input', checkFlags);
flagsForm.addEventListener('change', () => {
  if (!shown) return;
  const flags = readFlags();
  const { report } = shown;
  const same = (Object.keys(flags) as (keyof OptimizerFlags)[]).every((name) => flags[name] === report.flags[name]);
  resultsNote.textContent = same ? describeReport(report) : 'The flags changed since this run: press Run to update.';
});
serverUrl.addEventListener('input', updateCurl);
explanationPanel.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeExplanation();
});
downloadReport.addEventListener('click', () => void exported('report').then((text) => text && download('report.json', text)));
downloadSolution.addEventListener('click', () => void exported('solution').then((text) => text && download('solution.json', text)));
downloadSystem.addEventListener('click', () => void exported('system').then((text) => text && download('system.json', text)));
copyCurl.addEventListener('click', () => {
  void exported('system').then(async (text) => {
    if (!text) return;
    const copied = await copyText(curlInline(serverUrl.value, JSON.parse(text)));
    copyCurl.textContent = copied ? 'Copied' : 'Copy failed';
    setTimeout(() => (copyCurl.textContent = 'Copy curl'), 1500);
  });
});

// Only the Vite dev server has hot module replacement: it is not the REST server.
serverUrl.value = serverUrlFor(document.baseURI, import.meta.hot !== undefined);
iterationLimitInput.max = String(MAX_MILP_ITERATIONS);
watchScroll(results.querySelector<HTMLElement>('.scroll-box')!);
loadSample('small');
