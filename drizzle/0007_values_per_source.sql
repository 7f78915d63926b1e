-- A value is one source's figure for an indicator, country and period (issue 15): revisions are counted,
-- and superseded, per source. Before, a value of any source superseded the value in force of every other
-- source for the same period; those values are restored to force, nothing is deleted.
WITH numbered AS (
  SELECT id, row_number() OVER (PARTITION BY indicator_code, country_iso3, period_start, source_org_id ORDER BY revision, recorded_at, id) AS n
  FROM observations
)
UPDATE observations o SET revision = numbered.n FROM numbered WHERE numbered.id = o.id AND o.revision <> numbered.n;--> statement-breakpoint
UPDATE observations o SET superseded_at = (
  SELECT next.recorded_at FROM observations next
  WHERE next.indicator_code = o.indicator_code AND next.country_iso3 = o.country_iso3 AND next.period_start = o.period_start
    AND next.source_org_id = o.source_org_id AND next.revision = o.revision + 1
);--> statement-breakpoint
-- An alert belongs to the series of the value it was raised for: the first of its observations.
ALTER TABLE "alerts" ADD COLUMN "source_org_id" text;--> statement-breakpoint
UPDATE alerts a SET source_org_id = (SELECT o.source_org_id FROM observations o WHERE o.id = a.observation_ids[1]);--> statement-breakpoint
ALTER TABLE "alerts" ALTER COLUMN "source_org_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_source_org_id_organizations_id_fk" FOREIGN KEY ("source_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
