import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText, post, put } from '../lib/api.js';
import { fmtClock } from '../lib/format.js';
import { label, t } from '../lib/i18n.js';
import { ConfirmButton, currentName, ErrorText, Section, useAction, useAsync } from '../lib/ui.js';
import type { Changes, Components as ComponentsAnswer, Logs as LogsAnswer, ManifestAnswer, Releases as ReleasesAnswer } from '../../../src/contract/ops.js';

type Component = ComponentsAnswer['components'][number];

const author = (): { author?: string } => (currentName() ? { author: currentName().slice(0, 100) } : {});


function Components({ version, onPick, onLoaded }: { version: number; onPick(name: string): void; onLoaded(list: Component[]): void }) {
  const c = useAsync((signal) => api<ComponentsAnswer>('/api/team/ops/components', { signal }).then((r) => r.components), [version]);
  useEffect(() => {
    if (c.data) onLoaded(c.data);
  }, [c.data]);
  return (
    <div data-testid="ops-components">
      <div class="row">
        <h3 class="grow">{t('ops.components')}</h3>
        <button type="button" class="ghost" onClick={c.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <ErrorText error={c.error} />
      <table class="table">
        <tbody>
          {(c.data ?? []).map((x) => (
            <tr key={x.name} data-component={x.name} data-status={x.status}>
              <td>
                <a
                  href="#logs"
                  onClick={(e) => {
                    e.preventDefault();
                    onPick(x.name);
                  }}
                >
                  {x.name}
                </a>
              </td>
              <td>
                <span class={`dot ${x.status === 'running' ? 'up' : x.status === 'starting' ? 'degraded' : 'down'}`} />
                {label('comp', x.status)}
              </td>
              <td class="muted">{x.release}</td>
              <td class="muted small">{x.servicePort !== null && `:${x.servicePort}`}</td>
              <td class="muted small">
                {x.restarts > 0 && `↻${x.restarts} `}
                {x.rssKb !== null && `${Math.round(x.rssKb / 1024)} MB`}
                {x.lastExit && <div class="pre">{x.lastExit}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Logs refresh by themselves while shown: a team watching a restart sees it happen. */
export const LOGS_REFRESH_MS = 3_000;

function Logs({ component, version }: { component: string; version: number }) {
  const logs = useAsync((signal) => api<LogsAnswer>(`/api/team/ops/logs/${encodeURIComponent(component)}?lines=300`, { signal }), [component, version]);
  // Oldest first, newest last (as a terminal's tail).
  const lines = logs.data?.lines ?? [];
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState !== 'hidden') logs.reload();
    }, LOGS_REFRESH_MS);
    return () => clearInterval(id);
  }, [component]);
  // Kept at the newest line, unless the reader scrolled up to read an older one.
  const box = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  const text = lines.join('\n');
  useEffect(() => {
    pinned.current = true;
  }, [component]);
  useEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div id="logs" data-testid="ops-logs">
      <div class="row">
        <h3 class="grow">
          {t('ops.logs')} — {component}
        </h3>
        <button type="button" class="ghost" onClick={logs.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <ErrorText error={logs.error} />
      {/* Log lines are text: the chat service logs what users typed. */}
      <pre
        class="logs"
        ref={box}
        data-testid="ops-log-lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
        }}
      >
        {text}
      </pre>
    </div>
  );
}

