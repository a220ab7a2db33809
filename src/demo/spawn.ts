import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { distRoot } from '../paths.js';
import type { BotTeam } from './bots.js';

export interface BotsHandle {
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Start the demo bots as their own process (built JavaScript): they get the server's URL and the
 * bot teams' tokens over IPC, never on the command line, and exit when the server goes away.
 */
export function spawnBots(url: string, teams: BotTeam[], say: (line: string) => void, pace = 1): BotsHandle {
  const child: ChildProcess = fork(join(distRoot, 'src/demo/bots.js'), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.send({ url, teams, pace });
  const relay = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) if (line.trim()) say(line.replace(/^\[bots\] /, ''));
  };
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
