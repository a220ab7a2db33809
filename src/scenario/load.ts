import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { check, closest, formatPath, type Problem, type Segment } from './check.js';
import { ScenarioFile, type ProbeFile } from './schema.js';
import type { ExpectElement, Fault, FaultCheck, HttpExpect, PersonaLine, Probe, ProbeTiming, Range, Scenario, ScoringRules, Text } from './types.js';

/**
 * Load a scenario: YAML (keeping positions) → schema check → semantic checks → normalized
 * `Scenario` with defaults filled and every duration in ms. Every problem reads
 * `FILE:LINE: PATH: message`. Pure except `loadScenario`, which reads the file.
 */

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid scenario:\n  ${problems.join('\n  ')}`);
    this.name = 'ScenarioError';
  }
}

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; problems: string[] };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90s" → 90000; "1.5m" → 90000. Throws on anything else (the schema has checked the form). */
export function parseDuration(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

/** ms → "5m", "90s", "250ms": for messages. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

// --- defaults (design.md, "Scoring"; the brief of issue 3) ---------------------------------------

const t = (en: string, ja: string): Text => ({ en, ja });

export const DEFAULTS = {
  probe: { interval: '5s', timeout: '2s', jitter: '1s', successThreshold: 2, failureThreshold: 2, holdFor: '20s' },
  fault: { weight: 1, alertAfter: '1m', targetRecovery: '20m', grace: '3m', verifyWithin: '60s' },
  game: { duration: '90m', maxInjectAttempts: 2, signOff: true, autoResolveAlerts: false },
  symptom: t('Something is wrong with the service', 'サービスに何らかの問題が発生しています'),
};

export function defaultScoring(): ScoringRules {
  return {
    pointsPerFault: 1000,
    categories: { recovery: 35, detection: 15, communication: 30, review: 20 },
    recovery: { floor: 0.3 },
    detection: {
      alerting: { fullWithinMs: 2 * 60_000, zeroAtMs: 10 * 60_000 },
      silent: { fullWithinMs: 3 * 60_000, zeroAtMs: 15 * 60_000 },
      prematureResolvePenalty: 0.5,
    },
    communication: {
      automaticShare: 0.55,
      firstUpdate: { fullWithinMs: 5 * 60_000, zeroAtMs: 15 * 60_000 },
      ctoAnswer: { fullWithinMs: 2 * 60_000, zeroAtMs: 8 * 60_000 },
      cadenceToleranceMs: 2 * 60_000,
      requiredFields: ['impact', 'currentAction', 'nextUpdateAt'],
      weights: { firstUpdate: 1, cadence: 1, ctoAnswer: 1, requiredFields: 1, resolutionNotice: 1, signOff: 1 },
      rubric: [
        { id: 'accuracy', title: t('Accuracy', '正確さ'), description: t('Updates say what is known, what is not, and are true.', '分かっていること・分かっていないことを正確に伝えている。') },
        { id: 'audience', title: t('Audience fit', '相手に合わせた説明'), description: t('Stakeholders get impact and plans, not jargon.', '関係者には専門用語でなく影響と見通しを伝えている。') },
        { id: 'cto', title: t('Handling the CTO', 'CTOへの対応'), description: t('Answers the CTO promptly and calmly; pushes back on off-target advice.', 'CTOに迅速かつ冷静に答え、的外れな助言には根拠をもって対応している。') },
        { id: 'roles', title: t('Roles', '役割分担'), description: t('Incident Commander, Communications Lead and Ops Lead are clear and kept.', 'インシデントコマンダー・コミュニケーション担当・オペレーション担当が明確で守られている。') },
        { id: 'proactive', title: t('Proactive notification', '先回りした通知'), description: t('Stakeholders hear of the problem from the team before they ask.', '関係者に聞かれる前にチームから知らせている。') },
      ],
    },
    review: {
      rubric: [
        { id: 'timeline', title: t('Timeline', 'タイムライン'), description: t('What happened when, from detection to resolution.', '検知から解決まで、いつ何が起きたか。') },
        { id: 'impact', title: t('Impact', '影響'), description: t('Who was affected, how, and for how long.', '誰が、どのように、どれだけの時間影響を受けたか。') },
        { id: 'root_cause', title: t('Root cause', '根本原因'), description: t('The cause and why it was possible.', '原因と、それが起こり得た理由。') },
        { id: 'reflection', title: t('Went well, got lucky, to improve', 'うまくいったこと・幸運だったこと・改善点'), description: t('What went well, where we got lucky, what to improve.', 'うまくいったこと、運が良かったところ、改善すべきこと。') },
        { id: 'action_items', title: t('Action items', 'アクションアイテム'), description: t('Concrete follow-ups with owners.', '担当者の決まった具体的な再発防止策。') },
      ],
    },
    availability: { points: 500, userWeight: 0.5, slowMs: 2_000 },
    roles: { withinMs: 5 * 60_000, rotation: false, weight: 1, weights: { named: 1, commsLead: 1, rotation: 1 } },
  };
}

// --- positions -----------------------------------------------------------------------------------

/** The line of the node at `path`, or of its nearest parent present in the file. */
function lineOf(doc: Document, lc: LineCounter, path: Segment[]): number {
  let node: unknown = doc.contents;
  let at: number | undefined = (node as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      // The key's line: for a nested mapping or a block scalar, that is where a person looks.
      at = (pair.key as Node | null)?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      at = item.range?.[0] ?? at;
      node = item;
    } else break;
  }
  return at === undefined ? 1 : lc.linePos(at).line;
}

// --- semantic checks (after the schema passed, so the shape is known) -----------------------------

function semanticProblems(f: ScenarioFile): Problem[] {
  const out: Problem[] = [];
  const push = (path: Segment[], message: string) => out.push({ path, message });

  const unique = (items: Array<{ id: string }>, base: Segment[], what: string) => {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const prev = first.get(item.id);
      if (prev !== undefined) push([...base, i, 'id'], `duplicate ${what} id '${item.id}' (first at ${formatPath([...base, prev])})`);
      else first.set(item.id, i);
    });
  };
  unique(f.probes, ['probes'], 'probe');
  unique(f.personas, ['personas'], 'persona');
  unique(f.faults, ['faults'], 'fault');
  if (f.scoring?.communication?.rubric) unique(f.scoring.communication.rubric, ['scoring', 'communication', 'rubric'], 'rubric');
  if (f.scoring?.review?.rubric) unique(f.scoring.review.rubric, ['scoring', 'review', 'rubric'], 'rubric');

  const probeIds = f.probes.map((p) => p.id);
  const personaIds = f.personas.map((p) => p.id);
  const unknown = (what: string, id: string, known: string[]) => {
    const guess = closest(id, known);
    return `unknown ${what} '${id}' (${guess ? `did you mean '${guess}'? ` : ''}known: ${known.join(', ') || 'none'})`;
  };
  const regex = (v: string | undefined, path: Segment[]) => {
    if (v === undefined) return;
    try {
      // Compiled as the probes compile it (no flags), so what passes here runs there.
      new RegExp(v);
    } catch (err) {
      push(path, `not a valid regular expression: ${(err as Error).message.replace(/^.*: /, '')}`);
    }
  };
  const positive = (v: string | undefined, path: Segment[]) => {
    if (v !== undefined && parseDuration(v) <= 0) push(path, 'must be more than 0');
  };
  const range = (r: { fullWithin: string; zeroAt: string } | undefined, path: Segment[]) => {
    if (r && parseDuration(r.fullWithin) >= parseDuration(r.zeroAt)) push(path, `fullWithin (${r.fullWithin}) must be less than zeroAt (${r.zeroAt})`);
  };

  f.probes.forEach((p, i) => {
    for (const k of ['interval', 'timeout'] as const) positive(p[k], ['probes', i, k]);
    if (p.kind === 'browser') regex(p.expect.textNotMatches, ['probes', i, 'expect', 'textNotMatches']);
    if (p.kind !== 'http') return;
    regex(p.expect.bodyMatches, ['probes', i, 'expect', 'bodyMatches']);
    regex(p.expect.bodyNotMatches, ['probes', i, 'expect', 'bodyNotMatches']);
    p.expect.status?.forEach((s, j) => {
      if (typeof s !== 'string') return;
      const [lo, hi] = s.split('-').map(Number);
      if (lo! > hi!) push(['probes', i, 'expect', 'status', j], `range '${s}' runs backwards`);
    });
  });
  for (const k of ['interval', 'timeout'] as const) positive(f.probeDefaults?.[k], ['probeDefaults', k]);

  f.faults.forEach((fault, i) => {
    const at = (...rest: Segment[]) => ['faults', i, ...rest];
    fault.recoveredWhen.forEach((id, j) => {
      if (!probeIds.includes(id)) push(at('recoveredWhen', j), unknown('probe', id, probeIds));
    });
    const { delay, deadline, targetRecovery } = fault.timing;
    if (parseDuration(delay.min) > parseDuration(delay.max)) push(at('timing', 'delay'), `min (${delay.min}) must not be more than max (${delay.max})`);
    positive(deadline, at('timing', 'deadline'));
    if (targetRecovery !== undefined && parseDuration(targetRecovery) > parseDuration(deadline)) {
      push(at('timing', 'targetRecovery'), `must not be more than the deadline (${deadline})`);
    }
    if (targetRecovery === undefined && parseDuration(deadline) < parseDuration(DEFAULTS.fault.targetRecovery)) {
      push(at('timing', 'deadline'), `is shorter than the default targetRecovery (${DEFAULTS.fault.targetRecovery}): set targetRecovery too`);
    }
    actionProblems(fault.inject, at('inject'), push);
    unique(fault.hints ?? [], at('hints'), 'hint');
    fault.personas?.forEach((line, j) => {
      if (!personaIds.includes(line.persona)) push(at('personas', j, 'persona'), unknown('persona', line.persona, personaIds));
      if (line.on === 'no_update' && line.after === undefined) push(at('personas', j, 'after'), "is required for on: no_update (how long without a status update)");
      // Question-only fields on a line that is not a question would silently do nothing.
      const question = line.expectsAnswer !== false && (line.expectsAnswer === true || line.expects !== undefined);
      if (line.expectsAnswer === false && line.expects) push(at('personas', j, 'expects'), 'needs expectsAnswer: true (or leave expectsAnswer out)');
      for (const k of ['answerWithin', 'followUps', 'escalation'] as const) {
        if (!question && line[k] !== undefined) push(at('personas', j, k), 'is only for a question (set expectsAnswer: true or expects)');
      }
      line.expects?.forEach((e, k) => {
        if (line.expects!.indexOf(e) !== k) push(at('personas', j, 'expects', k), `'${e}' is listed twice`);
      });
      positive(line.answerWithin, at('personas', j, 'answerWithin'));
    });
  });

  const sc = f.scoring;
  range(sc?.detection?.alerting, ['scoring', 'detection', 'alerting']);
  range(sc?.detection?.silent, ['scoring', 'detection', 'silent']);
  range(sc?.communication?.firstUpdate, ['scoring', 'communication', 'firstUpdate']);
  range(sc?.communication?.ctoAnswer, ['scoring', 'communication', 'ctoAnswer']);
  if (sc?.categories) {
    const c = { ...defaultScoring().categories, ...sc.categories };
    if (c.recovery + c.detection + c.communication + c.review <= 0) push(['scoring', 'categories'], 'at least one category must weigh more than 0');
  }
  positive(f.game?.duration, ['game', 'duration']);
  const signer = f.game?.signOffPersona;
  if (signer !== undefined && !personaIds.includes(signer)) push(['game', 'signOffPersona'], unknown('persona', signer, personaIds));
  if (signer !== undefined && f.game?.signOff === false) push(['game', 'signOffPersona'], 'is only for the sign-off (game.signOff is false)');
  const w = sc?.communication?.weights;
  if (w) {
    const all = { ...defaultScoring().communication.weights, ...w };
    if (Object.values(all).every((x) => x <= 0)) push(['scoring', 'communication', 'weights'], 'at least one measure must weigh more than 0');
    if (f.game?.signOff === false && w.signOff !== undefined && w.signOff > 0) push(['scoring', 'communication', 'weights', 'signOff'], 'weighs a sign-off that is off (game.signOff is false)');
  }
  positive(sc?.roles?.within, ['scoring', 'roles', 'within']);
  if (sc?.roles?.weights && Object.values(sc.roles.weights).every((w) => w === 0)) push(['scoring', 'roles', 'weights'], 'at least one roles fact must weigh more than 0 (set scoring.roles.weight: 0 to turn roles off)');
  return out;
}

/** The placeholders a template may use; {{secret.NAME}} only where the adapter keeps secrets out of the log (exec, http). */
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const VARIABLE = /^(team|fault|namespace|publicUrl|vars\.[A-Za-z_][A-Za-z0-9_]*|secret\.[A-Za-z_][A-Za-z0-9_-]*)$/;

function templateProblems(v: unknown, path: Segment[], secrets: boolean, push: (path: Segment[], message: string) => void): void {
  if (typeof v === 'string') {
    for (const m of v.matchAll(PLACEHOLDER)) {
      const name = m[1]!;
      if (!VARIABLE.test(name)) push(path, `unknown placeholder {{${name}}} (use team, fault, namespace, publicUrl, vars.NAME${secrets ? ' or secret.NAME' : ''})`);
      else if (!secrets && name.startsWith('secret.')) push(path, `{{${name}}}: secrets are not allowed here (the value would be recorded in the event log)`);
    }
  } else if (Array.isArray(v)) v.forEach((x, i) => templateProblems(x, [...path, i], secrets, push));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) templateProblems(x, [...path, k], secrets, push);
}

/** What the schema cannot say about a fault's actions. */
function actionProblems(a: ScenarioFile['faults'][number]['inject'], base: Segment[], push: (path: Segment[], message: string) => void): void {
  if (!a.local && !a.kubernetes && !a.exec && !a.http) {
    push(base, 'must have at least one action: local, kubernetes, exec or http');
    return;
  }
  if (a.local && 'change' in a.local && Object.keys(a.local.change.set).length === 0) push([...base, 'local', 'change', 'set'], 'must change at least one field');
  a.kubernetes?.forEach((c, i) => {
    const at = [...base, 'kubernetes', i];
    if (c.action === 'ingress' && Object.keys(c.set).length === 0) push([...at, 'set'], 'must change at least one field');
    if (c.action === 'secret' && Object.keys(c.set).length === 0) push([...at, 'set'], 'must change at least one key');
    // Only the namespace is templated: names are checked by the schema as Kubernetes names.
    templateProblems(c.namespace, [...at, 'namespace'], false, push);
  });
  if (a.exec) {
    for (const k of ['inject', 'revert', 'check'] as const) {
      const cmd = a.exec[k];
      if (!cmd) continue;
      const at = [...base, 'exec', k];
      if ((cmd.command === undefined) === (cmd.shell === undefined)) push(at, 'must have exactly one of: command (a list, run without a shell) or shell (a script)');
      if (cmd.timeout !== undefined && parseDuration(cmd.timeout) <= 0) push([...at, 'timeout'], 'must be more than 0');
      templateProblems(cmd, at, true, push);
    }
  }
  if (a.http) {
    for (const k of ['inject', 'revert', 'check'] as const) {
      const call = a.http[k];
      if (!call) continue;
      const at = [...base, 'http', k];
      if (!/^(https?:\/\/|\{\{)/.test(call.url)) push([...at, 'url'], `must start with http:// or https:// (got '${call.url.slice(0, 40)}')`);
      if (call.timeout !== undefined && parseDuration(call.timeout) <= 0) push([...at, 'timeout'], 'must be more than 0');
      call.expect?.forEach((st, j) => {
        if (typeof st !== 'string') return;
        const [lo, hi] = st.split('-').map(Number);
        if (lo! > hi!) push([...at, 'expect', j], `range '${st}' runs backwards`);
      });
      templateProblems(call, at, true, push);
    }
  }
}

