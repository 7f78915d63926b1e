-- Alerts follow the values (issue 15): a write re-evaluates the periods it affects and supersedes alerts
-- that no longer hold (kept: superseded_at and the revision that showed it); known_at is when the condition
-- became known (the latest recorded time of the alert's values), the time lists order by, where raised_at
-- was only when the row was written; historical marks back-filled history (never notified). Indicators say
-- whether they count events (scale: the TREND rule judges counts by a count model) and may let TREND fire
-- below the watch level (trend_below_watch).
ALTER TABLE "indicators" ADD COLUMN "scale" text DEFAULT 'MEASURE' NOT NULL;--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "trend_below_watch" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- The units of whole events among the network's indicators (src/db/seed/indicators.ts COUNT_UNITS).
UPDATE "indicators" SET "scale" = 'COUNT' WHERE "unit" IN ('items', 'accounts', 'cases', 'sessions', 'incidents', 'persons', 'plots', 'fighters', 'reports', 'campaigns', 'attempts', 'matches');--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "tail_probability" double precision;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "known_at" timestamp (3) with time zone;--> statement-breakpoint
-- Existing alerts: known when the latest of their values was recorded (raised_at if none is found).
UPDATE "alerts" AS a SET "known_at" = coalesce(
  (SELECT max(o."recorded_at") FROM "observations" AS o WHERE o."id" = ANY (a."observation_ids")), a."raised_at");--> statement-breakpoint
ALTER TABLE "alerts" ALTER COLUMN "known_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "historical" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "superseded_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "superseded_by_observation_id" uuid;--> statement-breakpoint
CREATE INDEX "alerts_known_idx" ON "alerts" USING btree ("known_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "alerts_period_idx" ON "alerts" USING btree ("period_start" DESC NULLS LAST,"id" DESC NULLS LAST);
