-- Issue 15: a country may have its own thresholds for an indicator, and a count may be judged per 100,000
-- population (figures per country and year, with their source). Nothing to backfill: every existing
-- indicator keeps the ABSOLUTE basis and its thresholds, so every level and alert stays what it was.
CREATE TABLE "country_populations" (
	"country_iso3" char(3) NOT NULL,
	"year" integer NOT NULL,
	"population" bigint NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "country_populations_country_iso3_year_pk" PRIMARY KEY("country_iso3","year")
);
--> statement-breakpoint
CREATE TABLE "indicator_country_thresholds" (
	"indicator_code" text NOT NULL,
	"country_iso3" char(3) NOT NULL,
	"threshold_watch" double precision NOT NULL,
	"threshold_warning" double precision NOT NULL,
	"threshold_critical" double precision NOT NULL,
	"note" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_country_thresholds_indicator_code_country_iso3_pk" PRIMARY KEY("indicator_code","country_iso3")
);
--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "threshold_basis" text DEFAULT 'ABSOLUTE' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "rate" double precision;--> statement-breakpoint
ALTER TABLE "country_populations" ADD CONSTRAINT "country_populations_country_iso3_countries_iso3_fk" FOREIGN KEY ("country_iso3") REFERENCES "public"."countries"("iso3") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_country_thresholds" ADD CONSTRAINT "indicator_country_thresholds_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_country_thresholds" ADD CONSTRAINT "indicator_country_thresholds_country_iso3_countries_iso3_fk" FOREIGN KEY ("country_iso3") REFERENCES "public"."countries"("iso3") ON DELETE no action ON UPDATE no action;