import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { ApiException, AppsV1Api, AuthorizationV1Api, CoreV1Api, NetworkingV1Api, Observable, type ConfigurationOptions, type KubeConfig } from '@kubernetes/client-node';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import type { ExecCommand, Fault, Scenario } from '../scenario/types.js';
import { runCheck as runProbe } from '../probes/kinds.js';
import { BrowserProbes, browserAvailability } from '../probes/browser.js';
import { render as renderTemplate, teamValues, type TeamTarget as AdapterTeam } from '../targets/team-vars.js';
import type { TargetAdapter } from '../targets/types.js';
import { FAULT_LABEL } from '../targets/kubernetes.js';
import { NewRelicTelemetry } from '../telemetry/newrelic.js';
import type { Finding } from './findings.js';

/**
 * `firedrill doctor`: what could go wrong at the event, found before it starts. Each part below
 * reads (or dry-runs) and never changes a team's service: probes are the same single requests the
 * game sends, kubernetes writes are `dryRun=All`, exec commands are looked up (`command -v`), not run,
 * and webhook endpoints get a HEAD, never their POST.
 */

/** The slice of the configuration doctor reads (src/config.ts's Config fits it). */
export interface DoctorConfig {
  scenario: string;
  teams: Array<{ id: string; name: string; pagerduty?: { serviceId: string; routingKey: string }; target?: { kind: 'kubernetes' | 'exec' | 'http'; publicUrl: string; namespace?: string; namespaces?: string[]; vars?: Record<string, string> } }>;
  pagerduty?: { apiToken: string; from: string; webhookSecrets: string[]; apiUrl?: string };
  newrelic?: { apiKey: string; region: 'us' | 'eu'; host?: string };
  publicUrl?: string;
  secrets: Record<string, string>;
}

export interface DoctorDeps {
  /** A running firedrill server: embedded teams are probed through its `/t/:team/` proxy. */
  serverUrl?: string;
  /** The fault target (a CompositeTarget): each external team's faults are planned (dry run). */
  target?: TargetAdapter;
  kubeConfig?: KubeConfig;
  /** PagerDuty REST requests (tests: trusting the fake's CA). */
  fetch?: typeof fetch;
  /** Wall ms per network check. */
  timeoutMs?: number;
  chromium?: string;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 400);
const adapterTeam = (t: NonNullable<DoctorConfig['teams'][number]['target']>): AdapterTeam => ({
  namespaces: t.namespaces ?? (t.namespace ? [t.namespace] : []),
  publicUrl: t.publicUrl,
  ...(t.vars ? { vars: t.vars } : {}),
});

export async function runDoctor(config: DoctorConfig, deps: DoctorDeps = {}): Promise<Finding[]> {
  const out: Finding[] = [];
  let scenario: Scenario;
  try {
    scenario = loadScenario(config.scenario);
    out.push({ id: 'scenario', severity: 'ok', message: `${config.scenario}: ${scenario.faults.length} faults, ${scenario.probes.length} probes` });
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    out.push({ id: 'scenario', severity: 'critical', message: `the scenario is not valid: ${err.problems.slice(0, 5).join('; ')}`, fix: `fix the problems listed by: firedrill validate ${config.scenario}` });
    return out;
  }
  if (config.teams.length === 0) out.push({ id: 'teams', severity: 'warning', message: 'no teams in the configuration', fix: 'list teams under teams: in firedrill.yaml (or add them in the organizer console before the start)' });

  const timeoutMs = deps.timeoutMs ?? 5000;
  out.push(...browserFinding(scenario, deps.chromium));
  out.push(...(await baselines(config, scenario, deps, timeoutMs)));
  for (const t of config.teams) if (t.target) out.push(...(await adapterFindings(t.id, t.target, scenario, config, deps, timeoutMs)));
  out.push(...(await pagerdutyFindings(config, deps.fetch ?? fetch, timeoutMs)));
  out.push(...(await newrelicFindings(config, timeoutMs)));
  return out;
}

function browserFinding(scenario: Scenario, chromium?: string): Finding[] {
  if (!scenario.probes.some((p) => p.kind === 'browser')) return [];
  const a = browserAvailability(chromium);
  return a.ok
    ? [{ id: 'browser', severity: 'ok', message: `Chromium for the browser probes: ${a.path}` }]
    : [{ id: 'browser', severity: 'critical', message: `the scenario has browser probes but Chromium is unavailable: ${a.reason}`, fix: 'install Chromium (apt-get install -y chromium fonts-noto-cjk) or set CHROMIUM_PATH; until then the browser probes stay red' }];
}

