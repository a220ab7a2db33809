import { Component, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText, post } from './api.js';
import { getLang, setLang, t, useLang, type Key } from './i18n.js';
import type { LiveState } from './live.js';

/** Load something once (and again on `reload()` or when deps change). */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    load(ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (ac.signal.aborted) return;
        setError(errorText(e));
        setLoading(false);
      },
    );
    return () => ac.abort();
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, loading, reload, setData };
}

/** Run an action with a busy flag and the server's error message; resolves to true on success. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [done, setDone] = useState(false);
  const run = useCallback(async (f: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      await f();
      setDone(true);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, done, setError };
}

export function ErrorText({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Section({ title, children, id, actions }: { title: string; children: ComponentChildren; id?: string; actions?: ComponentChildren }) {
  return (
    <section class="card" id={id} aria-label={title}>
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function LangSwitch() {
  useLang();
  return (
    <button type="button" class="ghost lang" data-testid="lang-switch" onClick={() => setLang(getLang() === 'en' ? 'ja' : 'en')}>
      {t('lang.switch')}
    </button>
  );
}

export function LiveBadge({ state }: { state: LiveState }) {
  return (
    <span class={`live-badge live-${state}`} data-testid="live-state" data-state={state}>
      {t(`live.${state}` as Key)}
    </span>
  );
}

/** A button that asks for confirmation in place (no browser dialogs: they block big screens and tests). */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  danger,
  disabled,
  testid,
}: {
  label: string;
  question: string;
  onConfirm: () => void;
  danger?: boolean;
  disabled?: boolean;
  testid?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class={danger ? 'danger' : ''} disabled={disabled} data-testid={testid} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group">
      <span>{question}</span>
      <button
        type="button"
        class={danger ? 'danger' : 'primary'}
        data-testid={testid ? `${testid}-confirm` : undefined}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {t('common.confirm')}
      </button>
      <button type="button" class="ghost" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}

/** Trade a token (typed or pasted) for the HttpOnly session cookie. */
export function TokenForm({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const a = useAction();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      class="card signin"
      onSubmit={async (e) => {
        e.preventDefault();
        // A whole join link pasted in works too.
        const m = /[?&]token=([^&\s]+)/.exec(token);
        const value = m?.[1] ? decodeURIComponent(m[1]) : token.trim();
        if (await a.run(() => post('/api/session', { token: value }))) onSignedIn();
      }}
    >
      <label>
        {t('common.token')}
        <input ref={input} type="password" autocomplete="off" name="token" value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
      </label>
      <p class="muted">{t('common.tokenHelp')}</p>
      <button class="primary" disabled={a.busy || !token.trim()}>
        {t('common.signIn')}
      </button>
      <ErrorText error={a.error} />
    </form>
  );
}

export async function signOut(): Promise<void> {
  await api('/api/session', { method: 'DELETE' });
  location.reload();
}

/** A stable id per browser tab action, so a retried POST is stored once. */
export const clientId = (): string =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** Re-render every `ms` (clocks that tick on screen). */
export function useTick(ms = 1000): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setN((x) => x + 1), ms);
    return () => clearInterval(id);
  }, [ms]);
  return n;
}

const NAME_KEY = 'firedrill.name';
let myName = (() => {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
})();
const nameListeners = new Set<(n: string) => void>();

/** Who is at this keyboard (a team member's name): sent as the author of changes, notes, messages. */
export function useMyName(): [string, (n: string) => void] {
  const [n, set] = useState(myName);
  useEffect(() => {
    nameListeners.add(set);
    return () => void nameListeners.delete(set);
  }, []);
  return [
    n,
    (v: string) => {
      myName = v;
      try {
        localStorage.setItem(NAME_KEY, v);
      } catch {
        /* storage may be blocked */
      }
      for (const f of nameListeners) f(v);
    },
  ];
}

/** `{ name }` when a name is set, so optional name fields stay absent otherwise. */
export const nameField = (): { name?: string } => (myName.trim() ? { name: myName.trim().slice(0, 100) } : {});
export const currentName = (): string => myName.trim();

/** The organizer's name for `by` and `judge` (the same "who am I" as teams use). */
export const organizerName = (): string => myName.trim().slice(0, 100) || 'organizer';

/**
 * One part of a page that fails renders a short notice instead of taking the page with it: a
 * panel's error never stops the board, the chart or the clock. `reset` (e.g. a data version)
 * tries again when it changes.
 */
export class Guard extends Component<{ children: ComponentChildren; name: string; reset?: unknown }, { error?: string; at?: unknown }> {
  override state: { error?: string; at?: unknown } = {};
  override componentDidCatch(e: unknown): void {
    console.error(`[${this.props.name}]`, e);
    this.setState({ error: e instanceof Error ? e.message : String(e), at: this.props.reset });
  }
  override componentDidUpdate(): void {
    if (this.state.error !== undefined && this.props.reset !== this.state.at) this.setState({ error: undefined, at: undefined });
  }
  override render() {
    if (this.state.error === undefined) return this.props.children;
    return (
      <p class="error small" role="alert" data-testid="guard-error" data-part={this.props.name}>
        {t('common.error')}: {this.state.error}
      </p>
    );
  }
}
