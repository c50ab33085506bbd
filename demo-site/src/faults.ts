import { z } from 'zod';

const countOrSwitch = z.union([z.boolean(), z.number().int().min(0)]);

/** The body of `POST /__control/faults`; unknown keys are rejected so a typo cannot pass silently. */
export const FaultsSchema = z.strictObject({
  http500: countOrSwitch.optional(),
  midStreamDisconnect: countOrSwitch.optional(),
  stallSeconds: z.number().min(0).max(600).optional(),
  captcha: z.boolean().optional(),
  forceLogout: z.boolean().optional(),
  slowFirstTokenMs: z.number().int().min(0).max(600_000).optional(),
  expireSessions: z.boolean().optional(),
  dropWebSockets: z.boolean().optional(),
});

export type DemoFaults = z.infer<typeof FaultsSchema>;

/** Switches that stay on until replaced; forceLogout, expireSessions and dropWebSockets act once. */
export type StandingFaults = Omit<DemoFaults, 'forceLogout' | 'expireSessions' | 'dropWebSockets'>;

export class FaultState {
  private current: StandingFaults = {};

  /** Replaces every standing switch (`{}` clears them all). */
  replace(faults: DemoFaults): void {
    const { forceLogout: _logout, expireSessions: _expire, dropWebSockets: _drop, ...standing } = faults;
    this.current = standing;
  }

  snapshot(): StandingFaults {
    return { ...this.current };
  }

  get captcha(): boolean {
    return this.current.captcha === true;
  }

  get stallSeconds(): number {
    return this.current.stallSeconds ?? 0;
  }

  get slowFirstTokenMs(): number {
    return this.current.slowFirstTokenMs ?? 0;
  }

  /** True when this request must fail; a count is used up one request at a time. */
  takeHttp500(): boolean {
    return this.take('http500');
  }

  takeMidStreamDisconnect(): boolean {
    return this.take('midStreamDisconnect');
  }

  private take(key: 'http500' | 'midStreamDisconnect'): boolean {
    const value = this.current[key];
    if (value === true) return true;
    if (typeof value === 'number' && value > 0) {
      this.current[key] = value - 1;
      return true;
    }
    return false;
  }
}
