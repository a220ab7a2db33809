import { spawn } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { parseDuration } from '../scenario/load.js';
import type { ExecCommand, FaultActions } from '../scenario/types.js';
import { capTail, redact, render, teamValues, type TeamTarget } from './team-vars.js';
import type { FaultRequest, Plan, RevertResult, TargetAdapter } from './types.js';

/**
 * Faults as commands an organizer writes (a script, kubectl, terraform, a cloud CLI). A command runs
 * without a shell unless the scenario asks for one (`shell:`), in its own process group, with the
 * team's values in the environment, under a deadline after which the whole group is killed. A
 * non-zero exit is a failed injection with its output. Secrets are filled in only when the command
 * runs, and any secret value printed by the command is masked: the handle and output never hold one.
 */

export interface ExecTargetOptions {
  teams: Record<string, TeamTarget>;
  /** Secrets a scenario names as {{secret.NAME}} (from the config or environment, never the scenario). */
  secrets?: Record<string, string>;
  /** Where relative `cwd`s are resolved (the scenario's folder). */
  baseDir?: string;
  /** Default deadline per command (30 s). */
  timeoutMs?: number;
  /** Bytes of stdout and of stderr kept, from the end (8 KiB). */
  maxOutputBytes?: number;
  /** Variables of firedrill's own environment passed through; everything else (tokens!) is not. */
  passEnv?: string[];
}

export interface ExecHandle {
  kind: 'exec';
  fault: string;
  team: string;
  /** The team's non-secret values at plan time, so revert runs with the same ones. */
  values: Record<string, string>;
  commands: NonNullable<FaultActions['exec']>;
}

export interface CommandResult {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

const DEFAULT_PASS_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'KUBECONFIG'];
const envName = (k: string) => k.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();

export class ExecTarget implements TargetAdapter {
  readonly kind = 'exec';
  private readonly secrets: Record<string, string>;

  constructor(private readonly o: ExecTargetOptions) {
    this.secrets = o.secrets ?? {};
  }

  private commands(req: FaultRequest) {
    const a = req.actions.exec;
    if (!a) throw new Error(`fault ${req.fault} has no 'exec' action`);
    return a;
  }

  /** The command line for people: secrets stay as {{secret.NAME}}. */
  private display(cmd: ExecCommand, values: Record<string, string>): string {
    if (cmd.shell !== undefined) return `sh -c ${JSON.stringify(render(cmd.shell, values, 'mask'))}`;
    return (cmd.command ?? []).map((a) => render(a, values, 'mask')).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  }

  async plan(req: FaultRequest): Promise<Plan> {
    const commands = this.commands(req);
    if (!this.o.teams[req.team]) throw new Error(`team ${req.team} is not configured for the exec target`);
    const values = teamValues(req.team, req.fault, this.o.teams[req.team]);
    // Rendering now finds a misspelt value or a missing secret before anything runs.
    for (const cmd of [commands.inject, commands.revert, commands.check]) if (cmd) this.argv(cmd, values);
    const handle: ExecHandle = { kind: 'exec', fault: req.fault, team: req.team, values, commands };
    return { summary: `run ${this.display(commands.inject, values)} (revert: ${this.display(commands.revert, values)})`, handle };
  }

