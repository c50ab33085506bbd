import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../store/schema.ts';
import { STORAGE_STATE_FILE } from '../transports/browser/storage-state-store.ts';
import { writeFileAtomic } from './atomic-file.ts';
import {
  generateSecretKey,
  keyFileEntry,
  type Keyring,
  loadKeyring,
  readKeyFile,
  SECRET_KEY_FILE,
  writeKeyFile,
} from './master-key.ts';
import { SecretBox } from './secret-box.ts';

/**
 * `secrets rotate` and `secrets status`: every stored secret (the `site_accounts.secrets` column and
 * the browser session files `<dataDir>/browser/<account>/storage-state.json`) re-encrypted under a
 * new current key, or counted by the key it is under. Run it with the gateway stopped: a running
 * gateway keeps the keys it started with.
 */

export interface SecretsStoreOptions {
  /** Holds `secret-keys.json` and `browser/<account>/storage-state.json`. */
  dataDir: string;
  db: Kysely<Database>;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
}

export interface RotationCounts {
  /** Under an older key before, under the current one now. */
  reencrypted: number;
  /** Found in plaintext (written before encryption was on), encrypted now. */
  encrypted: number;
  /** Already under the current key (env rotation run twice, say). */
  unchanged: number;
}

export interface RotateSecretsResult {
  source: 'env' | 'file';
  currentKeyId: string;
  /** Key ids that were in force before. File: removed from the file (unless `keptOldKeys`). */
  previousKeyIds: string[];
  rows: RotationCounts;
  files: RotationCounts;
  /** Rows another process changed during the rotation; the old keys were then kept. Run it again. */
  changedMeanwhile: number;
  keptOldKeys: boolean;
  /** Env source: a key file whose keys still decrypt; delete it once the rotation is done. */
  leftoverKeyFile?: string;
}

interface StoredSecret {
  label: string;
  stored: string;
  plaintext?: string;
  save(box: SecretBox, plaintext: string): Promise<boolean>;
}

