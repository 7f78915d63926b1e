CREATE TYPE "public"."country_role" AS ENUM('MEMBER_STATE', 'COUNTRY_OF_CONCERN', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."language" AS ENUM('en', 'ru');--> statement-breakpoint
CREATE TYPE "public"."organization_kind" AS ENUM('UN_ENTITY', 'SANCTIONS_COMMITTEE', 'SANCTIONS_MONITORING', 'REGIONAL_ORGANIZATION', 'MEMBER_STATE_AGENCY', 'CIVIL_SOCIETY', 'EXPERT', 'DONOR');--> statement-breakpoint
CREATE TYPE "public"."periodicity" AS ENUM('MONTHLY', 'QUARTERLY', 'ANNUAL');--> statement-breakpoint
CREATE TYPE "public"."report_kind" AS ENUM('RESEARCH', 'SITUATION_ASSESSMENT', 'INCIDENT', 'CONFERENCE_SUMMARY', 'WORKPLAN', 'BRIEFING');--> statement-breakpoint
CREATE TYPE "public"."source_reliability" AS ENUM('A', 'B', 'C', 'D', 'E', 'F');--> statement-breakpoint
CREATE TYPE "public"."tlp" AS ENUM('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED');--> statement-breakpoint
CREATE TYPE "public"."worse_direction" AS ENUM('HIGHER', 'LOWER');--> statement-breakpoint
CREATE TABLE "countries" (
	"iso3" char(3) PRIMARY KEY NOT NULL,
	"iso2" char(2) NOT NULL,
	"name_en" text NOT NULL,
	"name_ru" text NOT NULL,
	"role" "country_role" NOT NULL,
	CONSTRAINT "countries_iso2_unique" UNIQUE("iso2")
);
--> statement-breakpoint
CREATE TABLE "organization_parents" (
	"organization_id" text NOT NULL,
	"parent_id" text NOT NULL,
	CONSTRAINT "organization_parents_organization_id_parent_id_pk" PRIMARY KEY("organization_id","parent_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" text PRIMARY KEY NOT NULL,
	"acronym" text NOT NULL,
	"name_en" text NOT NULL,
	"name_ru" text NOT NULL,
	"kind" "organization_kind" NOT NULL,
	"country_iso3" char(3),
	"focal_point_name" text,
	"focal_point_email" text,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicators" (
	"code" text PRIMARY KEY NOT NULL,
	"name_en" text NOT NULL,
	"name_ru" text NOT NULL,
	"description_en" text NOT NULL,
	"description_ru" text NOT NULL,
	"theme" text NOT NULL,
	"unit" text NOT NULL,
	"periodicity" "periodicity" NOT NULL,
	"worse_direction" "worse_direction" NOT NULL,
	"methodology" text NOT NULL,
	"threshold_watch" double precision NOT NULL,
	"threshold_warning" double precision NOT NULL,
	"threshold_critical" double precision NOT NULL,
	"min_value" double precision,
	"max_value" double precision
);
--> statement-breakpoint
CREATE TABLE "report_countries" (
	"report_id" uuid NOT NULL,
	"country_iso3" char(3) NOT NULL,
	CONSTRAINT "report_countries_report_id_country_iso3_pk" PRIMARY KEY("report_id","country_iso3")
);
--> statement-breakpoint
CREATE TABLE "report_indicators" (
	"report_id" uuid NOT NULL,
	"indicator_code" text NOT NULL,
	CONSTRAINT "report_indicators_report_id_indicator_code_pk" PRIMARY KEY("report_id","indicator_code")
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title_en" text,
	"title_ru" text,
	"summary" text NOT NULL,
	"body" text NOT NULL,
	"language" "language" NOT NULL,
	"kind" "report_kind" NOT NULL,
	"topics" text[] DEFAULT '{}'::text[] NOT NULL,
	"author_org_id" text NOT NULL,
	"author_sub" text NOT NULL,
	"published_at" timestamp (3) with time zone NOT NULL,
	"tlp" "tlp" NOT NULL,
	"source_reliability" "source_reliability" NOT NULL,
	"information_credibility" smallint NOT NULL,
	"source_description" text,
	"sanctions_references" text[] DEFAULT '{}'::text[] NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"retracted_at" timestamp (3) with time zone,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('russian'::regconfig, coalesce(title_en, '') || ' ' || coalesce(title_ru, '')), 'A') || setweight(to_tsvector('russian'::regconfig, summary), 'B') || setweight(to_tsvector('russian'::regconfig, body), 'C')) STORED,
	CONSTRAINT "reports_title_present" CHECK (coalesce("reports"."title_en", "reports"."title_ru") is not null),
	CONSTRAINT "reports_credibility_range" CHECK ("reports"."information_credibility" between 1 and 6)
);
--> statement-breakpoint
CREATE TABLE "observations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"indicator_code" text NOT NULL,
	"country_iso3" char(3) NOT NULL,
	"period_start" date NOT NULL,
	"value" double precision NOT NULL,
	"source_org_id" text NOT NULL,
	"recorded_by_sub" text NOT NULL,
	"tlp" "tlp" NOT NULL,
	"source_reliability" "source_reliability" NOT NULL,
	"information_credibility" smallint NOT NULL,
	"note" text,
	"revision" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"superseded_at" timestamp (3) with time zone,
	CONSTRAINT "observations_credibility_range" CHECK ("observations"."information_credibility" between 1 and 6)
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid,
	"observation_id" uuid,
	"grantee_org_id" text,
	"grantee_sub" text,
	"purpose" text NOT NULL,
	"expires_at" timestamp (3) with time zone,
	"granted_by_sub" text NOT NULL,
	"granted_by_org_id" text NOT NULL,
	"granted_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	"revoked_by_sub" text,
	CONSTRAINT "grants_one_subject" CHECK (("grants"."report_id" is null) <> ("grants"."observation_id" is null)),
	CONSTRAINT "grants_one_grantee" CHECK (("grants"."grantee_org_id" is null) <> ("grants"."grantee_sub" is null))
);
--> statement-breakpoint
CREATE TABLE "meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organization_parents" ADD CONSTRAINT "organization_parents_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_parents" ADD CONSTRAINT "organization_parents_parent_id_organizations_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_country_iso3_countries_iso3_fk" FOREIGN KEY ("country_iso3") REFERENCES "public"."countries"("iso3") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_countries" ADD CONSTRAINT "report_countries_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_countries" ADD CONSTRAINT "report_countries_country_iso3_countries_iso3_fk" FOREIGN KEY ("country_iso3") REFERENCES "public"."countries"("iso3") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_indicators" ADD CONSTRAINT "report_indicators_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_indicators" ADD CONSTRAINT "report_indicators_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_author_org_id_organizations_id_fk" FOREIGN KEY ("author_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_country_iso3_countries_iso3_fk" FOREIGN KEY ("country_iso3") REFERENCES "public"."countries"("iso3") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_source_org_id_organizations_id_fk" FOREIGN KEY ("source_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_observation_id_observations_id_fk" FOREIGN KEY ("observation_id") REFERENCES "public"."observations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_grantee_org_id_organizations_id_fk" FOREIGN KEY ("grantee_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_granted_by_org_id_organizations_id_fk" FOREIGN KEY ("granted_by_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "organization_parents_parent_idx" ON "organization_parents" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "organizations_kind_idx" ON "organizations" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "organizations_country_idx" ON "organizations" USING btree ("country_iso3");--> statement-breakpoint
CREATE INDEX "indicators_theme_idx" ON "indicators" USING btree ("theme");--> statement-breakpoint
CREATE INDEX "report_countries_country_idx" ON "report_countries" USING btree ("country_iso3","report_id");--> statement-breakpoint
CREATE INDEX "report_indicators_indicator_idx" ON "report_indicators" USING btree ("indicator_code");--> statement-breakpoint
CREATE INDEX "reports_published_idx" ON "reports" USING btree ("published_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reports_updated_idx" ON "reports" USING btree ("updated_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reports_author_published_idx" ON "reports" USING btree ("author_org_id","published_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reports_tlp_idx" ON "reports" USING btree ("tlp");--> statement-breakpoint
CREATE INDEX "reports_kind_idx" ON "reports" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "reports_topics_idx" ON "reports" USING gin ("topics");--> statement-breakpoint
CREATE INDEX "reports_search_idx" ON "reports" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "observations_series_idx" ON "observations" USING btree ("indicator_code","country_iso3","period_start" DESC NULLS LAST,"recorded_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "observations_country_idx" ON "observations" USING btree ("country_iso3","indicator_code","period_start" DESC NULLS LAST,"recorded_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "observations_source_idx" ON "observations" USING btree ("source_org_id");--> statement-breakpoint
CREATE INDEX "observations_current_idx" ON "observations" USING btree ("country_iso3","indicator_code","period_start" DESC NULLS LAST) WHERE "observations"."superseded_at" is null;--> statement-breakpoint
CREATE INDEX "grants_report_idx" ON "grants" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "grants_observation_idx" ON "grants" USING btree ("observation_id");--> statement-breakpoint
CREATE INDEX "grants_grantee_org_idx" ON "grants" USING btree ("grantee_org_id");--> statement-breakpoint
CREATE INDEX "grants_grantee_sub_idx" ON "grants" USING btree ("grantee_sub");