/**
 * A small JSON Schema walker for the subset TypeBox emits in schema.ts, written for people rather
 * than machines: one short message per problem, unions resolved to the branch the author meant
 * (by a `kind` discriminator, by the keys present, or by the value's type) instead of anyOf noise.
 * Pure: no I/O.
 */

export type Segment = string | number;

export interface Problem {
  path: Segment[];
  message: string;
}

/** A JSON Schema node as TypeBox builds it (plain data). */
type Schema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  description?: string;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const quote = (v: unknown): string => (typeof v === 'string' ? `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'` : JSON.stringify(v));

/** "must be …" for a type, as a person says it. */
const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

function typeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function got(v: unknown): string {
  if (v === null || v === undefined) return 'it is empty';
  if (isObject(v)) return 'got a mapping';
  if (Array.isArray(v)) return 'got a list';
  return `got ${quote(v)}`;
}

/** Levenshtein distance, for "did you mean" on misspelt field names. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function constValue(s: Schema): { has: boolean; value?: unknown } {
  if ('const' in s) return { has: true, value: s.const };
  return { has: false };
}

/** The property that is a constant in every branch (e.g. a probe's `kind`), if any. */
function discriminator(branches: Schema[]): string | undefined {
  const first = branches[0]?.properties;
  if (!first) return undefined;
  return Object.keys(first).find((k) => branches.every((b) => b.type === 'object' && b.properties?.[k] && constValue(b.properties[k]).has));
}