/** Each probe once against each team: all must be green before the start. */
async function baselines(config: DoctorConfig, scenario: Scenario, deps: DoctorDeps, timeoutMs: number): Promise<Finding[]> {
  const out: Finding[] = [];
  const agent = new http.Agent({ keepAlive: false });
  const hasBrowser = scenario.probes.some((p) => p.kind === 'browser') && browserAvailability(deps.chromium).ok;
  const browser = hasBrowser ? new BrowserProbes(deps.chromium ? { executablePath: deps.chromium } : {}) : undefined;
  try {
    for (const team of config.teams) {
      const base = team.target ? team.target.publicUrl : deps.serverUrl ? `${deps.serverUrl.replace(/\/+$/, '')}/t/${team.id}/` : undefined;
      if (!base) {
        out.push({ id: `team.${team.id}.baseline`, severity: 'warning', message: `team ${team.id} is embedded: its baseline needs the running server`, fix: 'start the server (firedrill serve), then run firedrill doctor --server http://HOST:PORT' });
        continue;
      }
      let n = 0;
      for (const probe of scenario.probes) {
        if (probe.kind === 'browser' && !browser) continue; // reported once by the browser finding
        const p = { ...probe, timeoutMs: Math.min(probe.timeoutMs, timeoutMs) };
        const r = await runProbe(p, { agent, baseUrl: base, now: () => performance.now(), serial: `doctor-${Date.now()}-${n++}`, ...(browser ? { browser, slot: `${team.id}/${probe.id}` } : {}) });
        const id = `team.${team.id}.baseline.${probe.id}`;
        if (r.ok) out.push({ id, severity: 'ok', message: `team ${team.id}: probe ${probe.id} is green at ${base}` });
        else {
          const why = r.evidence.error ?? (r.evidence.status !== undefined ? `HTTP ${r.evidence.status}` : 'failed');
          out.push({ id, severity: 'critical', message: `team ${team.id}: probe ${probe.id} is red before the start (${why}) at ${base}`, fix: "fix the team's service (or its publicUrl) before the start: a fault cannot be scored on a service that is already broken" });
        }
      }
    }
  } finally {
    agent.destroy();
    await browser?.close();
  }
  return out;
}

/** The faults a team would get through its adapter (those with an action of its kind). */
const faultsFor = (scenario: Scenario, kind: 'kubernetes' | 'exec' | 'http') => scenario.faults.filter((f) => f.inject[kind] !== undefined);

async function adapterFindings(team: string, target: NonNullable<DoctorConfig['teams'][number]['target']>, scenario: Scenario, config: DoctorConfig, deps: DoctorDeps, timeoutMs: number): Promise<Finding[]> {
  const out: Finding[] = [];
  const faults = faultsFor(scenario, target.kind);
  if (faults.length === 0) {
    return [{ id: `team.${team}.faults`, severity: 'critical', message: `team ${team} is on the ${target.kind} target but no fault of the scenario has a '${target.kind}' action`, fix: `add ${target.kind}: actions to the faults, or change the team's target.kind` }];
  }
  for (const f of faults) {
    const id = `team.${team}.plan.${f.id}`;
    if (deps.target) {
      try {
        const p = await deps.target.plan({ team, fault: f.id, actions: f.inject });
        out.push({ id, severity: 'ok', message: `team ${team}, fault ${f.id}: ${p.summary}` });
      } catch (err) {
        const why = errText(err);
        // The adapters name the API's answer (src/targets/kubernetes.ts describeError): the fix follows it.
        const fix = /NotFound \(404\)/.test(why)
          ? "create the object in the team's namespace (its manifests), or fix the name in the scenario"
          : /Forbidden \(403\)|Unauthorized \(401\)/.test(why)
            ? "fix firedrill's RBAC in the team's namespaces (deploy/kubernetes/rbac.yaml) or the kubeconfig"
            : /namespace '.*' is not allowed/.test(why)
              ? "add the namespace to the team's target.namespaces, or fix the fault"
              : 'fix the team target (namespaces, vars) or the secrets the fault names';
        out.push({ id, severity: 'critical', message: `team ${team}, fault ${f.id} cannot be planned: ${why}`, fix });
        continue;
      }
    }
    if (target.kind === 'exec') out.push(...execFindings(team, f, scenario, teamValues(team, f.id, adapterTeam(target))));
    if (target.kind === 'http') out.push(...(await httpFindings(team, f, target, config, timeoutMs)));
    if (target.kind === 'kubernetes') out.push(...(await kubernetesFindings(team, f, target, deps.kubeConfig, timeoutMs)));
  }
  return out;
}

