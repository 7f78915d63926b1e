CREATE TABLE "country_group_members" (
	"group_code" text NOT NULL,
	"country_iso3" char(3) NOT NULL,
	CONSTRAINT "country_group_members_group_code_country_iso3_pk" PRIMARY KEY("group_code","country_iso3")
);
--> statement-breakpoint
CREATE TABLE "country_groups" (
	"code" text PRIMARY KEY NOT NULL,
	"name_en" text NOT NULL,
	"name_ru" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicator_countries" (
	"indicator_code" text NOT NULL,
	"country_iso3" char(3) NOT NULL,
	CONSTRAINT "indicator_countries_indicator_code_country_iso3_pk" PRIMARY KEY("indicator_code","country_iso3")
);
--> statement-breakpoint
CREATE TABLE "indicator_country_groups" (
	"indicator_code" text NOT NULL,
	"group_code" text NOT NULL,
	CONSTRAINT "indicator_country_groups_indicator_code_group_code_pk" PRIMARY KEY("indicator_code","group_code")
);
--> statement-breakpoint
ALTER TABLE "country_group_members" ADD CONSTRAINT "country_group_members_group_code_country_groups_code_fk" FOREIGN KEY ("group_code") REFERENCES "public"."country_groups"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "country_group_members" ADD CONSTRAINT "country_group_members_country_iso3_countries_iso3_fk" FOREIGN KEY ("country_iso3") REFERENCES "public"."countries"("iso3") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_countries" ADD CONSTRAINT "indicator_countries_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_countries" ADD CONSTRAINT "indicator_countries_country_iso3_countries_iso3_fk" FOREIGN KEY ("country_iso3") REFERENCES "public"."countries"("iso3") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_country_groups" ADD CONSTRAINT "indicator_country_groups_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_country_groups" ADD CONSTRAINT "indicator_country_groups_group_code_country_groups_code_fk" FOREIGN KEY ("group_code") REFERENCES "public"."country_groups"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "country_group_members_country_idx" ON "country_group_members" USING btree ("country_iso3","group_code");--> statement-breakpoint
-- Indicators declare where they apply (issue 15): countries named one by one (indicator_countries) and
-- country groups, roles countries share (country_groups, country_group_members), whose members they apply
-- to; src/db/applicability.ts is the rule. Writes outside it are refused; lists hold applicable series only.
--
-- Existing databases:
-- 1. The groups are geography, true of any database that holds these countries (Tajikistan, Turkmenistan
--    and Uzbekistan border Afghanistan): added when the database holds countries, with those of their
--    members it holds (an empty database gets them from the seed).
INSERT INTO "country_groups" ("code", "name_en", "name_ru")
SELECT g.* FROM (VALUES
  ('CENTRAL_ASIA', 'Central Asian states', 'государства Центральной Азии'),
  ('AFGHANISTAN_NEIGHBOURS', 'states bordering Afghanistan', 'государства, граничащие с Афганистаном')
) AS g("code", "name_en", "name_ru")
WHERE EXISTS (SELECT 1 FROM "countries");--> statement-breakpoint
INSERT INTO "country_group_members" ("group_code", "country_iso3")
SELECT m."group_code", m."country_iso3" FROM (VALUES
  ('CENTRAL_ASIA', 'KAZ'), ('CENTRAL_ASIA', 'KGZ'), ('CENTRAL_ASIA', 'TJK'), ('CENTRAL_ASIA', 'TKM'), ('CENTRAL_ASIA', 'UZB'),
  ('AFGHANISTAN_NEIGHBOURS', 'TJK'), ('AFGHANISTAN_NEIGHBOURS', 'TKM'), ('AFGHANISTAN_NEIGHBOURS', 'UZB')
) AS m("group_code", "country_iso3")
JOIN "country_groups" AS g ON g."code" = m."group_code"
JOIN "countries" AS c ON c."iso3" = m."country_iso3";--> statement-breakpoint
-- 2. The network's sample indicators, by code, get the sample's declarations (src/db/seed/indicators.ts):
--    the Central Asian states; incidents and casualties also Afghanistan; the Afghan border's incidents
--    and displacement the states bordering Afghanistan; the militants in northern Afghanistan Afghanistan.
INSERT INTO "indicator_country_groups" ("indicator_code", "group_code")
SELECT d."indicator_code", d."group_code" FROM (VALUES
  ('OP-01', 'CENTRAL_ASIA'), ('OP-02', 'CENTRAL_ASIA'), ('OP-03', 'CENTRAL_ASIA'), ('OP-04', 'CENTRAL_ASIA'),
  ('RR-01', 'CENTRAL_ASIA'), ('RR-02', 'CENTRAL_ASIA'), ('RR-03', 'CENTRAL_ASIA'),
  ('VE-01', 'CENTRAL_ASIA'), ('VE-02', 'CENTRAL_ASIA'), ('VE-03', 'CENTRAL_ASIA'), ('VE-04', 'CENTRAL_ASIA'),
  ('FTF-01', 'CENTRAL_ASIA'), ('FTF-02', 'CENTRAL_ASIA'), ('FTF-03', 'CENTRAL_ASIA'),
  ('AFG-01', 'AFGHANISTAN_NEIGHBOURS'), ('AFG-03', 'AFGHANISTAN_NEIGHBOURS'),
  ('TF-01', 'CENTRAL_ASIA'), ('TF-02', 'CENTRAL_ASIA'), ('TF-03', 'CENTRAL_ASIA'),
  ('BS-01', 'CENTRAL_ASIA'), ('BS-02', 'CENTRAL_ASIA'), ('BS-03', 'CENTRAL_ASIA'),
  ('PR-01', 'CENTRAL_ASIA'), ('PR-02', 'CENTRAL_ASIA'), ('PR-03', 'CENTRAL_ASIA'),
  ('SI-01', 'CENTRAL_ASIA'), ('SI-02', 'CENTRAL_ASIA'), ('SI-03', 'CENTRAL_ASIA'),
  ('WP-01', 'CENTRAL_ASIA')
) AS d("indicator_code", "group_code")
JOIN "indicators" AS i ON i."code" = d."indicator_code"
JOIN "country_groups" AS g ON g."code" = d."group_code";--> statement-breakpoint
INSERT INTO "indicator_countries" ("indicator_code", "country_iso3")
SELECT d."indicator_code", d."country_iso3" FROM (VALUES ('VE-01', 'AFG'), ('VE-04', 'AFG'), ('AFG-02', 'AFG')) AS d("indicator_code", "country_iso3")
JOIN "indicators" AS i ON i."code" = d."indicator_code"
JOIN "countries" AS c ON c."iso3" = d."country_iso3";--> statement-breakpoint
-- 3. Every other indicator (an operator's own) keeps applying to every country, as all did: nothing that
--    is recorded today starts being refused. An operator narrows it by deleting rows of indicator_countries
--    (or declares a group instead).
INSERT INTO "indicator_countries" ("indicator_code", "country_iso3")
SELECT i."code", c."iso3" FROM "indicators" AS i CROSS JOIN "countries" AS c
WHERE NOT EXISTS (SELECT 1 FROM "indicator_country_groups" AS d WHERE d."indicator_code" = i."code")
  AND NOT EXISTS (SELECT 1 FROM "indicator_countries" AS d WHERE d."indicator_code" = i."code");
-- 4. Values already recorded for a pair that no longer applies (a database seeded before this change holds
--    five years of AFG-01 for Kazakhstan) are kept, unchanged: nothing is deleted. They form no series, so
--    the series views leave them out (nested observation lists, latestValues, alert lists), while the
--    export (/export/observations.*) still gives every value the viewer may see, these included, and an
--    alert's `observations` still reads the values behind it. Declaring the pair again (a row of
--    indicator_countries) brings them back into the lists. They are these rows:
--      SELECT o.* FROM observations o WHERE NOT EXISTS (SELECT 1 FROM indicator_countries n
--          WHERE n.indicator_code = o.indicator_code AND n.country_iso3 = o.country_iso3)
--        AND NOT EXISTS (SELECT 1 FROM indicator_country_groups d JOIN country_group_members m USING (group_code)
--          WHERE d.indicator_code = o.indicator_code AND m.country_iso3 = o.country_iso3);