// --- normalization --------------------------------------------------------------------------------

type RangeFile = { fullWithin: string; zeroAt: string };

const ms = parseDuration;
const rangeMs = (r: RangeFile | undefined, d: Range): Range => (r ? { fullWithinMs: ms(r.fullWithin), zeroAtMs: ms(r.zeroAt) } : d);

function probeTiming(p: Partial<Record<keyof typeof DEFAULTS.probe, string | number>>, d: ScenarioFile['probeDefaults']): ProbeTiming {
  const pick = <K extends keyof typeof DEFAULTS.probe>(k: K) => (p[k] ?? d?.[k] ?? DEFAULTS.probe[k]) as (typeof DEFAULTS.probe)[K];
  return {
    intervalMs: ms(pick('interval')),
    timeoutMs: ms(pick('timeout')),
    jitterMs: ms(pick('jitter')),
    successThreshold: pick('successThreshold'),
    failureThreshold: pick('failureThreshold'),
    holdForMs: ms(pick('holdFor')),
  };
}

function normalizeProbe(p: ProbeFile, d: ScenarioFile['probeDefaults']): Probe {
  const timing = probeTiming(p, d);
  switch (p.kind) {
    case 'http': {
      const expect: HttpExpect = {
        status: (p.expect.status ?? ['200-299']).map((s) => {
          if (typeof s === 'number') return s;
          const [lo, hi] = s.split('-').map(Number);
          return [lo!, hi!] as [number, number];
        }),
        ...(p.expect.bodyMatches !== undefined ? { bodyMatches: p.expect.bodyMatches } : {}),
        ...(p.expect.bodyNotMatches !== undefined ? { bodyNotMatches: p.expect.bodyNotMatches } : {}),
        ...(p.expect.json ? { json: p.expect.json } : {}),
        ...(p.expect.maxLatency ? { maxLatencyMs: ms(p.expect.maxLatency) } : {}),
      };
      return {
        ...timing,
        id: p.id,
        kind: 'http',
        path: p.path,
        method: p.method ?? 'GET',
        headers: p.headers ?? {},
        ...(p.body !== undefined ? { body: p.body } : {}),
        expect,
      };
    }
    case 'tcp':
      return { ...timing, id: p.id, kind: 'tcp', endpoint: p.endpoint ?? 'ingress' };
    case 'canary':
      return { ...timing, id: p.id, kind: 'canary', writePath: p.writePath, readPath: p.readPath, room: p.room, text: p.text };
    case 'browser':
      return {
        ...timing,
        // A page load and render takes longer than an HTTP check: own defaults unless the probe sets them.
        ...(p.interval === undefined ? { intervalMs: Math.max(timing.intervalMs, 30_000) } : {}),
        ...(p.timeout === undefined ? { timeoutMs: Math.max(timing.timeoutMs, 15_000) } : {}),
        id: p.id,
        kind: 'browser',
        path: p.path,
        waitFor: p.waitFor,
        ...(p.within !== undefined ? { within: p.within } : {}),
        expect: { textIncludes: p.expect.textIncludes ?? [], ...(p.expect.textNotMatches !== undefined ? { textNotMatches: p.expect.textNotMatches } : {}) },
      };
  }
}

