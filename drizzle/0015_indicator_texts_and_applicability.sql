-- Two changes of wt-indicators, one migration here (their branch numbered them 0012 and 0013, numbers main had
-- taken): the indicators' texts in Russian, then where each indicator applies.
-- Indicators' unit and methodology in Russian too (issue 15): under `lang: RU` they were English. The
-- English texts keep their columns (`unit`, `methodology`); the Russian ones sit beside them, NOT NULL as
-- name_ru and description_ru are. Existing rows: the network's sample indicators get their Russian text
-- (src/db/seed/indicators.ts), matched by code AND the English text, so an indicator whose unit or
-- methodology an operator has since changed is not given a translation of the old text; every other row
-- gets its English text copied (pick() serves it under RU as before, until someone translates it).
ALTER TABLE "indicators" ADD COLUMN "unit_ru" text;--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "methodology_ru" text;--> statement-breakpoint
CREATE TEMPORARY TABLE "sample_indicator_texts" ("code" text, "unit" text, "unit_ru" text, "methodology" text, "methodology_ru" text);--> statement-breakpoint
INSERT INTO "sample_indicator_texts" VALUES
  ('OP-01', 'items', 'материалов', 'Monthly count of unique items flagged by national monitoring units; duplicates across platforms are counted once.', 'Число уникальных материалов, отмеченных за месяц национальными подразделениями мониторинга; материал, размещённый на нескольких платформах, учитывается один раз.'),
  ('OP-02', '%', '%', 'Removed items divided by items flagged in the month, as reported by the national referral unit.', 'Отношение числа удалённых материалов к числу материалов, выявленных за месяц, по данным национального подразделения, направляющего уведомления платформам.'),
  ('OP-03', 'accounts', 'аккаунтов', 'Accounts first observed in the month by the monitoring units; reactivated accounts are excluded.', 'Аккаунты, впервые замеченные подразделениями мониторинга в течение месяца; повторно активированные аккаунты не учитываются.'),
  ('OP-04', 'thousand views', 'тыс. просмотров', 'Sum of platform-reported views at the time of flagging, in thousands.', 'Сумма просмотров по данным платформ на момент выявления, в тысячах.'),
  ('RR-01', 'cases', 'случаев', 'Cases opened in the month on recruitment or incitement; one case per recruiter-target pair.', 'Дела, возбуждённые за месяц по фактам вербовки или подстрекательства; одно дело на каждую пару «вербовщик — вербуемый».'),
  ('RR-02', 'cases', 'случаев', 'Circles confirmed by two independent sources; counted in the month of first confirmation.', 'Кружки, существование которых подтверждено двумя независимыми источниками; учитываются в месяце первого подтверждения.'),
  ('RR-03', 'sessions', 'встреч', 'Sessions reported by national focal points and civil society partners for the quarter.', 'Встречи за квартал по данным национальных координаторов и партнёров из гражданского общества.'),
  ('VE-01', 'incidents', 'инцидентов', 'Incidents confirmed by national authorities; multi-day events count once, in the month they began.', 'Инциденты, подтверждённые национальными органами; многодневное событие учитывается один раз, в месяце его начала.'),
  ('VE-02', 'persons', 'человек', 'Detentions recorded by the prosecution service; re-arrests of the same person count separately.', 'Задержания, зарегистрированные органами прокуратуры; повторные задержания одного и того же лица учитываются отдельно.'),
  ('VE-03', 'plots', 'замыслов', 'Plots announced or reported to the focal point; one plot may involve several arrests.', 'Замыслы, о пресечении которых объявлено или сообщено координатору; по одному замыслу могут быть задержаны несколько человек.'),
  ('VE-04', 'persons', 'человек', 'Killed and injured combined, from official statements; perpetrators are excluded.', 'Погибшие и раненые вместе, по официальным заявлениям; исполнители нападений не учитываются.'),
  ('FTF-01', 'persons', 'человек', 'Persons identified at entry or after return, by month of identification.', 'Лица, выявленные при въезде или после возвращения, по месяцу выявления.'),
  ('FTF-02', 'persons', 'человек', 'Stock at the end of the month, from the national repatriation registry.', 'Численность на конец месяца по данным национального реестра репатриантов.'),
  ('FTF-03', 'persons', 'человек', 'Interceptions at border crossing points and airports, by month of interception.', 'Задержания в пунктах пропуска через государственную границу и в аэропортах, по месяцу задержания.'),
  ('AFG-01', 'incidents', 'инцидентов', 'Incidents recorded by UNAMA and national border services, attributed to the nearest state.', 'Инциденты, зарегистрированные МООНСА и национальными пограничными службами, с отнесением к ближайшему государству.'),
  ('AFG-02', 'fighters', 'боевиков', 'Mid-point of the range estimated by the Monitoring Team and national services for the quarter.', 'Середина диапазона оценок Группы по наблюдению и национальных служб за квартал.'),
  ('AFG-03', 'thousand persons', 'тыс. человек', 'Arrivals registered by border and migration services, in thousands.', 'Прибытия, зарегистрированные пограничными и миграционными службами, в тысячах.'),
  ('TF-01', 'reports', 'сообщений', 'Reports received by the financial intelligence unit and classified under terrorism financing.', 'Сообщения, полученные подразделением финансовой разведки и отнесённые к финансированию терроризма.'),
  ('TF-02', 'cases', 'дел', 'Investigations opened in the month; joint investigations count once per state.', 'Расследования, начатые за месяц; совместное расследование учитывается один раз для каждого государства.'),
  ('TF-03', 'campaigns', 'сборов', 'Campaigns identified by the financial intelligence unit and platform referrals.', 'Сборы, выявленные подразделением финансовой разведки и по уведомлениям платформ.'),
  ('BS-01', 'attempts', 'попыток', 'Attempts recorded by the border service, detected or prevented.', 'Попытки, зарегистрированные пограничной службой, как выявленные, так и предотвращённые.'),
  ('BS-02', 'items', 'единиц', 'Seizure records of border and customs services; one lot of ammunition counts as one item.', 'Данные об изъятиях пограничных и таможенных служб; одна партия боеприпасов учитывается как одна единица.'),
  ('BS-03', '%', '%', 'Crossing points equipped and operational on 31 December, divided by all official points.', 'Отношение числа пунктов пропуска, оснащённых и действующих на 31 декабря, к общему числу официальных пунктов пропуска.'),
  ('PR-01', 'persons', 'человек', 'Stock on the last day of the month, from the penitentiary service.', 'Численность на последний день месяца по данным пенитенциарной службы.'),
  ('PR-02', '%', '%', 'Completions divided by scheduled completions in the month; drop-outs count as not completed.', 'Отношение числа завершивших программу к числу участников, которые должны были завершить её в этом месяце; выбывшие считаются не завершившими.'),
  ('PR-03', '%', '%', 'Cohort released in the year, followed for 24 months; reported with a lag.', 'Лица, освобождённые за год, за которыми наблюдают в течение 24 месяцев; данные поступают с задержкой.'),
  ('SI-01', 'matches', 'совпадений', 'Escalations by reporting entities to the competent authority; false positives are included.', 'Совпадения, переданные подотчётными организациями в компетентный орган; ложные совпадения также учитываются.'),
  ('SI-02', 'days', 'дней', 'Median over the amendments published in the month, in calendar days.', 'Медиана по изменениям, опубликованным за месяц, в календарных днях.'),
  ('SI-03', '%', '%', 'Returns received by the supervisor for the quarter, divided by institutions required to file.', 'Отношение числа отчётов, полученных надзорным органом за квартал, к числу учреждений, обязанных их представлять.'),
  ('WP-01', '%', '%', 'Activities completed divided by activities due, from the network secretariat tracker.', 'Отношение числа выполненных мероприятий к числу запланированных, по данным системы учёта секретариата сети.')
;--> statement-breakpoint
UPDATE "indicators" AS i SET "unit_ru" = t."unit_ru" FROM "sample_indicator_texts" AS t WHERE i."code" = t."code" AND i."unit" = t."unit";--> statement-breakpoint
UPDATE "indicators" AS i SET "methodology_ru" = t."methodology_ru" FROM "sample_indicator_texts" AS t WHERE i."code" = t."code" AND i."methodology" = t."methodology";--> statement-breakpoint
UPDATE "indicators" SET "unit_ru" = "unit" WHERE "unit_ru" IS NULL;--> statement-breakpoint
UPDATE "indicators" SET "methodology_ru" = "methodology" WHERE "methodology_ru" IS NULL;--> statement-breakpoint
DROP TABLE "sample_indicator_texts";--> statement-breakpoint
ALTER TABLE "indicators" ALTER COLUMN "unit_ru" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "indicators" ALTER COLUMN "methodology_ru" SET NOT NULL;
--> statement-breakpoint
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
