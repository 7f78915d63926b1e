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