/** The program a command runs exists (`command -v`, with the scenario folder for relative paths). */
function execFindings(team: string, f: Fault, scenario: Scenario, values: Record<string, string>): Finding[] {
  const a = f.inject.exec!;
  const out: Finding[] = [];
  const baseDir = scenario.file ? resolve(scenario.file, '..') : process.cwd();
  for (const [which, cmd] of [['inject', a.inject], ['revert', a.revert], ['check', a.check]] as Array<[string, ExecCommand | undefined]>) {
    if (!cmd) continue;
    let program: string;
    try {
      program = cmd.command ? renderTemplate(cmd.command[0]!, values, 'mask') : '/bin/sh';
    } catch (err) {
      out.push({ id: `team.${team}.exec.${f.id}.${which}`, severity: 'critical', message: `fault ${f.id} ${which}: ${errText(err)}`, fix: "fix the command or the team's vars" });
      continue;
    }
    const cwd = cmd.cwd ? (isAbsolute(cmd.cwd) ? cmd.cwd : resolve(baseDir, cmd.cwd)) : baseDir;
    const id = `team.${team}.exec.${f.id}.${which}`;
    let found: string | undefined;
    try {
      found = execFileSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', program], { cwd, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      found = undefined;
    }
    if (found) out.push({ id, severity: 'ok', message: `fault ${f.id} ${which}: ${program} found (${found})` });
    else out.push({ id, severity: 'critical', message: `fault ${f.id} ${which}: command ${program} not found (from ${cwd})`, fix: `install ${program} on the firedrill host or fix the path (relative paths start from the scenario's folder)` });
  }
  return out;
}

/** A webhook endpoint answers (HEAD: any HTTP answer counts; the POST itself is never sent). */
async function httpFindings(team: string, f: Fault, target: NonNullable<DoctorConfig['teams'][number]['target']>, config: DoctorConfig, timeoutMs: number): Promise<Finding[]> {
  const a = f.inject.http!;
  const out: Finding[] = [];
  const values = teamValues(team, f.id, adapterTeam(target));
  for (const [which, call] of [['inject', a.inject], ['revert', a.revert], ['check', a.check]] as const) {
    if (!call) continue;
    const id = `team.${team}.http.${f.id}.${which}`;
    let url: string;
    try {
      url = renderTemplate(call.url, values, config.secrets);
    } catch (err) {
      out.push({ id, severity: 'critical', message: `fault ${f.id} ${which}: ${errText(err)}`, fix: 'fix the URL template or add the secret under secrets: (FIREDRILL_SECRET_<NAME>)' });
      continue;
    }
    const shown = renderTemplate(call.url, values, 'mask');
    try {
      const r = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      out.push({ id, severity: 'ok', message: `fault ${f.id} ${which}: ${shown} answers (HTTP ${r.status} to HEAD)` });
    } catch (err) {
      out.push({ id, severity: 'critical', message: `fault ${f.id} ${which}: ${shown} does not answer (${errText((err as Error).cause ?? err)})`, fix: 'check the URL and that firedrill can reach it (DNS, firewall, proxy)' });
    }
  }
  return out;
}

const RESOURCE = { ingress: 'ingresses', networkPolicy: 'networkpolicies', deleteNetworkPolicy: 'networkpolicies', secret: 'secrets', image: 'deployments', scale: 'deployments' } as const;
const GROUP: Record<string, string> = { ingresses: 'networking.k8s.io', networkpolicies: 'networking.k8s.io', secrets: '', deployments: 'apps' };

/**
 * Kubernetes: what the adapter will do to each named object, tried without changing it. The read
 * the plan makes is made; the write the inject makes is sent with `dryRun=All` (the API server runs
 * authorization, admission and validation, and stores nothing); the write a revert makes (which
 * cannot be dry-run before the fault exists: there is nothing to delete yet) is asked through a
 * SelfSubjectAccessReview.
 */
