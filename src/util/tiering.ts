import { nodeV8 } from './builtins.js';

// V8 optimises a function (TurboFan) once it has used up an "interrupt
// budget" of bytecode. A command that ends within a few hundred milliseconds
// pays for optimising code it then hardly runs: on Node 20 a first lint of 30
// specs took 327 ms with V8's budget and 272 ms with one 15 times larger (15
// interleaved runs; `node -e 0` took 108 ms). A large folder needs the
// optimised code (10,000 specs: 4.9 s with V8's budget, 5.8 s with the larger
// one), and a warm lint gains nothing while loading node:v8 costs it 4 ms; so
// only a short command that parses a small folder asks for the larger budget.
//
// Only on the V8 these figures come from (Node 20's V8 11). Changing the flag
// while running changes when functions are optimised, never what they compute.

const V8_MAJOR = Number(process.versions.v8.split('.')[0]);
const MEASURED_ON = 11;
const SHORT_BUDGET = 1_000_000;
/** The commands that end in a blink; run, ui, interview and mcp keep V8's budget. */
const SHORT_COMMANDS = new Set(['lint', 'plan', 'export', 'status', 'new', 'init', 'import']);

let asked = false;

/** The rest of this process is a short job: optimise later. */
export function shortJob(command = process.argv[2] ?? ''): void {
  if (asked || V8_MAJOR !== MEASURED_ON || !SHORT_COMMANDS.has(command)) return;
  asked = true;
  nodeV8().setFlagsFromString(`--interrupt-budget=${SHORT_BUDGET}`);
}
