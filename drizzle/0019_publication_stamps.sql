-- Issue 16: the change feed gets a publication stamp (the TAXII collections' date_added, and the feed's
-- commit-safe order) and names the record each entry concerns (a grant's entry: the record it is on).
ALTER TABLE "change_feed" ADD COLUMN "subject_kind" text;--> statement-breakpoint
ALTER TABLE "change_feed" ADD COLUMN "subject_id" uuid;--> statement-breakpoint
ALTER TABLE "change_feed" ADD COLUMN "published_at" timestamp(6) with time zone;--> statement-breakpoint
UPDATE "change_feed" SET "subject_kind" = "kind", "subject_id" = "record_id" WHERE "kind" <> 'GRANT';--> statement-breakpoint
UPDATE "change_feed" f SET "subject_kind" = CASE WHEN g."report_id" IS NULL THEN 'OBSERVATION' ELSE 'REPORT' END, "subject_id" = coalesce(g."report_id", g."observation_id")
  FROM "grants" g WHERE f."kind" = 'GRANT' AND g."id" = f."record_id";--> statement-breakpoint
-- Records written before the feed existed (or in bulk, as the sample data is) get an entry each, so the
-- feed, and the collections served from it, hold every record: a report's current revision, every
-- observation row, every grant.
INSERT INTO "change_feed" ("kind", "record_id", "subject_kind", "subject_id", "revision", "change", "origin_org_id", "tlp", "occurred_at")
  SELECT 'REPORT', r."id", 'REPORT', r."id", r."revision", 'CREATED', r."author_org_id", r."tlp", r."updated_at" FROM "reports" r
   WHERE NOT EXISTS (SELECT 1 FROM "change_feed" f WHERE f."kind" = 'REPORT' AND f."record_id" = r."id" AND f."revision" = r."revision")
  UNION ALL
  SELECT 'OBSERVATION', o."id", 'OBSERVATION', o."id", o."revision", 'CREATED', o."source_org_id", o."tlp", o."recorded_at" FROM "observations" o
   WHERE NOT EXISTS (SELECT 1 FROM "change_feed" f WHERE f."kind" = 'OBSERVATION' AND f."record_id" = o."id")
  UNION ALL
  SELECT 'GRANT', g."id", CASE WHEN g."report_id" IS NULL THEN 'OBSERVATION' ELSE 'REPORT' END, coalesce(g."report_id", g."observation_id"), NULL, 'SHARED',
         coalesce(r."author_org_id", o."source_org_id"), coalesce(r."tlp", o."tlp"), g."granted_at"
    FROM "grants" g LEFT JOIN "reports" r ON r."id" = g."report_id" LEFT JOIN "observations" o ON o."id" = g."observation_id"
   WHERE NOT EXISTS (SELECT 1 FROM "change_feed" f WHERE f."kind" = 'GRANT' AND f."record_id" = g."id");--> statement-breakpoint
-- Everything in the feed now is published now, in the order it happened, a microsecond apart.
UPDATE "change_feed" f SET "published_at" = s."stamp"
  FROM (SELECT "seq", now() + (row_number() OVER (ORDER BY "occurred_at", "seq") - 1) * interval '1 microsecond' AS "stamp" FROM "change_feed") s
 WHERE f."seq" = s."seq";--> statement-breakpoint
ALTER TABLE "change_feed" ALTER COLUMN "subject_kind" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "change_feed" ALTER COLUMN "subject_id" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "change_feed_published_idx" ON "change_feed" USING btree ("published_at");--> statement-breakpoint
CREATE INDEX "change_feed_pending_idx" ON "change_feed" USING btree ("seq") WHERE "change_feed"."published_at" is null;--> statement-breakpoint
CREATE INDEX "change_feed_subject_idx" ON "change_feed" USING btree ("subject_kind","subject_id","published_at");
