// The playground page: loads the llmstream package from this origin (no bundler, no CDN), makes
// the stream panels, and wires the global buttons and keyboard shortcuts.

import { loadRelays } from './connection.js';
import { Panel } from './panel.js';
import { transformsAvailable } from './transforms.js';

const status = document.getElementById('status');
const panelsEl = document.getElementById('panels');
/** @type {Panel[]} */
const panels = [];
let nextPanel = 1;
let llm = null;
/** The package's generated table (provider and API lists), shared with the C++. */
let abi = null;
let fixtures = [];
/** Which providers this server relays ("via server"): connection.js. */
let relays = {};

function announce(text) {
  status.textContent = text;
}

async function loadFixtures() {
  try {
    const res = await fetch('/_llmstream/fixtures');
    return res.ok ? await res.json() : [];
  } catch {
    return [];
  }
}

function addPanel(settings) {
  const panel = new Panel(nextPanel++, { llm, abi, fixtures, relays, announce, onRemove: removePanel });
  panelsEl.append(panel.root);
  panel.init(settings);
  panels.push(panel);
  updateRemoveButtons();
  return panel;
}

function removePanel(panel) {
  if (panels.length <= 1) return;
  panel.stop();
  panel.resizeObserver?.disconnect();
  const i = panels.indexOf(panel);
  panels.splice(i, 1);
  panel.root.remove();
  updateRemoveButtons();
  panels[Math.min(i, panels.length - 1)].focusPrompt();
  announce(`Panel ${panel.n} removed`);
}

function updateRemoveButtons() {
  for (const p of panels) p.el.remove.disabled = panels.length <= 1;
}

/** The panel that holds the focus (else the first one). */
function focusedPanel() {
  const section = document.activeElement?.closest?.('[data-testid=panel]');
  return panels.find((p) => p.root === section) ?? panels[0];
}

function generateAll() {
  for (const p of panels) p.generate();
}

function stopAll() {
  for (const p of panels) p.stop();
}

function setUpTransforms(error) {
  const note = document.getElementById('transforms-note');
  if (transformsAvailable(llm)) return;
  for (const input of document.querySelectorAll('#transforms input')) input.disabled = true;
  note.hidden = false;
  note.textContent = `The package's transforms module did not load (${error?.message ?? error}): streams are shown unchanged, as plain text.`;
}

async function main() {
  let transformsError = null;
  try {
    const pkg = await import('/npm/src/index.js');
    abi = await import('/npm/dist/core/abi.js');
    await pkg.APILoader.preload();
    llm = { ...pkg };
    // The transforms (pipe, safeMarkdown, renderSafeMarkdown...) run in a second wasm module.
    try {
      await pkg.loadTransforms();
    } catch (error) {
      transformsError = error;
      for (const name of ['pipe', 'safeMarkdown', 'renderSafeMarkdown']) llm[name] = undefined;
    }
  } catch (error) {
    announce(`Could not load the llmstream package or its wasm core: ${error?.message ?? error}`);
    document.body.dataset.ready = 'error';
    return;
  }
  [fixtures, relays] = await Promise.all([loadFixtures(), loadRelays()]);
  setUpTransforms(transformsError);
  addPanel({ provider: 'local', model: 'local-echo' });
  addPanel({ provider: 'local', model: 'local-fast' });

  document.getElementById('add-panel').addEventListener('click', () => {
    const p = addPanel({ provider: 'local', model: 'local-echo' });
    p.focusPrompt();
    announce(`Panel ${p.n} added`);
  });
  document.getElementById('generate-all').addEventListener('click', generateAll);
  document.getElementById('stop-all').addEventListener('click', stopAll);
  document.getElementById('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    panels[0]?.focusPrompt();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      focusedPanel()?.generate();
    } else if (e.key === 'Escape' && panels.some((p) => p.running)) {
      e.preventDefault();
      stopAll();
    }
  });
  announce(`Ready: llmstream ${llm.VERSION}, ${fixtures.length} fixtures. Ctrl/Cmd+Enter generates, Escape stops.`);
  document.body.dataset.ready = 'true';
}

main();
