import { useEffect, useRef, useState } from 'preact/hooks';
import { api, post } from '../lib/api.js';
import { fmtClock } from '../lib/format.js';
import { getLang, t } from '../lib/i18n.js';
import { clientId, ErrorText, nameField, Section, useAction, useAsync } from '../lib/ui.js';
import { markAnswered, normMessages, type Message } from './model.js';

export function MessageList({ messages }: { messages: Message[] }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: 'nearest' }), [messages.length]);
  return (
    <ol class="messages" data-testid="messages">
      {messages.map((m, i) => (
        <li key={m.seq ?? i} class={`msg ${m.author.kind}`} data-seq={m.seq}>
          <span class="who">{m.author.name}</span>
          {m.at !== undefined && <time>{fmtClock(m.at)}</time>}
          {m.expectsAnswer && !m.answered && <span class="chip s-armed small"> {t('ch.expectsAnswer')}</span>}
          {/* Text a person typed: a text node, never HTML. */}
          <div class="text">{getLang() === 'ja' && m.textJa ? m.textJa : m.text}</div>
        </li>
      ))}
      <li ref={end} aria-hidden="true" />
    </ol>
  );
}

function Channel({ id, messages, onSent }: { id: 'incident' | 'stakeholders'; messages: Message[]; onSent(): void }) {
  const [text, setText] = useState('');
  const a = useAction();
  const name = t(id === 'incident' ? 'ch.incident' : 'ch.stakeholders');
  // A reply goes to the newest question still waiting in this channel (the CTO's answer latency is scored).
  const lastQuestion = [...messages].reverse().find((m) => m.expectsAnswer && !m.answered && m.seq !== undefined);
  return (
    <div data-testid={`channel-${id}`}>
      <h3>{name}</h3>
      <MessageList messages={messages} />
      <form
        class="row"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { channel: id, text: text.trim(), clientId: clientId(), ...nameField(), ...(lastQuestion?.seq ? { replyTo: lastQuestion.seq } : {}) };
          if (await a.run(() => post('/api/team/messages', body))) {
            setText('');
            onSent();
          }
        }}
      >
        <input class="grow" style={{ width: 'auto' }} maxLength={4000} placeholder={t('ch.placeholder', { ch: name })} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
        <button class="primary" disabled={a.busy || !text.trim()}>
          {t('common.send')}
        </button>
      </form>
      <ErrorText error={a.error} />
    </div>
  );
}

export function Channels({ version }: { version: number }) {
  const list = useAsync((signal) => api('/api/team/channels', { signal }).then((x) => markAnswered(normMessages(x))), [version]);
  const all = list.data ?? [];
  return (
    <Section title={t('war.tab.channels')}>
      <ErrorText error={list.error} />
      <div class="grid2">
        <Channel id="incident" messages={all.filter((m) => m.channel === 'incident')} onSent={list.reload} />
        <Channel id="stakeholders" messages={all.filter((m) => m.channel === 'stakeholders')} onSent={list.reload} />
      </div>
    </Section>
  );
}
