-- Issue 16: reports imported from STIX keep their STIX id and version; TAXII write statuses.
CREATE TABLE "taxii_statuses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"requested_at" timestamp (3) with time zone NOT NULL,
	"resource" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "stix_id" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "stix_modified" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "taxii_statuses" ADD CONSTRAINT "taxii_statuses_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "taxii_statuses_org_idx" ON "taxii_statuses" USING btree ("organization_id","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reports_author_stix_id_idx" ON "reports" USING btree ("author_org_id","stix_id");