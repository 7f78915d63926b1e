CREATE TABLE "report_versions" (
	"report_id" uuid NOT NULL,
	"revision" integer NOT NULL,
	"snapshot" jsonb NOT NULL,
	"replaced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"replaced_by_sub" text NOT NULL,
	CONSTRAINT "report_versions_report_id_revision_pk" PRIMARY KEY("report_id","revision")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"indicator_code" text NOT NULL,
	"country_iso3" char(3) NOT NULL,
	"period_start" date NOT NULL,
	"level" text NOT NULL,
	"rule" text NOT NULL,
	"value" double precision NOT NULL,
	"threshold" double precision,
	"baseline_mean" double precision,
	"baseline_std_dev" double precision,
	"z_score" double precision,
	"tlp" "tlp" NOT NULL,
	"observation_ids" uuid[] NOT NULL,
	"status" text DEFAULT 'OPEN' NOT NULL,
	"raised_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp (3) with time zone,
	"acknowledged_by_sub" text,
	"acknowledged_by_org_id" text,
	"acknowledgement_note" text
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"organization_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"observation_ids" uuid[] NOT NULL,
	"alert_ids" uuid[] NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_organization_id_key_pk" PRIMARY KEY("organization_id","key")
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "retraction_reason" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "tearline_of" uuid;--> statement-breakpoint
ALTER TABLE "report_versions" ADD CONSTRAINT "report_versions_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_country_iso3_countries_iso3_fk" FOREIGN KEY ("country_iso3") REFERENCES "public"."countries"("iso3") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_acknowledged_by_org_id_organizations_id_fk" FOREIGN KEY ("acknowledged_by_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_raised_idx" ON "alerts" USING btree ("raised_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "alerts_series_idx" ON "alerts" USING btree ("indicator_code","country_iso3","period_start","rule");--> statement-breakpoint
CREATE INDEX "alerts_country_idx" ON "alerts" USING btree ("country_iso3","raised_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "alerts_open_idx" ON "alerts" USING btree ("status") WHERE "alerts"."status" = 'OPEN';--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_tearline_of_reports_id_fk" FOREIGN KEY ("tearline_of") REFERENCES "public"."reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reports_tearline_of_idx" ON "reports" USING btree ("tearline_of");