import { useLayoutEffect, useRef } from 'preact/hooks';
import { fmtDuration, fmtPoints } from '../lib/format.js';
import { label, loc, t } from '../lib/i18n.js';
import type { BoardTeam } from '../lib/model.js';
import { TrafficLine } from '../show/BigScreen.js';

/** A fault state (or timeline moment) in words; an unknown one readably, never a crash. */
export function stateLabel(state: string): string {
  return label('state', state);
}

const OPEN = new Set(['injected', 'detected', 'acknowledged', 'recovered']);

export function FaultChip({ fault, now }: { fault: BoardTeam['fault']; now: number }) {
  // Spectators see nothing before injection ("armed" would hint that a fault is coming).
  if (!fault || fault.state === 'pending' || fault.state === 'armed') return null;
  const since = fault.injectedAt !== undefined && OPEN.has(fault.state) ? now - fault.injectedAt : undefined;
  return (
    <>
      {/* A long title gives way (ellipsis); the state word always shows. */}
      <span class={`chip fault-chip s-${fault.state}`} data-testid="fault-state" data-state={fault.state} title={fault.title ? loc(fault.title) : undefined}>
        {fault.title && <span class="fault-title">{loc(fault.title)}</span>}
        {fault.title && <span class="fault-sep"> · </span>}
        <span class="fault-phase">{stateLabel(fault.state)}</span>
      </span>
      {since !== undefined && <span class="clock">{t('board.since', { d: fmtDuration(since) })}</span>}
    </>
  );
}

/**
 * The ranked list. Rank changes animate with FLIP: after each render, a row that moved is put back
 * where it was with a transform and then let go, so it glides to its new place.
 */
export function BoardList({ teams, now, selected, onSelect }: { teams: BoardTeam[]; now: number; selected?: string; onSelect(id: string): void }) {
  const els = useRef(new Map<string, HTMLElement>());
  const lastTop = useRef(new Map<string, number>());
  const lastPoints = useRef(new Map<string, number>());

  useLayoutEffect(() => {
    const tops = new Map<string, number>();
    for (const [id, el] of els.current) {
      const top = el.offsetTop; // layout position, unaffected by transforms
      tops.set(id, top);
      const before = lastTop.current.get(id);
      if (before !== undefined && before !== top) {
        el.style.transition = 'none';
        el.style.transform = `translateY(${before - top}px)`;
        el.dataset.moved = before > top ? 'up' : 'down';
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            el.style.transition = 'transform 700ms cubic-bezier(.2,.8,.2,1)';
            el.style.transform = '';
          }),
        );
      }
    }
    lastTop.current = tops;
    for (const team of teams) {
      const prev = lastPoints.current.get(team.id);
      const el = els.current.get(team.id);
      if (el && prev !== undefined && prev !== team.points) {
        el.classList.remove('bump');
        void el.offsetWidth; // restart the animation
        el.classList.add('bump');
      }
      lastPoints.current.set(team.id, team.points);
    }
  });

  if (teams.length === 0) return <p class="muted">{t('board.empty')}</p>;
  return (
    <ol class="board" data-testid="board">
      {teams.map((team) => (
        <li
          key={team.id}
          class="board-row"
          role="button"
          tabIndex={0}
          aria-expanded={selected === team.id}
          data-team={team.id}
          data-rank={team.rank}
          ref={(el) => {
            if (el) els.current.set(team.id, el);
            else els.current.delete(team.id);
          }}
          onClick={() => onSelect(team.id)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              onSelect(team.id);
            }
          }}
        >
          <span class="rank">{team.rank}</span>
          <span class="name">{team.name}</span>
          <span class="score" data-testid="score" data-milli={team.points}>
            {fmtPoints(team.points)}
          </span>
          <span class="sub">
            <FaultChip fault={team.fault} now={now} />
            <TrafficLine team={team} />
            <a class="use-link" href={`/t/${encodeURIComponent(team.id)}/`} target="_blank" rel="noopener" data-testid="use-service" onClick={(e) => e.stopPropagation()}>
              {t('traffic.use')} ↗
            </a>
          </span>
        </li>
      ))}
    </ol>
  );
}
