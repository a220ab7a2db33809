import { api } from '../lib/api.js';
import { fmtDuration, fmtPoints, fmtSigned } from '../lib/format.js';
import { label, loc, t } from '../lib/i18n.js';
import { normBoard, type BoardTeam } from '../lib/model.js';
import { normResults, resultsFromBoard, type FaultResult, type Results, type TeamResult } from '../lib/show-model.js';
import { ErrorText, Section, useAsync } from '../lib/ui.js';
import { stateLabel } from '../spectator/Board.js';

/** The categories of the final table, in the order the scoring explains them. */
const CATEGORIES = ['recovery', 'detection', 'communication', 'review', 'availability', 'hints', 'adjustments'];
const catLabel = (c: string) => label('cat', c);
const ms = (x: number | null) => (x === null ? '—' : fmtDuration(x));

function Podium({ teams }: { teams: TeamResult[] }) {
  const top = teams.slice(0, 3);
  // Second, first, third: the winner stands in the middle.
  const order = [top[1], top[0], top[2]].filter((x): x is TeamResult => Boolean(x));
  return (
    <ol class="podium" data-testid="podium">
      {order.map((x) => (
        <li key={x.team} class={`step step-${x.rank}`} data-rank={x.rank} data-team={x.team}>
          <span class="place">{x.rank}</span>
          <span class="name">{x.name}</span>
          <span class="score">{fmtPoints(x.total)}</span>
        </li>
      ))}
    </ol>
  );
}

function FinalTable({ teams }: { teams: TeamResult[] }) {
  const cats = CATEGORIES.filter((c) => teams.some((x) => x.categories[c] !== undefined));
  return (
    <div class="scroll-x">
      <table class="table results-table" data-testid="final-table">
        <thead>
          <tr>
            <th>{t('board.rank')}</th>
            <th>{t('board.team')}</th>
            {cats.map((c) => (
              <th key={c} class="num">
                {catLabel(c)}
              </th>
            ))}
            <th class="num">{t('results.total')}</th>
          </tr>
        </thead>
        <tbody>
          {teams.map((x) => (
            <tr key={x.team} data-team={x.team}>
              <td>{x.rank}</td>
              <td>{x.name}</td>
              {cats.map((c) => (
                <td key={c} class="num">
                  {x.categories[c] !== undefined ? fmtSigned(x.categories[c]!) : '—'}
                </td>
              ))}
              <td class="num">
                <b>{fmtPoints(x.total)}</b>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FaultRow({ f }: { f: FaultResult }) {
  return (
    <li class="fault-result" data-fault={f.fault}>
      <div class="row">
        <b>{loc(f.title)}</b>
        <span class={`chip s-${f.state}`}>{stateLabel(f.state)}</span>
        <span class="muted small">
          {fmtPoints(f.points)} / {fmtPoints(f.max)}
        </span>
      </div>
      {f.cause && (
        <div class="small" data-testid="cause">
          <b>{t('results.cause')}:</b> <span class="pre">{loc(f.cause)}</span>
        </div>
      )}
      <div class="small muted">
        {t('results.detect')} {ms(f.detectMs)} · {t('results.acknowledge')} {ms(f.acknowledgeMs)} · {t('results.recover')} {ms(f.recoverMs)}
        {f.categories.communication !== undefined && ` · ${catLabel('communication')} ${fmtSigned(f.categories.communication)}`}
        {f.categories.review !== undefined && ` · ${catLabel('review')} ${fmtSigned(f.categories.review)}`}
      </div>
    </li>
  );
}

function TeamSummary({ x }: { x: TeamResult }) {
  return (
    <details class="team-result" data-testid="team-result" data-team={x.team} open={x.rank <= 3}>
      <summary>
        <b>
          {x.rank}. {x.name}
        </b>{' '}
        <span class="muted">{fmtPoints(x.total)}</span>
      </summary>
      {x.faults.length > 0 ? (
        <ul class="plain">
          {x.faults.map((f) => (
            <FaultRow key={f.fault} f={f} />
          ))}
        </ul>
      ) : (
        <p class="muted small">{t('common.none')}</p>
      )}
      {x.adjustments.length > 0 && (
        <>
          <h3>{t('results.adjustments')}</h3>
          <ul class="plain" data-testid="adjustments">
            {x.adjustments.map((a, i) => (
              <li key={a.seq ?? i} class="small">
                <b>{fmtSigned(a.points * 1000)}</b> <span class="pre">{a.reason}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </details>
  );
}

export function ResultsBody({ results }: { results: Results }) {
  return (
    <>
      <Podium teams={results.teams} />
      <FinalTable teams={results.teams} />
      {!results.partial && (
        <div class="grid2">
          {results.teams.map((x) => (
            <TeamSummary key={x.team} x={x} />
          ))}
        </div>
      )}
    </>
  );
}

/**
 * The results for everyone once the game is finished: shown by every page when it hears
 * `finished` (no reload). GET /api/results has the details; without it, the board's final table.
 */
export function ResultsView({ board, version }: { board?: BoardTeam[]; version?: unknown }) {
  const res = useAsync(
    (signal) =>
      api('/api/results', { signal }).then(normResults, async (e: unknown) => {
        // A server without the results endpoint: the final table from the board.
        if (board && board.length > 0) return resultsFromBoard(board);
        const b = await api('/api/leaderboard', { signal }).then(normBoard, () => undefined);
        if (b && b.teams.length > 0) return resultsFromBoard(b.teams);
        throw e;
      }),
    [version],
  );
  const results = res.data && res.data.teams.length > 0 ? res.data : board && board.length > 0 ? resultsFromBoard(board) : undefined;
  return (
    <Section title={t('results.title')} id="results">
      <div data-testid="results" data-partial={results?.partial ?? true}>
        {results ? <ResultsBody results={results} /> : res.loading ? <p class="muted">{t('common.loading')}</p> : <ErrorText error={res.error} />}
      </div>
    </Section>
  );
}
