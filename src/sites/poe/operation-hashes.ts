import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * Poe's web client sends GraphQL as persisted queries: no query text, only an operation name and the
 * hash the server knows the document by. The hashes rotate (the send mutation changed about every
 * two months), so they live in a data file (`operation-hashes.json`) that a user may replace with
 * a newer copy (config `operationHashesPath`) without waiting for a release.
 */
const Operation = z
  .object({ queryName: z.string().min(1), hash: z.string().regex(/^[0-9a-f]{64}$/) })
  .strict();

export const OperationHashesFile = z
  .object({
    _source: z.string().optional(),
    version: z.string().optional(),
    operations: z.record(z.string(), Operation),
    subscriptions: z
      .array(
        z
          .object({ subscriptionName: z.string().min(1), queryHash: z.string().regex(/^[0-9a-f]{64}$/) })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type OperationHashesFile = z.infer<typeof OperationHashesFile>;

/** The operations the adapter runs, by the stable names used in code. */
export const REQUIRED_OPERATIONS = [
  'SendMessageMutation',
  'SubscriptionsMutation',
  'AvailableBotsSelectorModalPaginationQuery',
  'DeleteChat',
  'StopMessage_messageCancel_Mutation',
  'SettingsPageQuery',
] as const;
export type PoeOperation = (typeof REQUIRED_OPERATIONS)[number];

export interface OperationHashes {
  version: string;
  operation(name: PoeOperation): { queryName: string; hash: string };
  subscriptions: Array<{ subscriptionName: string; query: null; queryHash: string }>;
}

const BUNDLED = new URL('./operation-hashes.json', import.meta.url);

/**
 * The bundled table, with a user file's entries layered over it (a user file may carry only the
 * operations that changed). Throws with the file name when the user file is not valid.
 */
export async function loadOperationHashes(userPath?: string): Promise<OperationHashes> {
  const bundled = OperationHashesFile.parse(JSON.parse(await readFile(BUNDLED, 'utf8')));
  let user: OperationHashesFile | undefined;
  if (userPath) {
    const parsed = OperationHashesFile.safeParse(JSON.parse(await readFile(userPath, 'utf8')));
    if (!parsed.success)
      throw new Error(`Poe operation hashes file ${userPath} is not valid: ${parsed.error.message}`);
    user = parsed.data;
  }
  return mergeOperationHashes(bundled, user);
}

export function mergeOperationHashes(
  bundled: OperationHashesFile,
  user?: OperationHashesFile,
): OperationHashes {
  const operations = { ...bundled.operations, ...(user?.operations ?? {}) };
  for (const name of REQUIRED_OPERATIONS) {
    if (!operations[name]) throw new Error(`Poe operation hashes lack ${name}.`);
  }
  const subscriptions = user?.subscriptions ?? bundled.subscriptions ?? [];
  return {
    version: user?.version ?? bundled.version ?? 'unknown',
    operation: (name) => operations[name]!,
    subscriptions: subscriptions.map((s) => ({
      subscriptionName: s.subscriptionName,
      query: null,
      queryHash: s.queryHash,
    })),
  };
}
