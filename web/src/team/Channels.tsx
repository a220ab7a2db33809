import { useEffect, useRef, useState } from 'preact/hooks';
import { api, post } from '../lib/api.js';
import { fmtClock, fmtDuration } from '../lib/format.js';
import { getLang, loc, t, type Key } from '../lib/i18n.js';
import { clientId, ErrorText, nameField, Section, useAction, useAsync } from '../lib/ui.js';
import { markAnswered, type Channels as ChannelsAnswer, type Message } from './model.js';

/** A persona's name in the viewer's language (the scenario has both). */
export const whoOf = (m: Message): string => (m.personaName ? loc(m.personaName) : m.author.name);
const isQuestion = (m: Message): boolean => m.question !== undefined || m.expectsAnswer === true;
/** A question's state: the server's, or open/answered from the replies seen. */
export const questionState = (m: Message): string => m.question?.state ?? (m.answered ? 'answered' : 'open');

export function QuestionFacts({ m }: { m: Message }) {
  const q = m.question;
  const state = questionState(m);
  return (
    <span class="q-facts">
      <span class={`chip small q-${state}`} data-testid="question-state" data-state={state}>
        {t(`q.${state}` as Key)}
      </span>
      {q?.substance && !q.substance.ok && (
        <span class="chip small q-unanswered" title={loc(q.substance.reason)}>
          {t('q.noSubstance')}
          {q.substance.reason ? `: ${loc(q.substance.reason)}` : ''}
        </span>
      )}
      {q?.findings?.map((f) => (
        <span key={f.element} class={`chip small ${f.found ? 'q-answered' : 'q-unanswered'}`} data-element={f.element} title={loc(f.explanation)}>
          {f.element}: {t(f.found ? 'q.found' : 'q.missing')}
        </span>
      ))}
    </span>
  );
}

function Line({ m, onReply }: { m: Message; onReply?: (m: Message) => void }) {
  return (
    <div class={`msg ${m.author.kind}`} data-seq={m.seq}>
      <span class="who">{whoOf(m)}</span>
      <time>{fmtClock(m.at)}</time>
      {isQuestion(m) && <QuestionFacts m={m} />}
      {/* Text a person typed: a text node, never HTML. */}
      <div class="text">{getLang() === 'ja' && m.textJa ? m.textJa : m.text}</div>
      {onReply && m.author.kind === 'persona' && (
        <button type="button" class="ghost small reply" data-testid="reply" onClick={() => onReply(m)}>
          ↩ {t('thread.reply')}
        </button>
      )}
    </div>
  );
}

/** Messages as threads (as in Slack): a reply sits under the message it answers. */
export function MessageList({ messages, onReply }: { messages: Message[]; onReply?: (m: Message) => void }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: 'nearest' }), [messages.length]);
  const seqs = new Set<number>(messages.map((m) => m.seq));
  const replies = new Map<number, Message[]>();
  for (const m of messages) if (m.replyTo !== undefined && seqs.has(m.replyTo)) replies.set(m.replyTo, [...(replies.get(m.replyTo) ?? []), m]);
  const roots = messages.filter((m) => m.replyTo === undefined || !seqs.has(m.replyTo));
  return (
    <ol class="messages" data-testid="messages">
      {roots.map((m) => (
        <li key={m.seq} data-seq={m.seq}>
          <Line m={m} onReply={onReply} />
          {replies.has(m.seq) && (
            <ol class="thread" data-testid="thread" data-parent={m.seq}>
              {replies.get(m.seq)!.map((r) => (
                <li key={r.seq}>
                  <Line m={r} />
                </li>
              ))}
            </ol>
          )}
        </li>
      ))}
      <li ref={end} aria-hidden="true" />
    </ol>
  );
}

function Channel({ id, messages, onSent }: { id: 'incident' | 'stakeholders'; messages: Message[]; onSent(): void }) {
  const [text, setText] = useState('');
  const [replyTo, setReplyTo] = useState<Message>();
  const a = useAction();
  const input = useRef<HTMLInputElement>(null);
  const name = t(id === 'incident' ? 'ch.incident' : 'ch.stakeholders');
  return (
    <div data-testid={`channel-${id}`}>
      <h3>{name}</h3>
      <MessageList
        messages={messages}
        onReply={(m) => {
          setReplyTo(m);
          input.current?.focus();
        }}
      />
      {replyTo && (
        <div class="row small replying" data-testid="replying" data-reply-to={replyTo.seq}>
          <span class="muted grow">
            {t('thread.replyingTo', { who: whoOf(replyTo) })}: “{(getLang() === 'ja' && replyTo.textJa ? replyTo.textJa : replyTo.text).slice(0, 80)}”
          </span>
          <button type="button" class="ghost" onClick={() => setReplyTo(undefined)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <form
        class="row"
        onSubmit={async (e) => {
          e.preventDefault();
          // An explicit reply answers that question; a plain message answers at most the oldest open one (the server decides).
          const body = { channel: id, text: text.trim(), clientId: clientId(), ...nameField(), ...(replyTo ? { replyTo: replyTo.seq } : {}) };
          if (await a.run(() => post('/api/team/messages', body))) {
            setText('');
            setReplyTo(undefined);
            onSent();
          }
        }}
      >
        <input ref={input} class="grow" style={{ width: 'auto' }} maxLength={4000} placeholder={t('ch.placeholder', { ch: name })} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
        <button class="primary" disabled={a.busy || !text.trim()}>
          {t('common.send')}
        </button>
      </form>
      <ErrorText error={a.error} />
    </div>
  );
}

/** The questions still waiting for the team, oldest first, with their age. */
export function OpenQuestions({ messages }: { messages: Message[] }) {
  const open = messages.filter((m) => isQuestion(m) && questionState(m) === 'open');
  if (open.length === 0) return null;
  return (
    <div class="open-questions" data-testid="open-questions">
      <h3>{t('q.title')}</h3>
      <ul class="plain">
        {open.map((m) => (
          <li key={m.seq} data-seq={m.seq} class="small">
            <b>{whoOf(m)}</b> <span class="muted">({t(m.channel === 'incident' ? 'ch.incident' : 'ch.stakeholders')})</span>{' '}
            <span class="clock">{t('q.age', { d: fmtDuration(Date.now() - m.at) })}</span>
            <div class="pre">{getLang() === 'ja' && m.textJa ? m.textJa : m.text}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export const loadMessages = (signal: AbortSignal) => api<ChannelsAnswer>('/api/team/channels', { signal }).then((x) => markAnswered(x.messages));

export function Channels({ version }: { version: number }) {
  const list = useAsync(loadMessages, [version]);
  const all = list.data ?? [];
  return (
    <Section title={t('war.tab.channels')}>
      <ErrorText error={list.error} />
      <OpenQuestions messages={all} />
      <div class="grid2">
        <Channel id="incident" messages={all.filter((m) => m.channel === 'incident')} onSent={list.reload} />
        <Channel id="stakeholders" messages={all.filter((m) => m.channel === 'stakeholders')} onSent={list.reload} />
      </div>
    </Section>
  );
}
