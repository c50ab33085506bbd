import type { DemoAccountConfig } from '../options.ts';
import { hashPassword, type PasswordHash, verifyPassword } from './passwords.ts';

/** Seeded accounts; only password hashes are kept in memory. */
export class AccountStore {
  private constructor(
    private readonly hashes: ReadonlyMap<string, PasswordHash>,
    // Checked for unknown users too, so a wrong username costs as much time as a wrong password.
    private readonly decoy: PasswordHash,
  ) {}

  static async create(accounts: readonly DemoAccountConfig[]): Promise<AccountStore> {
    const hashes = new Map<string, PasswordHash>();
    for (const account of accounts) hashes.set(account.username, await hashPassword(account.password));
    return new AccountStore(hashes, await hashPassword('decoy'));
  }

  has(username: string): boolean {
    return this.hashes.has(username);
  }

  async verify(username: string, password: string): Promise<boolean> {
    const stored = this.hashes.get(username);
    const ok = await verifyPassword(password, stored ?? this.decoy);
    return ok && stored !== undefined;
  }
}
