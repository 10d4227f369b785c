/**
 * `pharos ml <command>`: evaluation commands of the ML libraries (anomaly detection,
 * forecasting, log patterns), each in its own file. A command parses its own flags and returns
 * the process exit code; `--json` makes it print one JSON document instead of a table.
 */
import { evalForecastCommand } from './eval-forecast-command.js';
import { evalLoghubCommand } from './eval-loghub-command.js';

export interface MlCommand {
  /** One line for the usage text. */
  readonly summary: string;
  run(argv: readonly string[]): Promise<number>;
}

// Each evaluation command registers here (one line each).
const COMMANDS: Readonly<Record<string, MlCommand>> = {
  'eval-forecast': evalForecastCommand,
  'eval-loghub': evalLoghubCommand,
};

export function mlUsage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ml ${name.padEnd(16)} ${c.summary}`);
  return lines.join('\n');
}

export async function runMlCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    const known = Object.keys(COMMANDS).join(', ') || 'none yet';
    process.stderr.write(`pharos ml: ${name === undefined ? 'missing command' : `unknown command "${name}"`} (known: ${known})\n`);
    return 2;
  }
  return command.run(rest);
}