async function kubernetesFindings(team: string, f: Fault, target: NonNullable<DoctorConfig['teams'][number]['target']>, kc: KubeConfig | undefined, timeoutMs: number): Promise<Finding[]> {
  if (!kc) return [{ id: `kubernetes.config`, severity: 'critical', message: 'no kubeconfig: the kubernetes target cannot reach a cluster', fix: 'set kubernetes.kubeconfig (or KUBECONFIG), or run firedrill inside the cluster with its service account' }];
  const t = adapterTeam(target);
  const values = teamValues(team, f.id, t);
  const opts = (contentType?: string): ConfigurationOptions => ({
    middleware: [
      {
        pre: (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          if (contentType) ctx.setHeaderParam('Content-Type', contentType);
          return new Observable(Promise.resolve(ctx));
        },
        post: (res) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  });
  const net = kc.makeApiClient(NetworkingV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const merge = 'application/merge-patch+json';
  const dryRun = 'All';
  const out: Finding[] = [];
  for (const change of f.inject.kubernetes!) {
    const namespace = change.namespace ? renderTemplate(change.namespace, values, 'mask') : (t.namespaces?.[0] ?? '');
    const name = 'deployment' in change ? change.deployment : change.name;
    const plural = RESOURCE[change.action];
    const what = `${plural} ${namespace}/${name}`;
    const id = `kubernetes.${team}.${f.id}.${plural}.${name}`;
    if (!t.namespaces?.includes(namespace)) {
      out.push({ id, severity: 'critical', message: `fault ${f.id} touches namespace ${namespace}, outside team ${team}'s allowed namespaces (${t.namespaces?.join(', ') || 'none'})`, fix: "add the namespace to the team's target.namespaces, or fix the fault" });
      continue;
    }
    const refused = (verb: string, why: string, fix: string, suffix = verb) => out.push({ id: `${id}.${suffix}`, severity: 'critical', message: `team ${team}, fault ${f.id}: cannot ${verb} ${what}: ${why}`, fix });
    const rbacFix = (verb: string) => `grant firedrill's service account '${verb}' on ${plural} in namespace ${namespace} (deploy/kubernetes/rbac.yaml), or fix the kubeconfig`;
    /** One API call; false (and a finding) when it fails. `absentOk`: a 404 is what the plan expects. */
    const step = async (verb: string, fn: () => Promise<unknown>, absentOk = false, suffix = verb): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (err) {
        const code = err instanceof ApiException ? err.code : undefined;
        if (code === 404 && absentOk) return true;
        const v = verb.split(' ')[0]!;
        if (code === 403) refused(verb, 'Forbidden (403)', rbacFix(v), suffix);
        else if (code === 404) refused(verb, 'NotFound (404): the object does not exist', `create ${what} (the team's manifests), or fix its name in the scenario`, suffix);
        else if (code === 401) refused(verb, 'Unauthorized (401): the kubeconfig credentials are refused', 'renew the kubeconfig token (kubernetes.kubeconfig / FIREDRILL_KUBECONFIG)', suffix);
        else if (code === 409) refused(verb, `Conflict (409): ${apiMessage(err)}`, `remove the leftover ${what}, or give the fault's object another name`, suffix);
        else if (code !== undefined) refused(verb, `HTTP ${code}: ${apiMessage(err)}`, 'fix the change in the scenario so the API server accepts it', suffix);
        else refused(verb, errText(err), 'check that firedrill can reach the API server (kubeconfig server address, network)', suffix);
        return false;
      }
    };
    /** A write that cannot be dry-run yet, asked of the API server's authorizer. */
    const canI = async (verb: string): Promise<boolean> => {
      let allowed = false;
      const ok = await step(`${verb} (for the revert)`, async () => {
        const r = await authz.createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb, group: GROUP[plural]!, resource: plural, name } } } }, opts());
        allowed = r.status?.allowed === true;
      }, false, `revert.${verb}`);
      if (ok && !allowed) refused(`${verb} (for the revert)`, 'Forbidden (SelfSubjectAccessReview: not allowed)', rbacFix(verb), `revert.${verb}`);
      return ok && allowed;
    };
    const read = () =>
      plural === 'ingresses' ? net.readNamespacedIngress({ name, namespace }, opts()) : plural === 'secrets' ? core.readNamespacedSecret({ name, namespace }, opts()) : plural === 'deployments' ? apps.readNamespacedDeployment({ name, namespace }, opts()) : net.readNamespacedNetworkPolicy({ name, namespace }, opts());
    let ok: boolean;
    let did: string;
    if (change.action === 'networkPolicy') {
      // The fault creates the policy, the revert deletes it (the plan reads it to refuse a name in use).
      const body = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace, labels: { [FAULT_LABEL]: f.id } }, spec: change.spec as never };
      ok = (await step('get', read, true)) && (await step('create', () => net.createNamespacedNetworkPolicy({ namespace, dryRun, body }, opts()))) && (await canI('delete'));
      did = 'get, create (dry run) and delete (access review)';
    } else if (change.action === 'deleteNetworkPolicy') {
      ok = (await step('get', read)) && (await step('delete', () => net.deleteNamespacedNetworkPolicy({ name, namespace, dryRun }, opts()))) && (await canI('create'));
      did = 'get, delete (dry run) and create (access review)';
    } else {
      // An empty merge patch: authorized and admitted as a patch, changes nothing even without dryRun.
      const body = {};
      const patch = () =>
        plural === 'ingresses' ? net.patchNamespacedIngress({ name, namespace, body, dryRun }, opts(merge)) : plural === 'secrets' ? core.patchNamespacedSecret({ name, namespace, body, dryRun }, opts(merge)) : apps.patchNamespacedDeployment({ name, namespace, body, dryRun }, opts(merge));
      ok = (await step('get', read)) && (await step('patch', patch));
      did = 'get and patch (dry run)';
    }
    if (ok) out.push({ id, severity: 'ok', message: `team ${team}, fault ${f.id}: can ${did} ${what}` });
  }
  return out;
}

