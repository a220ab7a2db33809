import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** The one append-only table. Only src/events/ touches it. */
export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    gameTime: integer('game_time').notNull(),
    team: text('team'),
    type: text('type').notNull(),
    source: text('source').notNull(),
    key: text('key'),
    data: text('data').notNull(),
  },
  (t) => [
    uniqueIndex('events_key_unique').on(t.key).where(sql`${t.key} IS NOT NULL`),
    index('events_team_seq').on(t.team, t.seq),
  ],
);
