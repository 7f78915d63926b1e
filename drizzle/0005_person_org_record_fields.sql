DROP INDEX "grants_active_sub_idx";--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "grantee_person_org_id" text;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "record_fields" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_grantee_person_org_id_organizations_id_fk" FOREIGN KEY ("grantee_person_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "grants_active_sub_idx" ON "grants" USING btree ("grantee_sub","grantee_person_org_id","report_id","observation_id","expires_at") WHERE "grants"."revoked_at" is null;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_person_org_with_person" CHECK ("grants"."grantee_person_org_id" is null or "grants"."grantee_sub" is not null);