/** The API server's own message (a `Status` body), for people. */
function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const b = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { message?: unknown };
      if (typeof b?.message === 'string') return b.message.slice(0, 300);
    } catch {
      // not JSON
    }
  }
  return errText(err);
}

async function pagerdutyFindings(config: DoctorConfig, fetchFn: typeof fetch, timeoutMs: number): Promise<Finding[]> {
  const pd = config.pagerduty;
  const withKeys = config.teams.filter((t) => t.pagerduty);
  if (!pd) {
    return withKeys.length
      ? [{ id: 'pagerduty', severity: 'warning', message: `teams have PagerDuty services (${withKeys.map((t) => t.id).join(', ')}) but pagerduty: is not configured: the built-in incident board is used`, fix: 'set pagerduty.apiToken (PAGERDUTY_API_TOKEN) and pagerduty.from, or remove the teams\' pagerduty: entries' }]
      : [{ id: 'pagerduty', severity: 'ok', message: 'PagerDuty is not configured: teams use the built-in incident board' }];
  }
  const out: Finding[] = [];
  const api = (pd.apiUrl ?? 'https://api.pagerduty.com').replace(/\/+$/, '');
  const get = (path: string) => fetchFn(`${api}${path}`, { headers: { authorization: `Token token=${pd.apiToken}`, accept: 'application/vnd.pagerduty+json;version=2' }, signal: AbortSignal.timeout(timeoutMs) });
  let tokenOk = false;
  try {
    const r = await get('/abilities');
    if (r.status === 401 || r.status === 403) out.push({ id: 'pagerduty.token', severity: 'critical', message: `PagerDuty refused the API token (HTTP ${r.status})`, fix: 'create a REST API key (read access is enough for the poll) and set PAGERDUTY_API_TOKEN' });
    else if (!r.ok) out.push({ id: 'pagerduty.token', severity: 'warning', message: `PagerDuty answered HTTP ${r.status} to GET /abilities`, fix: 'check pagerduty.apiUrl' });
    else {
      tokenOk = true;
      out.push({ id: 'pagerduty.token', severity: 'ok', message: 'PagerDuty accepts the API token' });
    }
  } catch (err) {
    out.push({ id: 'pagerduty.token', severity: 'critical', message: `PagerDuty cannot be reached at ${api}: ${errText((err as Error).cause ?? err)}`, fix: 'check pagerduty.apiUrl and the network' });
  }
  if (tokenOk) {
    for (const t of withKeys) {
      const { serviceId, routingKey } = t.pagerduty!;
      const id = `pagerduty.${t.id}.service`;
      try {
        const r = await get(`/services/${encodeURIComponent(serviceId)}?include[]=integrations`);
        if (r.status === 404) {
          out.push({ id, severity: 'critical', message: `team ${t.id}: PagerDuty service ${serviceId} does not exist`, fix: "fix the team's pagerduty.serviceId" });
          continue;
        }
        if (!r.ok) {
          out.push({ id, severity: 'warning', message: `team ${t.id}: GET /services/${serviceId} answered HTTP ${r.status}`, fix: 'check the token can read services' });
          continue;
        }
        const body = (await r.json()) as { service?: { name?: string; integrations?: Array<{ integration_key?: string }> } };
        out.push({ id, severity: 'ok', message: `team ${t.id}: PagerDuty service ${serviceId} (${body.service?.name ?? '?'}) exists` });
        const keys = (body.service?.integrations ?? []).map((i) => i.integration_key).filter(Boolean);
        // Compare, never print, the routing key.
        if (keys.includes(routingKey)) out.push({ id: `pagerduty.${t.id}.routing-key`, severity: 'ok', message: `team ${t.id}: the routing key belongs to an Events API v2 integration of service ${serviceId}` });
        else out.push({ id: `pagerduty.${t.id}.routing-key`, severity: 'critical', message: `team ${t.id}: the routing key is not an integration key of service ${serviceId}: alerts would open incidents elsewhere or be refused`, fix: "copy the Events API v2 integration key of the team's service into pagerduty.routingKey" });
      } catch (err) {
        out.push({ id, severity: 'critical', message: `team ${t.id}: PagerDuty service check failed: ${errText((err as Error).cause ?? err)}` });
      }
    }
  }
  const missing = config.teams.filter((t) => !t.pagerduty).map((t) => t.id);
  if (missing.length) out.push({ id: 'pagerduty.teams', severity: 'warning', message: `teams without a PagerDuty service: ${missing.join(', ')} (their alerts go nowhere)`, fix: 'give each team pagerduty: { serviceId, routingKey }' });
  if (pd.webhookSecrets.length === 0) out.push({ id: 'pagerduty.webhook-secret', severity: 'critical', message: 'no webhook secret: every PagerDuty webhook delivery will be refused (401), so acknowledgements never reach the game (the poll catches up only every pollSeconds)', fix: "set pagerduty.webhookSecrets (PAGERDUTY_WEBHOOK_SECRETS) to the webhook subscription's signing secret" });
  else out.push({ id: 'pagerduty.webhook-secret', severity: 'ok', message: `${pd.webhookSecrets.length} webhook signing secret(s) configured` });
  if (!config.publicUrl) out.push({ id: 'pagerduty.public-url', severity: 'warning', message: 'publicUrl is not set: PagerDuty must reach /hooks/pagerduty at a public address', fix: 'set publicUrl (FIREDRILL_PUBLIC_URL) and point the webhook subscription at <publicUrl>/hooks/pagerduty' });
  return out;
}

