/**
 * `webchat-gateway secrets status|rotate`: the master keys that encrypt stored site credentials and
 * browser sessions (docs/secrets.md), against the data dir and the store (SQLite or DATABASE_URL).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.ts';
import { createLogger } from '../../core/logger.ts';
import {
  type RotationCounts,
  rotateSecrets,
  type SecretsTally,
  secretsStatus,
} from '../../secrets/rotate-secrets.ts';
import { storeConfigFrom } from '../../store/dialect.ts';
import { openStore } from '../../store/open-store.ts';

export const SECRETS_USAGE = `Usage:
  webchat-gateway secrets status   Key source, key ids, how many stored secrets are under which key
  webchat-gateway secrets rotate   Re-encrypt every stored secret under a new key (stop the gateway first)

With the key file (<dataDir>/secret-keys.json) rotate adds a new key, re-encrypts, and removes the
old keys from the file. With GATEWAY_SECRET_KEY, set the new key there and the old one in
GATEWAY_SECRET_KEY_PREVIOUS, run rotate, then remove GATEWAY_SECRET_KEY_PREVIOUS.

Options:
  -c, --config <file>   Gateway config (for dataDir and databaseUrl; default GATEWAY_CONFIG)
      --data-dir <dir>  Overrides the config's dataDir (default GATEWAY_DATA_DIR or ./data)
  -h, --help            Show this help`;

export interface SecretsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: SecretsIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export function run(argv: string[]): Promise<number> {
  return runSecrets(argv, STDIO, process.env);
}

const counted = (c: RotationCounts) =>
  `${c.reencrypted} re-encrypted, ${c.encrypted} encrypted from plaintext, ${c.unchanged} already current`;
const tallied = (t: SecretsTally) =>
  `${t.total} stored: ${t.current} under the current key, ${t.oldKey} under an older key, ` +
  `${t.unknownKey} under an unknown key, ${t.plaintext} plaintext`;

export async function runSecrets(argv: string[], io: SecretsIo, env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${SECRETS_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (values.help) {
    io.out(SECRETS_USAGE);
    return 0;
  }
  if ((action !== 'status' && action !== 'rotate') || positionals.length > 1) {
    io.err(SECRETS_USAGE);
    return 2;
  }
  try {
    const config = await loadConfig({ path: values.config, env });
    const dataDir = values['data-dir'] ?? config.dataDir;
    const logger = createLogger(env.LOG_LEVEL ?? 'warn', process.stderr);
    const store = await openStore(storeConfigFrom(config.databaseUrl, join(dataDir, 'gateway.sqlite')));
    try {
      const options = { dataDir, db: store.db, env, logger };
      if (action === 'status') {
        const status = await secretsStatus(options);
        io.out(
          status.source === 'none'
            ? `No key yet: ${status.keyFile} is generated on first start (or set GATEWAY_SECRET_KEY).`
            : `Keys from ${status.source === 'env' ? 'GATEWAY_SECRET_KEY' : status.keyFile}: ${status.keyIds.join(', ')} (current ${status.keyIds[0]})`,
        );
        io.out(`site_accounts secrets: ${tallied(status.rows)}`);
        io.out(`browser sessions: ${tallied(status.files)}`);
        return 0;
      }
      const result = await rotateSecrets(options);
      io.out(`Current key: ${result.currentKeyId}`);
      io.out(`site_accounts secrets: ${counted(result.rows)}`);
      io.out(`browser sessions: ${counted(result.files)}`);
      if (result.source === 'file') {
        if (result.keptOldKeys) {
          io.err(
            `${result.changedMeanwhile} row(s) changed during the rotation (is the gateway running?); the old keys stay in the key file. Stop the gateway and run it again.`,
          );
          return 1;
        }
        io.out(
          `Removed the old key(s) ${result.previousKeyIds.join(', ') || '(none)'} from the key file. Back up the key file again now.`,
        );
      } else {
        if (result.previousKeyIds.length > 0)
          io.out(
            `Everything is under GATEWAY_SECRET_KEY now: remove GATEWAY_SECRET_KEY_PREVIOUS (${result.previousKeyIds.join(', ')}).`,
          );
        if (result.leftoverKeyFile)
          io.out(`Delete ${result.leftoverKeyFile}: its keys are no longer needed.`);
      }
      return 0;
    } finally {
      await store.close();
    }
  } catch (error) {
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
