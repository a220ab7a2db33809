CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`game_time` integer NOT NULL,
	`team` text,
	`type` text NOT NULL,
	`source` text NOT NULL,
	`key` text,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_key_unique` ON `events` (`key`) WHERE "events"."key" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_team_seq` ON `events` (`team`,`seq`);