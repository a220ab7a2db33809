import { execFileSync } from 'node:child_process';

// Child processes (the chat service, the server under kill -9, demo bots) run built JavaScript,
// so every test run builds first; an incremental tsc build takes a few seconds when nothing changed.
export default function setup(): void {
  if (process.env.FIREDRILL_SKIP_BUILD === '1') return;
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
}
