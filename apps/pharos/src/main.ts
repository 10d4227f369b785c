import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, configReferenceMarkdown, loadConfig, type PharosConfig } from '#pharos/config';
import { ALL_ROLES, ROLES, RoleSelectionError, selectRoles } from './module-table.js';
import { mlUsage, runMlCli } from './ml/ml-cli.js';
import { startPlatform } from './platform.js';
import { PHAROS_VERSION } from './version.js';

const USAGE = `Usage: pharos <command> [flags]

Commands:
  start               run Pharos (every role in one process unless --only is given)
  check-config        validate the configuration and print the effective values
  config-reference    print the configuration reference (Markdown)
  version             print the version
  ml <command>        evaluate the ML libraries (see below)

Flags:
  --config <file>         YAML configuration (default: ./pharos.yaml when present; env PHAROS_CONFIG)
  --only <roles>          comma-separated roles: ${ALL_ROLES.join(', ')} (default: all)
  --http-port <port>      HTTP port for every API (default 9900)
  --http-address <addr>   HTTP listen address (default 0.0.0.0)
  --data-dir <dir>        data directory (default ./data)
  --stream <url>          embedded | kafka://host:port
  --auth                  require API keys (tenant from the key)
  --log-level <level>     debug | info | warn | error

Roles:
${Object.entries(ROLES)
  .map(([name, r]) => `  ${name.padEnd(12)} needs ${r.needs.join(', ').padEnd(22)} ${r.doc}`)
  .join('\n')}
`;

/** Entry point of the `pharos` command; returns the process exit code (or never, for start). */
export async function main(argv: readonly string[]): Promise<number> {
  // ML commands take flags of their own, so they are routed before the platform flags are parsed.
  if (argv[0] === 'ml') return runMlCli(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        only: { type: 'string' },
        'http-port': { type: 'string' },
        'http-address': { type: 'string' },
        'data-dir': { type: 'string' },
        stream: { type: 'string' },
        auth: { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`pharos: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\nML commands:\n${mlUsage()}\n`);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  if (rest.length > 0) {
    process.stderr.write(`pharos: unexpected argument "${rest[0]}"\n`);
    return 2;
  }

  switch (command) {
    case 'version':
      process.stdout.write(`pharos ${PHAROS_VERSION} (node ${process.version})\n`);
      return 0;
    case 'config-reference':
      process.stdout.write(configReferenceMarkdown() + '\n');
      return 0;
    case 'check-config':
    case 'start': {
      const config = readConfig(parsed.values);
      if (!config) return 1;
      let roles;
      try {
        roles = selectRoles(parsed.values.only?.split(',').map((r) => r.trim()), config.stream.url);
      } catch (err) {
        if (err instanceof RoleSelectionError) {
          process.stderr.write(`pharos: ${err.message}\n`);
          return 1;
        }
        throw err;
      }
      if (command === 'check-config') {
        process.stdout.write(`configuration is valid; roles: ${roles.join(', ')}\n${JSON.stringify(redact(config), null, 2)}\n`);
        return 0;
      }
      return run(config, roles);
    }
    default:
      process.stderr.write(`pharos: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function readConfig(values: Record<string, string | boolean | undefined>): PharosConfig | undefined {
  const explicit = (values.config as string | undefined) ?? process.env.PHAROS_CONFIG;
  const file = explicit ?? (existsSync('pharos.yaml') ? 'pharos.yaml' : undefined);
  try {
    return loadConfig({ ...(file ? { file } : {}), env: process.env, flags: values });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pharos: ${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

/** The configuration as check-config prints it: no key hashes, passwords or URL credentials. */
function redact(config: PharosConfig): unknown {
  return {
    ...config,
    metadata: { ...config.metadata, url: redactUrlPassword(config.metadata.url) },
    stream: { ...config.stream, url: redactUrlPassword(config.stream.url) },
    auth: {
      ...config.auth,
      keys: config.auth.keys.map((k) => ({ name: k.name, tenants: k.tenants, sha256: '<redacted>' })),
      initialAdminPassword: config.auth.initialAdminPassword === '' ? '' : '<redacted>',
    },
  };
}

function redactUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = 'redacted';
    return u.toString();
  } catch {
    return url;
  }
}

async function run(config: PharosConfig, roles: Parameters<typeof startPlatform>[1]): Promise<number> {
  const platform = await startPlatform(config, roles);
  const stop = (signal: string) => {
    platform.logger.info({ signal }, 'signal received');
    const deadline = setTimeout(() => {
      platform.logger.error({ timeoutMs: config.server.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.server.shutdownTimeoutMs);
    deadline.unref();
    platform.close().then(
      () => process.exit(0),
      (err: unknown) => {
        platform.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return new Promise<number>(() => undefined);
}
