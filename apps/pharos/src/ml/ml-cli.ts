/**
 * `pharos ml <command>`: evaluation commands of the ML libraries (anomaly detection,
 * forecasting, log patterns), each in its own file. A command parses its own flags and returns
 * the process exit code; `--json` makes it print one JSON document instead of a table.
 */
export interface MlCommand {
  run(argv: readonly string[]): Promise<number>;
}

interface MlCommandEntry {
  /** One line for the usage text. */
  readonly summary: string;
  /** Loaded on use, so `pharos start` does not load the ML libraries (nor ONNX Runtime). */
  load(): Promise<MlCommand>;
}

const COMMANDS: Readonly<Record<string, MlCommandEntry>> = {
  'eval-nab': {
    summary: 'score the anomaly detectors on a NAB-layout folder (standard / low FP / low FN)',
    load: async () => (await import('./eval-nab-command.js')).evalNabCommand,
  },
  'eval-forecast': {
    summary: 'rolling-origin forecast evaluation (MASE, interval coverage) on NAB-format series',
    load: async () => (await import('./eval-forecast-command.js')).evalForecastCommand,
  },
  'eval-loghub': {
    summary: 'log-pattern mining on Loghub-2k: grouping accuracy, pairwise F1, parsing accuracy',
    load: async () => (await import('./eval-loghub-command.js')).evalLoghubCommand,
  },
};

export function mlUsage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ml ${name.padEnd(16)} ${c.summary}`);
  return lines.join('\n');
}

export async function runMlCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const entry = name === undefined ? undefined : COMMANDS[name];
  if (!entry) {
    const known = Object.keys(COMMANDS).join(', ');
    process.stderr.write(`pharos ml: ${name === undefined ? 'missing command' : `unknown command "${name}"`} (known: ${known})\n`);
    return 2;
  }
  return (await entry.load()).run(rest);
}