export function check(s: Schema, v: unknown, path: Segment[] = [], out: Problem[] = []): Problem[] {
  const push = (message: string, at: Segment[] = path) => out.push({ path: at, message });

  if (s.anyOf) return checkUnion(s.anyOf, v, path, out);
  if ('const' in s) {
    if (v !== s.const) push(`must be ${quote(s.const)} (${got(v)})`);
    return out;
  }
  if (s.enum) {
    if (!s.enum.includes(v)) push(`must be one of: ${s.enum.join(', ')} (${got(v)})`);
    return out;
  }
  switch (s.type) {
    case 'object': {
      if (!isObject(v)) {
        push(`must be ${TYPE_WORDS.object} (${got(v)})`);
        return out;
      }
      const props = s.properties ?? {};
      for (const key of s.required ?? []) if (!(key in v) || v[key] === undefined) push('is required', [...path, key]);
      for (const [key, value] of Object.entries(v)) {
        const p = props[key];
        if (p) {
          check(p, value, [...path, key], out);
          continue;
        }
        const pattern = s.patternProperties && Object.entries(s.patternProperties).find(([re]) => new RegExp(re, 'u').test(key));
        if (pattern) {
          check(pattern[1], value, [...path, key], out);
          continue;
        }
        if (s.additionalProperties === false) {
          const known = Object.keys(props);
          const guess = closest(key, known);
          push(guess ? `unknown field (did you mean '${guess}'?)` : `unknown field (known: ${known.join(', ')})`, [...path, key]);
        }
      }
      return out;
    }
    case 'array': {
      if (!Array.isArray(v)) {
        push(`must be ${TYPE_WORDS.array} (${got(v)})`);
        return out;
      }
      if (s.minItems !== undefined && v.length < s.minItems) push(s.minItems === 1 ? 'must not be empty' : `must have at least ${s.minItems} items`);
      if (s.maxItems !== undefined && v.length > s.maxItems) push(`must have at most ${s.maxItems} items`);
      if (s.items) v.forEach((item, i) => check(s.items!, item, [...path, i], out));
      return out;
    }
    case 'string': {
      if (typeof v !== 'string') {
        // YAML reads 1.5 as a number and yes as… a string in 1.2, but true as a boolean: say how to fix it.
        const hint = typeof v === 'number' || typeof v === 'boolean' ? ` (${got(v)}; put it in quotes: "${String(v)}")` : ` (${got(v)})`;
        push(`must be ${TYPE_WORDS.string}${hint}`);
        return out;
      }
      if (s.minLength !== undefined && v.length < s.minLength) push(s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters`);
      else if (s.maxLength !== undefined && v.length > s.maxLength) push(`must be at most ${s.maxLength} characters`);
      else if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) push(`must be ${s.description ?? `text matching /${s.pattern}/`} (${got(v)})`);
      return out;
    }
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        push(`must be ${TYPE_WORDS[s.type]} (${got(v)})`);
        return out;
      }
      if (s.type === 'integer' && !Number.isInteger(v)) push(`must be a whole number (${got(v)})`);
      else if (s.minimum !== undefined && v < s.minimum) push(`must be at least ${s.minimum} (${got(v)})`);
      else if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) push(`must be more than ${s.exclusiveMinimum} (${got(v)})`);
      else if (s.maximum !== undefined && v > s.maximum) push(`must be at most ${s.maximum} (${got(v)})`);
      return out;
    }
    case 'boolean':
      if (typeof v !== 'boolean') push(`must be true or false (${got(v)})`);
      return out;
    case 'null':
      if (v !== null) push(`must be empty (${got(v)})`);
      return out;
    default:
      return out; // Unknown: anything goes
  }
}

function checkUnion(branches: Schema[], v: unknown, path: Segment[], out: Problem[]): Problem[] {
  const attempts = branches.map((b) => check(b, v, path, []));
  if (attempts.some((a) => a.length === 0)) return out;

  // A choice of constants: say which values are allowed.
  if (branches.every((b) => constValue(b).has)) {
    out.push({ path, message: `must be one of: ${branches.map((b) => String(b.const)).join(', ')} (${got(v)})` });
    return out;
  }

  const objects = branches.filter((b) => b.type === 'object');
  if (objects.length === branches.length) {
    if (!isObject(v)) {
      out.push({ path, message: `must be ${TYPE_WORDS.object} (${got(v)})` });
      return out;
    }
    // Tagged: pick the branch by its tag (a probe's kind).
    const tag = discriminator(objects);
    if (tag) {
      const values = objects.map((b) => String(b.properties![tag]!.const));
      const i = objects.findIndex((b) => b.properties![tag]!.const === v[tag]);
      if (i < 0) {
        out.push({ path: [...path, tag], message: v[tag] === undefined ? `is required (one of: ${values.join(', ')})` : `must be one of: ${values.join(', ')} (${got(v[tag])})` });
        return out;
      }
      out.push(...attempts[i]!);
      return out;
    }
    // Untagged: pick the branch whose own fields the author used (a fault's change or rollout).
    const keys = Object.keys(v);
    const overlap = objects.map((b) => keys.filter((k) => b.properties?.[k]).length);
    const best = Math.max(...overlap);
    if (best === 0) {
      const names = objects.map((b) => (b.required ?? Object.keys(b.properties ?? {})).join(' + '));
      out.push({ path, message: `must have one of: ${names.join(', ')}` });
      return out;
    }
    out.push(...attempts[overlap.indexOf(best)]!);
    return out;
  }

  // Scalars: report against the branch of the value's own type, else list the types.
  const t = typeOf(v);
  const sameType = branches.findIndex((b) => b.type === t || (b.type === 'number' && t === 'integer') || (b.type === 'integer' && t === 'number'));
  if (sameType >= 0) {
    out.push(...attempts[sameType]!);
    return out;
  }
  const words = [...new Set(branches.map((b) => (b.type ? TYPE_WORDS[b.type] ?? b.type : 'something else')))];
  out.push({ path, message: `must be ${words.join(' or ')} (${got(v)})` });
  return out;
}

/** faults[1].probes[0].expect.status — array indexes in brackets, odd keys quoted. */
export function formatPath(path: Segment[]): string {
  if (path.length === 0) return '(top)';
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}
