// Test support: a program run to its end, its output kept (killed after 60 s).

import { spawn } from 'node:child_process';

/**
 * Runs `command` with exactly `env` in `cwd`; resolves to {code, signal, stdout, stderr}.
 * @param {string} command @param {string[]} args @param {NodeJS.ProcessEnv} env @param {string} cwd
 */
export function runProcess(command, args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