  private argv(cmd: ExecCommand, values: Record<string, string>): { file: string; args: string[]; env: Record<string, string> } {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(cmd.env ?? {})) env[k] = render(v, values, this.secrets);
    if (cmd.shell !== undefined) return { file: '/bin/sh', args: ['-c', render(cmd.shell, values, this.secrets)], env };
    const [file, ...args] = (cmd.command ?? []).map((a) => render(a, values, this.secrets));
    if (!file) throw new Error('an exec command needs a program');
    return { file, args, env };
  }

  /** Run one command to completion or its deadline; never throws for a non-zero exit. */
  async run(cmd: ExecCommand, values: Record<string, string>): Promise<CommandResult> {
    const { file, args, env: extra } = this.argv(cmd, values);
    const env: Record<string, string> = {};
    for (const k of this.o.passEnv ?? DEFAULT_PASS_ENV) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    env.FIREDRILL_TEAM = values.team ?? '';
    env.FIREDRILL_FAULT = values.fault ?? '';
    env.FIREDRILL_NAMESPACE = values.namespace ?? '';
    env.FIREDRILL_PUBLIC_URL = values.publicUrl ?? '';
    for (const [k, v] of Object.entries(values)) if (k.startsWith('vars.')) env[`FIREDRILL_VAR_${envName(k.slice(5))}`] = v;
    Object.assign(env, extra);
    const cwd = cmd.cwd === undefined ? this.o.baseDir : isAbsolute(cmd.cwd) ? cmd.cwd : resolve(this.o.baseDir ?? process.cwd(), cmd.cwd);
    const timeoutMs = cmd.timeout ? parseDuration(cmd.timeout) : (this.o.timeoutMs ?? 30_000);
    const max = this.o.maxOutputBytes ?? 8192;

    return new Promise<CommandResult>((done) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let timedOut = false;
      // Its own process group (detached), so a timeout kills the command and everything it started.
      const child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (bufs: Buffer[], chunk: Buffer, len: number) => {
        bufs.push(chunk);
        len += chunk.length;
        while (len - (bufs[0]?.length ?? 0) > max * 2 && bufs.length > 1) len -= bufs.shift()!.length;
        return len;
      };
      child.stdout.on('data', (c: Buffer) => (outLen = keep(out, c, outLen)));
      child.stderr.on('data', (c: Buffer) => (errLen = keep(err, c, errLen)));
      const killGroup = (sig: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, sig);
        } catch {
          /* already gone */
        }
      };
      let hard: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        hard = setTimeout(() => killGroup('SIGKILL'), 2000);
      }, timeoutMs);
      let finished = false;
      const finish = (code: number | null, signal: string | null, spawnError?: Error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (hard) clearTimeout(hard);
        if (timedOut) killGroup('SIGKILL'); // what the group left behind
        const text = (b: Buffer[]) => redact(capTail(Buffer.concat(b).toString('utf8'), max), this.secrets);
        done({ code, signal, timedOut, stdout: text(out), stderr: spawnError ? `${spawnError.message}\n${text(err)}`.trim() : text(err) });
      };
      child.on('error', (e) => finish(null, null, e));
      // 'close' waits for the pipes; after a kill a grandchild may hold them, so 'exit' then a short drain.
      child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), timedOut ? 50 : 200).unref());
      child.on('close', (code, signal) => finish(code, signal));
    });
  }

  private failure(what: string, cmd: ExecCommand, values: Record<string, string>, r: CommandResult): Error {
    const why = r.timedOut ? `did not finish within ${cmd.timeout ?? `${(this.o.timeoutMs ?? 30_000) / 1000}s`} (process group killed)` : r.code === null ? `failed: ${r.signal ?? 'could not start'}` : `exited with ${r.code}`;
    const output = [r.stderr && `stderr: ${capTail(r.stderr, 500)}`, r.stdout && `stdout: ${capTail(r.stdout, 300)}`].filter(Boolean).join(' | ');
    return new Error(`${what} \`${this.display(cmd, values)}\` ${why}${output ? `: ${output}` : ''}`);
  }

  async inject(req: FaultRequest, handle: unknown): Promise<void> {
    await this.injectWithDetail(req, handle);
  }

  /** inject, with the command's (capped, masked) output. */
  async injectWithDetail(_req: FaultRequest, handle: unknown): Promise<{ detail: string; result: CommandResult }> {
    const h = parseHandle(handle);
    const r = await this.run(h.commands.inject, h.values);
    if (r.code !== 0) throw this.failure('inject', h.commands.inject, h.values, r);
    return { detail: [r.stdout, r.stderr].filter(Boolean).join('\n') || 'done', result: r };
  }

  async revert(_team: string, handle: unknown): Promise<RevertResult> {
    const h = parseHandle(handle);
    // With a check, revert runs only while the fault holds, so a team's own fix is not undone.
    if (h.commands.check) {
      const c = await this.run(h.commands.check, h.values);
      if (c.timedOut) throw this.failure('check', h.commands.check, h.values, c);
      if (c.code !== 0) return { changed: false, detail: `the check says the fault no longer holds: revert not run${c.stdout ? ` (${capTail(c.stdout, 300)})` : ''}` };
    }
    const r = await this.run(h.commands.revert, h.values);
    if (r.code !== 0) throw this.failure('revert', h.commands.revert, h.values, r);
    return { changed: true, detail: `ran ${this.display(h.commands.revert, h.values)}${r.stdout ? `: ${capTail(r.stdout, 600)}` : ''}` };
  }

  /** With a check command: exit 0 = the fault still holds. Without one the adapter cannot tell, and says it holds. */
  async inPlace(_team: string, handle: unknown): Promise<boolean> {
    const h = parseHandle(handle);
    if (!h.commands.check) return true;
    const c = await this.run(h.commands.check, h.values);
    if (c.timedOut) throw this.failure('check', h.commands.check, h.values, c);
    return c.code === 0;
  }

  publicUrl(team: string): string | undefined {
    return this.o.teams[team]?.publicUrl;
  }
}

function parseHandle(handle: unknown): ExecHandle {
  const h = handle as ExecHandle | null;
  if (!h || h.kind !== 'exec' || typeof h.values !== 'object' || !h.commands?.inject || !h.commands.revert) throw new Error('not a handle of the exec target');
  return h;
}
