/** Runs the CLI as a user does (`node --import tsx src/cli/main.ts …`) in a child process. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `stdin`, when given, is written to the command's standard input (then closed). */
export function cli(args: string[], stdin?: string): Promise<CliResult> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
      cwd: repoRoot,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (stdin !== undefined) p.stdin!.end(stdin);
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** The JSON objects of a JSON-lines text (a command's stdout or a file it wrote), one per non-empty line. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jsonLines(text: string): any[] {
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}
