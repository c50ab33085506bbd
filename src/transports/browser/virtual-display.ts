import { type ChildProcess, spawn } from 'node:child_process';

export interface VirtualDisplay {
  /** Value for DISPLAY, e.g. ":99". */
  readonly display: string;
  close(): Promise<void>;
}

/**
 * Starts an Xvfb server so a headful Chromium can run on a machine without a screen. Xvfb picks a
 * free display number itself and reports it on a pipe (`-displayfd`), so two gateways never collide.
 */
export async function startVirtualDisplay(
  options: { screen?: string; timeoutMs?: number; command?: string } = {},
): Promise<VirtualDisplay> {
  const command = options.command ?? 'Xvfb';
  const child = spawn(
    command,
    ['-displayfd', '3', '-screen', '0', options.screen ?? '1366x768x24', '-nolisten', 'tcp'],
    {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    },
  );
  const number = await readDisplayNumber(child, options.timeoutMs ?? 10_000, command);
  return {
    display: `:${number}`,
    close: () => stopChild(child),
  };
}

function readDisplayNumber(child: ChildProcess, timeoutMs: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let stderr = '';
    const fail = (message: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}${stderr ? `: ${stderr.trim().slice(0, 500)}` : ''}`));
    };
    const timer = setTimeout(
      () => fail(`${command} did not report a display within ${timeoutMs} ms`),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('error', (error) =>
      fail(`Could not start ${command} (Debian: \`apt-get install xvfb\`): ${(error as Error).message}`),
    );
    child.once('exit', (code) => fail(`${command} exited with code ${code}`));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