/**
 * A fault's check with its settings. `release-not-bad` without `bad` marks bad what the fault
 * itself rolls out (the local rollout's version, the kubernetes image), so the lesson needs no repeating.
 */
function faultCheck(c: NonNullable<ScenarioFile['faults'][number]['check']>, inject: ScenarioFile['faults'][number]['inject']): FaultCheck {
  const spec: FaultCheck = typeof c === 'string' ? { id: c } : { id: c.id, ...(c.component ? { component: c.component } : {}), ...(c.bad ? { bad: c.bad } : {}) };
  if (spec.id === 'release-not-bad' && !spec.bad) {
    const rollout = inject.local && 'rollout' in inject.local ? inject.local.rollout : undefined;
    const images = (inject.kubernetes ?? []).flatMap((k) => (k.action === 'image' ? [{ component: k.deployment, image: k.image }] : []));
    spec.bad = [...(rollout ? [rollout.version] : []), ...images.map((i) => i.image)];
    if (!spec.component) {
      const component = rollout?.component ?? images[0]?.component;
      if (component) spec.component = component;
    }
  }
  return spec;
}

function normalize(f: ScenarioFile, text: string, file: string): Scenario {
  const game = f.game ?? {};
  const abs = resolve(file);
  const faults: Fault[] = f.faults.map((fault, index) => ({
    id: fault.id,
    index,
    title: fault.title,
    symptom: fault.symptom ?? DEFAULTS.symptom,
    briefing: fault.briefing,
    weight: fault.weight ?? DEFAULTS.fault.weight,
    alerting: fault.alerting,
    alertAfterMs: ms(fault.alertAfter ?? DEFAULTS.fault.alertAfter),
    timing: {
      delayMinMs: ms(fault.timing.delay.min),
      delayMaxMs: ms(fault.timing.delay.max),
      deadlineMs: ms(fault.timing.deadline),
      targetRecoveryMs: ms(fault.timing.targetRecovery ?? DEFAULTS.fault.targetRecovery),
      graceMs: ms(fault.timing.grace ?? game.grace ?? DEFAULTS.fault.grace),
      verifyWithinMs: ms(fault.timing.verifyWithin ?? game.verifyWithin ?? DEFAULTS.fault.verifyWithin),
    },
    inject: fault.inject,
    recoveredWhen: fault.recoveredWhen,
    ...(fault.check ? { check: faultCheck(fault.check, fault.inject) } : {}),
    hints: (fault.hints ?? []).map((h) => ({ id: h.id, text: h.text, cost: h.cost })),
    personas: (fault.personas ?? []).map((l): PersonaLine => {
      const expects = (l.expects ?? []) as ExpectElement[];
      return {
        persona: l.persona,
        on: l.on as PersonaLine['on'],
        afterMs: l.after ? ms(l.after) : 0,
        channel: l.channel ?? 'incident',
        text: l.text,
        expectsAnswer: l.expectsAnswer ?? expects.length > 0,
        expects,
        // Past zeroAt the latency share is zero anyway: the default window ends there.
        answerWithinMs: l.answerWithin ? ms(l.answerWithin) : (f.scoring?.communication?.ctoAnswer ? ms(f.scoring.communication.ctoAnswer.zeroAt) : defaultScoring().communication.ctoAnswer.zeroAtMs),
        followUps: { max: l.followUps?.max ?? (expects.length > 0 ? 1 : 0), lines: l.followUps?.lines ?? [] },
        ...(l.escalation ? { escalation: l.escalation } : {}),
      };
    }),
  }));

  const d = defaultScoring();
  const s = f.scoring ?? {};
  const scoring: ScoringRules = {
    pointsPerFault: s.pointsPerFault ?? d.pointsPerFault,
    categories: { ...d.categories, ...s.categories },
    recovery: { floor: s.recovery?.floor ?? d.recovery.floor },
    detection: {
      alerting: rangeMs(s.detection?.alerting, d.detection.alerting),
      silent: rangeMs(s.detection?.silent, d.detection.silent),
      prematureResolvePenalty: s.detection?.prematureResolvePenalty ?? d.detection.prematureResolvePenalty,
    },
    communication: {
      automaticShare: s.communication?.automaticShare ?? d.communication.automaticShare,
      firstUpdate: rangeMs(s.communication?.firstUpdate, d.communication.firstUpdate),
      ctoAnswer: rangeMs(s.communication?.ctoAnswer, d.communication.ctoAnswer),
      cadenceToleranceMs: s.communication?.cadenceTolerance ? ms(s.communication.cadenceTolerance) : d.communication.cadenceToleranceMs,
      requiredFields: s.communication?.requiredFields ?? d.communication.requiredFields,
      rubric: s.communication?.rubric ?? d.communication.rubric,
      weights: { ...d.communication.weights, ...s.communication?.weights },
    },
    review: { rubric: s.review?.rubric ?? d.review.rubric },
    roles: {
      withinMs: s.roles?.within ? ms(s.roles.within) : d.roles!.withinMs,
      rotation: s.roles?.rotation ?? d.roles!.rotation,
      weight: s.roles?.weight ?? d.roles!.weight,
      weights: { ...d.roles!.weights, ...s.roles?.weights },
    },
    availability: {
      points: s.availability?.points ?? d.availability.points,
      userWeight: s.availability?.userWeight ?? d.availability.userWeight,
      slowMs: s.availability?.slow ? ms(s.availability.slow) : d.availability.slowMs,
    },
  };

  return {
    name: f.name,
    title: f.title,
    description: f.description,
    service: {
      description: f.service.description,
      // Resolved against the scenario's folder, so readers need not know where the file was.
      ...(f.service.platform !== undefined ? { platform: isAbsolute(f.service.platform) ? f.service.platform : resolve(dirname(abs), f.service.platform) } : {}),
    },
    game: {
      durationMs: ms(game.duration ?? DEFAULTS.game.duration),
      maxInjectAttempts: game.maxInjectAttempts ?? DEFAULTS.game.maxInjectAttempts,
      signOff: game.signOff ?? DEFAULTS.game.signOff,
      signOffPersona: game.signOffPersona ?? null,
      autoResolveAlerts: game.autoResolveAlerts ?? DEFAULTS.game.autoResolveAlerts,
    },
    probes: f.probes.map((p) => normalizeProbe(p, f.probeDefaults)),
    personas: f.personas.map((p) => ({ id: p.id, name: p.name, role: p.role, ...(p.style ? { style: p.style } : {}) })),
    faults,
    scoring,
    hash: createHash('sha256').update(text).digest('hex'),
    file: abs,
  };
}

