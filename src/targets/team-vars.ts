/**
 * The per-team values a fault's commands and webhooks are written with, and the `{{name}}`
 * templates that use them. Shared by the kubernetes, exec and http adapters. Pure.
 */

/** What the configuration says about one team for an adapter. */
export interface TeamTarget {
  /** Namespaces the adapter may touch for this team (kubernetes: the allow-list; the first is the default). */
  namespaces?: string[];
  /** The team's public base URL, used by probes and spectators. */
  publicUrl?: string;
  /** Free values a scenario reads as {{vars.NAME}} (e.g. a repository, a cluster name). */
  vars?: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The non-secret values for one team and fault: {{team}}, {{fault}}, {{namespace}}, {{publicUrl}}, {{vars.NAME}}. */
export function teamValues(team: string, fault: string, t: TeamTarget | undefined): Record<string, string> {
  const out: Record<string, string> = { team, fault, namespace: t?.namespaces?.[0] ?? '', publicUrl: t?.publicUrl ?? '' };
  for (const [k, v] of Object.entries(t?.vars ?? {})) out[`vars.${k}`] = v;
  return out;
}

/**
 * Fill `{{name}}` placeholders. `secrets` maps secret names to values; with `mask` a secret renders
 * as `{{secret.NAME}}` unchanged, so the result can be shown and logged. An unknown name is an error.
 */
export function render(template: string, values: Record<string, string>, secrets: Record<string, string> | 'mask'): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name.startsWith('secret.')) {
      if (secrets === 'mask') return whole;
      const v = secrets[name.slice('secret.'.length)];
      if (v === undefined) throw new Error(`{{${name}}}: no such secret in the configuration (known: ${Object.keys(secrets).join(', ') || 'none'})`);
      return v;
    }
    const v = values[name];
    if (v === undefined) throw new Error(`{{${name}}}: no such value for this team (known: ${Object.keys(values).join(', ')})`);
    return v;
  });
}

/** Every secret value replaced by *** (for output and error text that may quote them). */
export function redact(text: string, secrets: Record<string, string>): string {
  let out = text;
  for (const v of Object.values(secrets)) if (v.length >= 4) out = out.split(v).join('***');
  return out;
}

/** The secret names a template uses. */
export function secretNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((n) => n.startsWith('secret.')).map((n) => n.slice('secret.'.length));
}

/** Cap text at `max` bytes (UTF-8), keeping the end, where a failing command says why. */
export function capTail(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  return `…(${buf.length - max} bytes cut)…${buf.subarray(buf.length - max).toString('utf8').replace(/^\uFFFD+/, '')}`;
}