/** One real metric (`firedrill.doctor`) sent with the key: a refused key is a warning, as in the game. */
async function newrelicFindings(config: DoctorConfig, timeoutMs: number): Promise<Finding[]> {
  const nr = config.newrelic;
  if (!nr) return [{ id: 'newrelic', severity: 'ok', message: 'New Relic is not configured (no probe metrics exported)' }];
  let refused: string | undefined;
  const t = new NewRelicTelemetry({ apiKey: nr.apiKey, region: nr.region, ...(nr.host ? { host: nr.host } : {}), requestTimeoutMs: timeoutMs, onRejected: (m) => (refused = m), log: { warn: () => {} } });
  t.probe({ team: 'doctor', probe: 'doctor', kind: 'doctor', ok: true, latencyMs: 0, atWall: Date.now() });
  await t.flush();
  const st = t.status();
  await t.close();
  // A warning, as in the game: telemetry off is a loss for the teams' dashboards, not for the game.
  if (refused || st.state === 'rejected') return [{ id: 'newrelic.key', severity: 'warning', message: refused ?? st.lastError ?? 'New Relic refused the key', fix: 'set NEW_RELIC_API_KEY to a license or insert key of the right account and region (newrelic.region: us or eu)' }];
  if (st.state !== 'ok') return [{ id: 'newrelic.key', severity: 'warning', message: `New Relic could not be reached: ${st.lastError ?? st.state}`, fix: 'check newrelic.region / newrelic.host and the network' }];
  return [{ id: 'newrelic.key', severity: 'ok', message: 'New Relic accepted a test metric with the key' }];
}