// --- entry points -----------------------------------------------------------------------------------

/** Check and normalize a scenario's text; `file` only names it in messages (and resolves `service.platform`). */
export function parseScenario(text: string, file: string): ParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    // Only the first: what follows a syntax error is mostly the parser's confusion about it.
    const e = doc.errors[0]!;
    return { ok: false, problems: [`${file}:${e.linePos?.[0]?.line ?? 1}: yaml: ${e.message.split(/ at line \d+/)[0]}`] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    return { ok: false, problems: [`${file}:1: yaml: ${(err as Error).message}`] };
  }
  const format = (ps: Problem[]) =>
    ps
      .map((p) => ({ line: lineOf(doc, lc, p.path), text: `${formatPath(p.path)}: ${p.message}` }))
      .sort((a, b) => a.line - b.line)
      .map((p) => `${file}:${p.line}: ${p.text}`);

  const shape = check(ScenarioFile as never, data);
  if (shape.length) return { ok: false, problems: format(shape) };
  const f = data as ScenarioFile;
  const meaning = semanticProblems(f);
  if (meaning.length) return { ok: false, problems: format(meaning) };
  return { ok: true, scenario: normalize(f, text, file) };
}

/** Read, check and normalize; throws ScenarioError with every problem. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScenarioError([`${file}: cannot read the scenario${code === 'ENOENT' ? ': no such file' : `: ${(err as Error).message}`}`]);
  }
  const r = parseScenario(text, file);
  if (!r.ok) throw new ScenarioError(r.problems);
  return r.scenario;
}

/** The JSON Schema published for editors (challenges/scenario.schema.json), as text. */
export function scenarioJsonSchema(): string {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'firedrill scenario',
    description: 'A firedrill scenario (challenges/<name>/scenario.yaml). Generated from src/scenario/schema.ts by `firedrill schema`.',
    ...JSON.parse(JSON.stringify(ScenarioFile)),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
