-- One value in force per source and period. Two first writes of the same value that raced could both
-- have stayed in force: each such group keeps its latest (by revision, recording time, id) in force and
-- the others are marked superseded at the time the next one was recorded; nothing is deleted.
WITH ranked AS (
  SELECT id, lead(recorded_at) OVER (PARTITION BY indicator_code, country_iso3, period_start, source_org_id ORDER BY revision, recorded_at, id) AS next_recorded_at
  FROM observations WHERE superseded_at IS NULL
)
UPDATE observations o SET superseded_at = ranked.next_recorded_at FROM ranked WHERE ranked.id = o.id AND ranked.next_recorded_at IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "observations_in_force_key" ON "observations" USING btree ("indicator_code","country_iso3","period_start","source_org_id") WHERE "observations"."superseded_at" is null;
