-- Provenance of a value (issue 15): how settled it is (status; values recorded before say nothing, and are taken as
-- FINAL, the default a writer gets when it does not say) and the report it rests on. indicators.disclose_withheld is
-- the owner's choice to tell readers of values they may not see; off for every indicator (the safe default).
ALTER TABLE "indicators" ADD COLUMN "disclose_withheld" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "observations" ADD COLUMN "status" text DEFAULT 'FINAL' NOT NULL;--> statement-breakpoint
ALTER TABLE "observations" ADD COLUMN "source_report_id" uuid;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_source_report_id_reports_id_fk" FOREIGN KEY ("source_report_id") REFERENCES "public"."reports"("id") ON DELETE no action ON UPDATE no action;