/** The manifest as YAML; the server validates it and its errors show right under the editor. */
function Manifest({ version, onApplied }: { version: number; onApplied(): void }) {
  const m = useAsync((signal) => api<ManifestAnswer>('/api/team/ops/manifest', { signal }), [version]);
  const [text, setText] = useState<string>();
  const [message, setMessage] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const a = useAction();
  // `text` is set only once someone types: an untouched editor follows the server (a rollback,
  // a fault, another teammate's change), so applying it never undoes a change made meanwhile.
  const serverText = m.data?.yaml ?? '';
  return (
    <form
      data-testid="ops-manifest"
      onSubmit={async (e) => {
        e.preventDefault();
        setProblems([]);
        const ok = await a.run(async () => {
          try {
            await put('/api/team/ops/manifest', { manifest: text ?? serverText, message: message.trim(), ...author() });
          } catch (err) {
            const details = err instanceof ApiError ? err.message.replace(/^the manifest is not valid: /, '').split(/\n|; /).filter(Boolean) : [errorText(err)];
            setProblems(details);
            throw err;
          }
        });
        if (ok) {
          setMessage('');
          setText(undefined);
          m.reload();
          onApplied();
        }
      }}
    >
      <h3>{t('ops.manifest')}</h3>
      <ErrorText error={m.error} />
      <textarea
        class="code"
        spellcheck={false}
        aria-label={t('ops.manifest')}
        aria-invalid={problems.length > 0}
        value={text ?? serverText}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {problems.length > 0 && (
        <ul class="error" role="alert" data-testid="manifest-errors">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      <label>
        {t('ops.message')}
        <input maxLength={500} value={message} onInput={(e) => setMessage(e.currentTarget.value)} required />
      </label>
      <div class="row">
        <button class="primary" disabled={a.busy || !message.trim()}>
          {t('ops.apply')}
        </button>
        {a.done && <span class="ok">{t('ops.applied')}</span>}
      </div>
    </form>
  );
}

function Releases({ version, onChanged }: { version: number; onChanged(): void }) {
  const r = useAsync((signal) => api<ReleasesAnswer>('/api/team/ops/releases', { signal }), [version]);
  const a = useAction();
  const rows = r.data?.components ?? [];
  return (
    <div data-testid="ops-releases">
      <h3>{t('ops.releases')}</h3>
      <ErrorText error={r.error ?? a.error} />
      <table class="table">
        <tbody>
          {rows.map((row) => (
            <tr key={row.component} data-component={row.component}>
              <td>{row.component}</td>
              <td>
                <div class="row">
                  {row.releases.map((v, i) =>
                    v.current ? (
                      <span key={v.version} class="chip s-resolved" title={v.notes}>
                        {v.version} · {t('ops.current')}
                      </span>
                    ) : i < row.releases.findIndex((x) => x.current) ? (
                      // Releases are listed oldest first: one before the running release is a rollback, asked for twice.
                      <span key={v.version} title={v.notes}>
                        <ConfirmButton
                          label={t('ops.rollback', { v: v.version })}
                          question={t('ops.rollbackConfirm', { c: row.component, v: v.version })}
                          disabled={a.busy}
                          danger
                          testid={`rollback-${row.component}-${v.version}`}
                          onConfirm={async () => {
                            if (await a.run(() => post('/api/team/ops/rollback', { component: row.component, version: v.version, ...author() }))) onChanged();
                          }}
                        />
                      </span>
                    ) : (
                      <button
                        key={v.version}
                        type="button"
                        title={v.notes}
                        data-version={v.version}
                        disabled={a.busy}
                        onClick={async () => {
                          if (await a.run(() => post('/api/team/ops/rollback', { component: row.component, version: v.version, ...author() }))) onChanged();
                        }}
                      >
                        {t('ops.rollout', { v: v.version })}
                      </button>
                    ),
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History({ version }: { version: number }) {
  const h = useAsync((signal) => api<Changes>('/api/team/ops/changes', { signal }), [version]);
  // Newest first, as the server lists them.
  const rows = h.data?.changes ?? [];
  return (
    <div data-testid="ops-history">
      <h3>{t('ops.history')}</h3>
      <ErrorText error={h.error} />
      <table class="table">
        <tbody>
          {rows.map((c) => (
            <tr key={c.change} data-change={c.change}>
              <td class="muted small">{fmtClock(c.at)}</td>
              <td>
                <code>{c.change}</code>
              </td>
              <td>
                <div class="pre">{c.message}</div>
                <div class="muted small">
                  {t('ops.author', { who: c.author })}
                  {c.revertOf && ` · ${t('ops.revertOf', { change: c.revertOf })}`}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Ops({ version }: { version: number }) {
  const [component, setComponent] = useState('ingress');
  // The failing component is shown first, until someone picks one.
  const picked = useRef(false);
  const pick = (name: string) => {
    picked.current = true;
    setComponent(name);
  };
  const loaded = (list: Component[]) => {
    if (picked.current) return;
    const failing = list.find((c) => c.status !== 'running');
    if (failing) setComponent(failing.name);
  };
  const [n, setN] = useState(0);
  const v = version + n;
  const bump = () => setN((x) => x + 1);
  return (
    <Section title={t('war.tab.ops')}>
      <div class="grid2">
        <div style={{ display: 'grid', gap: '1em', minWidth: 0 }}>
          <Components version={v} onPick={pick} onLoaded={loaded} />
          <Releases version={v} onChanged={bump} />
          <History version={v} />
        </div>
        <div style={{ display: 'grid', gap: '1em', minWidth: 0 }}>
          <Manifest version={v} onApplied={bump} />
          <Logs component={component} version={v} />
        </div>
      </div>
    </Section>
  );
}