async function storedRows(db: Kysely<Database>): Promise<StoredSecret[]> {
  const rows = await db
    .selectFrom('site_accounts')
    .select(['id', 'secrets'])
    .where('secrets', 'is not', null)
    .execute();
  return rows.map(({ id, secrets }) => ({
    label: `site_accounts '${id}'`,
    stored: secrets!,
    save: async (box, plaintext) => {
      // Only if nobody changed it since it was read.
      const result = await db
        .updateTable('site_accounts')
        .set({ secrets: box.encrypt(plaintext) })
        .where('id', '=', id)
        .where('secrets', '=', secrets)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  }));
}

async function storedFiles(dataDir: string): Promise<StoredSecret[]> {
  const root = join(dataDir, 'browser');
  let accounts: string[];
  try {
    accounts = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found: StoredSecret[] = [];
  for (const account of accounts.sort()) {
    const path = join(root, account, STORAGE_STATE_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    found.push({
      label: relative(dataDir, path),
      stored: text.trim(),
      save: async (box, plaintext) => {
        await writeFileAtomic(path, box.encrypt(plaintext));
        return true;
      },
    });
  }
  return found;
}

/** Decrypts them all first, so that a value no key opens stops the rotation before anything changed. */
function openAll(secrets: StoredSecret[], box: SecretBox): void {
  const failures: string[] = [];
  for (const secret of secrets) {
    if (!SecretBox.isCiphertext(secret.stored)) {
      secret.plaintext = secret.stored;
      continue;
    }
    try {
      secret.plaintext = box.decrypt(secret.stored);
    } catch (error) {
      failures.push(`${secret.label}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) {
    throw new Error(
      `Nothing was rotated: ${failures.length} stored secret(s) cannot be decrypted with the configured keys.\n${failures.join('\n')}`,
    );
  }
}

async function sealAll(
  secrets: StoredSecret[],
  box: SecretBox,
): Promise<RotationCounts & { missed: number }> {
  const counts = { reencrypted: 0, encrypted: 0, unchanged: 0, missed: 0 };
  for (const secret of secrets) {
    if (box.isCurrent(secret.stored)) {
      counts.unchanged++;
      continue;
    }
    if (!(await secret.save(box, secret.plaintext!))) counts.missed++;
    else if (SecretBox.isCiphertext(secret.stored)) counts.reencrypted++;
    else counts.encrypted++;
  }
  return counts;
}

/**
 * Re-encrypts every stored secret under a new current key. Key file: a new key is added first (so an
 * interruption leaves everything decryptable), then the old keys are removed. Env keys: everything
 * goes under GATEWAY_SECRET_KEY; the caller then drops GATEWAY_SECRET_KEY_PREVIOUS.
 */
export async function rotateSecrets(options: SecretsStoreOptions): Promise<RotateSecretsResult> {
  const { dataDir, db, logger } = options;
  const keyring = await loadKeyring(options);
  const rowSecrets = await storedRows(db);
  const fileSecrets = await storedFiles(dataDir);
  openAll([...rowSecrets, ...fileSecrets], new SecretBox(keyring.keys));

  let box: SecretBox;
  let previousKeyIds: string[];
  if (keyring.source === 'file') {
    const fresh = generateSecretKey();
    const oldEntries = ((await readKeyFile(keyring.file)) ?? []).filter((e) => e.id !== fresh.id);
    // The new key joins the old ones first: interrupted from here on, everything still decrypts.
    await writeKeyFile(keyring.file, [keyFileEntry(fresh), ...oldEntries]);
    box = new SecretBox([fresh, ...keyring.keys]);
    previousKeyIds = keyring.keys.map((k) => k.id);
  } else {
    box = new SecretBox(keyring.keys);
    previousKeyIds = keyring.keys.slice(1).map((k) => k.id);
  }

  const { missed: changedMeanwhile, ...rows } = await sealAll(rowSecrets, box);
  const { missed: _, ...files } = await sealAll(fileSecrets, box);
  // A row rewritten meanwhile by a gateway still on the old keys would be lost with them.
  const keptOldKeys = keyring.source === 'file' && changedMeanwhile > 0;
  if (keyring.source === 'file' && !keptOldKeys) {
    const [current] = (await readKeyFile(keyring.file)) ?? [];
    if (current?.id !== box.currentKeyId) throw new Error(`${keyring.file} changed during the rotation.`);
    await writeKeyFile(keyring.file, [current]);
  }
  const result: RotateSecretsResult = {
    source: keyring.source,
    currentKeyId: box.currentKeyId,
    previousKeyIds,
    rows,
    files,
    changedMeanwhile,
    keptOldKeys,
    leftoverKeyFile: keyring.source === 'env' && keyring.fileExists ? keyring.file : undefined,
  };
  logger.info(
    {
      source: result.source,
      currentKeyId: result.currentKeyId,
      previousKeyIds,
      rows,
      files,
      changedMeanwhile,
    },
    'secrets rotated',
  );
  return result;
}

export interface SecretsTally {
  total: number;
  current: number;
  /** Under a configured older key: `secrets rotate` moves them to the current one. */
  oldKey: number;
  /** Under a key that is not configured: they cannot be decrypted. */
  unknownKey: number;
  plaintext: number;
}

export interface SecretsStatus {
  /** `none`: no GATEWAY_SECRET_KEY and no key file yet (one is generated on first start). */
  source: Keyring['source'] | 'none';
  /** Current first. */
  keyIds: string[];
  keyFile: string;
  rows: SecretsTally;
  files: SecretsTally;
}

function tally(secrets: StoredSecret[], keyIds: string[]): SecretsTally {
  const counts: SecretsTally = { total: secrets.length, current: 0, oldKey: 0, unknownKey: 0, plaintext: 0 };
  for (const { stored } of secrets) {
    const id = SecretBox.keyIdOf(stored);
    if (id === undefined) counts.plaintext++;
    else if (id === keyIds[0]) counts.current++;
    else if (keyIds.includes(id)) counts.oldKey++;
    else counts.unknownKey++;
  }
  return counts;
}

/** Which keys are in force and how many stored secrets are under which; creates no key file. */
export async function secretsStatus(options: SecretsStoreOptions): Promise<SecretsStatus> {
  const env = options.env ?? process.env;
  const keyFile = join(options.dataDir, SECRET_KEY_FILE);
  const none = !env.GATEWAY_SECRET_KEY?.trim() && (await readKeyFile(keyFile)) === undefined;
  const keyring = none ? undefined : await loadKeyring(options);
  const keyIds = keyring?.keys.map((k) => k.id) ?? [];
  return {
    source: keyring?.source ?? 'none',
    keyIds,
    keyFile,
    rows: tally(await storedRows(options.db), keyIds),
    files: tally(await storedFiles(options.dataDir), keyIds),
  };
}
