-- What PostGraphile needs on the benchmark database, as its experts would set it up (and only there: the
-- database is dropped at the end). run.mjs EXPLAINs every statement it sends and stops if one scans a
-- large table or sorts more than its page, so each piece below is checked on every run.
--  * ctewn_bench_rls: the role PostGraphile's RLS variant runs its requests as (a superuser bypasses RLS).
--  * Indexes matching the SQL PostGraphile generates. Its orderBy PUBLISHED_AT_DESC / PERIOD_START_DESC
--    is PostgreSQL's default DESC, i.e. NULLS FIRST, which the API's DESC NULLS LAST indexes cannot serve
--    (the planner does not use NOT NULL to reconcile them), and its cursors append the primary key.
--  * Row-level security policies that apply THE row rule of src/db/visibility.ts to reports and
--    observations, fed by the transaction-local settings jwt.claims.org / jwt.claims.sub. Same predicate
--    as the API's, so both return the same rows; not checked here: that the viewer's organization is
--    active (the API looks it up once per request).
--  * bench_pgl.current_observations: the revision rule of src/db/queries/observations.ts (a viewer reads
--    the latest revision of a value that IT may see), as a security-invoker view, so the later revision
--    it looks for is itself filtered by RLS; smart tags relate it to indicators like the table.
--  * searchReports / searchReportsInCountry: full-text search as SQL functions, PostGraphile's way to add
--    a query the schema does not derive; one form per variant (bench_pgl_search without RLS,
--    bench_pgl_search_rls with it), each inlined by PostgreSQL and keeping the GIN and date indexes.
--    They match with the API's own public.report_search_query (its migration 0010, applied by the seed),
--    so every system finds the same word forms; that helper is kept out of PostGraphile's schema.
-- The role is cluster-wide: run.mjs drops it after dropping the database.

do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'ctewn_bench_rls') then create role ctewn_bench_rls nologin; end if;
end $$;

create schema if not exists bench_pgl;
create schema if not exists bench_pgl_private;

-- ---- indexes for PostGraphile's own ORDER BYs (W1, W4: reports by date; W2, W3: a series by period) ----
create index if not exists bench_pgl_reports_published_idx on public.reports (published_at desc, id desc);
create index if not exists bench_pgl_reports_author_published_idx on public.reports (author_org_id, published_at desc, id desc);
-- A series is indicator × country × source (issue 15): several sources may report one period, so W2 pages
-- by period then source and W3's latest value is the period's value recorded last, as the API orders them.
create index if not exists bench_pgl_observations_series_idx on public.observations (indicator_code, country_iso3, period_start desc, source_org_id desc, id);
create index if not exists bench_pgl_observations_latest_idx on public.observations (indicator_code, country_iso3, period_start desc, recorded_at desc, id);

-- ---- W6: search, one schema per PostGraphile variant (servers/postgraphile.mjs exposes its own) ----
-- Each variant gets the form its experts would write, checked with EXPLAIN ANALYZE on the bench data:
--  * One function per filter shape (with and without a country), so no `param is null or …` branch keeps
--    an index out of a plan made for any value (PostGraphile sends named prepared statements).
--  * No ORDER BY inside: `@behavior +order` gives the function connection PostGraphile's orderBy, so the
--    page is ordered by PostGraphile (a top-N sort of the matches) and totalCount counts without sorting.
--  * `@name`: both variants expose the same fields (searchReports, searchReportsInCountry).
--  * The country compared as char(3), the column's type: `country_iso3::text = $1` would read every
--    row of report_countries instead of report_countries_country_idx.
create schema if not exists bench_pgl_search;
create schema if not exists bench_pgl_search_rls;
-- The API's search helper lives in public, which PostGraphile exposes: not a field (it returns a tsquery).
comment on function public.report_search_query(text) is '@behavior -queryField';

-- Without RLS: plain SQL, STABLE, SECURITY INVOKER, no SET or STRICT, so PostgreSQL inlines it into
-- PostGraphile's statement and the match is a BitmapAnd of the GIN and date indexes.
create or replace function bench_pgl_search.search_reports(query text, published_from timestamptz default null)
returns setof public.reports language sql stable as $$
  select r.* from public.reports r
  where r.retracted_at is null and r.search_vector @@ public.report_search_query(query)
    and (published_from is null or r.published_at >= published_from)
$$;
create or replace function bench_pgl_search.search_reports_in_country(query text, country text, published_from timestamptz default null)
returns setof public.reports language sql stable as $$
  select r.* from public.reports r
  where r.retracted_at is null and r.search_vector @@ public.report_search_query(query)
    and exists (select 1 from public.report_countries rc where rc.report_id = r.id and rc.country_iso3 = country::char(3))
    and (published_from is null or r.published_at >= published_from)
$$;
comment on function bench_pgl_search.search_reports(text, timestamptz) is E'@name searchReports\n@behavior +order';
comment on function bench_pgl_search.search_reports_in_country(text, text, timestamptz) is E'@name searchReportsInCountry\n@behavior +order';

-- With RLS: PostgreSQL may evaluate a query's own condition before the policy's only if it is
-- LEAKPROOF; `@@` (ts_match_vq) is not, so inside an RLS-filtered scan of reports the GIN index cannot
-- serve the match and every date-matched report goes through the policy. The match therefore runs in a
-- SECURITY DEFINER helper, which returns candidate ids only (no columns) and lives in a schema
-- PostGraphile does not expose; the exposed function is inlined and RLS filters the candidates by the
-- row rule. `= any (array(…))` makes the candidates primary-key lookups (an `in (select …)` may
-- hash-join them against every report). The helpers are PL/pgSQL: a non-inlined SQL function is planned
-- with generic parameters, PL/pgSQL plans the branch it takes with the call's values.
create or replace function bench_pgl_private.matching_report_ids(query text, published_from timestamptz)
returns setof uuid language plpgsql stable security definer set search_path = pg_catalog, public rows 200 as $$
begin
  if published_from is null then
    return query select r.id from public.reports r
      where r.retracted_at is null and r.search_vector @@ public.report_search_query(query);
  else
    return query select r.id from public.reports r
      where r.retracted_at is null and r.search_vector @@ public.report_search_query(query) and r.published_at >= published_from;
  end if;
end $$;
create or replace function bench_pgl_private.matching_report_ids_in_country(query text, country text, published_from timestamptz)
returns setof uuid language plpgsql stable security definer set search_path = pg_catalog, public rows 200 as $$
begin
  if published_from is null then
    return query select r.id from public.reports r
      where r.retracted_at is null and r.search_vector @@ public.report_search_query(query)
        and exists (select 1 from public.report_countries rc where rc.report_id = r.id and rc.country_iso3 = country::char(3));
  else
    return query select r.id from public.reports r
      where r.retracted_at is null and r.search_vector @@ public.report_search_query(query)
        and exists (select 1 from public.report_countries rc where rc.report_id = r.id and rc.country_iso3 = country::char(3))
        and r.published_at >= published_from;
  end if;
end $$;
revoke all on function bench_pgl_private.matching_report_ids(text, timestamptz) from public;
revoke all on function bench_pgl_private.matching_report_ids_in_country(text, text, timestamptz) from public;

create or replace function bench_pgl_search_rls.search_reports(query text, published_from timestamptz default null)
returns setof public.reports language sql stable as $$
  select r.* from public.reports r where r.id = any (array(select bench_pgl_private.matching_report_ids(query, published_from)))
$$;
create or replace function bench_pgl_search_rls.search_reports_in_country(query text, country text, published_from timestamptz default null)
returns setof public.reports language sql stable as $$
  select r.* from public.reports r where r.id = any (array(select bench_pgl_private.matching_report_ids_in_country(query, country, published_from)))
$$;
comment on function bench_pgl_search_rls.search_reports(text, timestamptz) is E'@name searchReports\n@behavior +order';
comment on function bench_pgl_search_rls.search_reports_in_country(text, text, timestamptz) is E'@name searchReportsInCountry\n@behavior +order';

-- ---- W2, W3: the revision a viewer reads ----
create or replace view bench_pgl.current_observations with (security_invoker = true) as
  select o.* from public.observations o
  where o.superseded_at is null or not exists (
    select 1 from public.observations later
    where later.indicator_code = o.indicator_code and later.country_iso3 = o.country_iso3 and later.period_start = o.period_start
      and later.source_org_id = o.source_org_id and later.revision > o.revision);
comment on view bench_pgl.current_observations is E'@primaryKey id\n@foreignKey (indicator_code) references public.indicators (code)\n@foreignKey (country_iso3) references public.countries (iso3)';

grant usage on schema public, bench_pgl, bench_pgl_search_rls, bench_pgl_private to ctewn_bench_rls;
grant select on all tables in schema public to ctewn_bench_rls;
grant select on bench_pgl.current_observations to ctewn_bench_rls;
grant insert on public.observations to ctewn_bench_rls;
grant execute on function bench_pgl_search_rls.search_reports(text, timestamptz), bench_pgl_search_rls.search_reports_in_country(text, text, timestamptz) to ctewn_bench_rls;
grant execute on function bench_pgl_private.matching_report_ids(text, timestamptz), bench_pgl_private.matching_report_ids_in_country(text, text, timestamptz) to ctewn_bench_rls;

alter table public.reports enable row level security;
alter table public.observations enable row level security;

-- THE row rule (src/db/visibility.ts visibleTo): CLEAR anyone; GREEN any member; AMBER the origin, a
-- grantee organization or its clients; AMBER+STRICT the origin or a grantee organization; RED the author
-- and persons granted, a person being an organization and a sub together (grants.grantee_person_org_id).
create policy bench_reports_visible on public.reports for select to ctewn_bench_rls using (
  tlp = 'CLEAR'
  or (nullif(current_setting('jwt.claims.org', true), '') is not null and (
    tlp = 'GREEN'
    or (tlp in ('AMBER', 'AMBER_STRICT') and (author_org_id = current_setting('jwt.claims.org', true) or exists (
      select 1 from public.grants g where g.report_id = reports.id and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
        and (g.grantee_org_id = current_setting('jwt.claims.org', true)
          or (reports.tlp = 'AMBER' and g.grantee_org_id in (select p.parent_id from public.organization_parents p where p.organization_id = current_setting('jwt.claims.org', true)))))))
    or (tlp = 'RED' and ((author_org_id = current_setting('jwt.claims.org', true) and author_sub = current_setting('jwt.claims.sub', true)) or exists (
      select 1 from public.grants g where g.report_id = reports.id and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
        and g.grantee_sub = current_setting('jwt.claims.sub', true) and g.grantee_person_org_id = current_setting('jwt.claims.org', true))))
  ))
);

create policy bench_observations_visible on public.observations for select to ctewn_bench_rls using (
  tlp = 'CLEAR'
  or (nullif(current_setting('jwt.claims.org', true), '') is not null and (
    tlp = 'GREEN'
    or (tlp in ('AMBER', 'AMBER_STRICT') and (source_org_id = current_setting('jwt.claims.org', true) or exists (
      select 1 from public.grants g where g.observation_id = observations.id and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
        and (g.grantee_org_id = current_setting('jwt.claims.org', true)
          or (observations.tlp = 'AMBER' and g.grantee_org_id in (select p.parent_id from public.organization_parents p where p.organization_id = current_setting('jwt.claims.org', true)))))))
    or (tlp = 'RED' and ((source_org_id = current_setting('jwt.claims.org', true) and recorded_by_sub = current_setting('jwt.claims.sub', true)) or exists (
      select 1 from public.grants g where g.observation_id = observations.id and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
        and g.grantee_sub = current_setting('jwt.claims.sub', true) and g.grantee_person_org_id = current_setting('jwt.claims.org', true))))
  ))
);

-- A contributor writes values of its own organization only (the API sets source_org_id from the token).
create policy bench_observations_insert on public.observations for insert to ctewn_bench_rls
  with check (source_org_id = current_setting('jwt.claims.org', true));

-- ---- W7: a country's overview, as PostGraphile's experts would add a dashboard the schema does not derive ----
-- Three SQL functions, SECURITY INVOKER, STABLE, one SELECT each, returning sets: PostgreSQL inlines them
-- into PostGraphile's statements, so the EXPLAIN guard sees (and judges) every table they read. The same
-- form serves both variants: every condition they add is an equality the indexes serve beside the RLS
-- policies. Under RLS the row rule applies inside them through the policies (observations, reports, and
-- alerts below) and the revision rule through the security-invoker view; without RLS they see every row.
--  * overviewCurrentValues(country): each source's latest value of every indicator × country pair the
--    indicator applies to (the API's applicability rule), DISTINCT ON (source) over the pair's values as
--    the view gives them (a few dozen, off bench_pgl_observations_latest_idx), with the same source's value
--    of the period before and of the same period a year before (one index probe each), the source's
--    acronym beside it: one row per series, as the screen shows it. (Computed columns on the view and its
--    relation to organizations would answer the same, but PostGraphile sends each as a statement of its
--    own around a function PostgreSQL cannot inline, whose plan no EXPLAIN of the statement shows.)
--  * overviewOpenAlerts(country): open alerts by level, as src/db/queries/alerts.ts openAlertCounts counts
--    them (applicable series, not historical, not superseded as the viewer knows it, not dismissed or
--    closed by the viewer's organization); the alert row rule is the RLS policy bench_alerts_visible.
--  * overviewLatestReports(country, perTopic): the newest visible reports of each topic about the country,
--    each report once (it may lead two topics; the client groups them by `topics`). Per topic an ORDER BY
--    … LIMIT walking reports_published_idx: `topic = any(topics)` keeps the GIN index out, which returns a
--    topic's reports unordered and would make PostgreSQL sort all of them for a page of a few.
create type bench_pgl.overview_value as (
  id uuid, indicator_code text, source_acronym text, period_start date, value double precision, tlp public.tlp, status text,
  previous_value double precision, value_year_before double precision);
create or replace function bench_pgl.overview_current_values(country text)
returns setof bench_pgl.overview_value language sql stable as $$
  select l.id, l.indicator_code, s.acronym, l.period_start, l.value, l.tlp, l.status::text,
    (select p.value from bench_pgl.current_observations p
     where p.indicator_code = l.indicator_code and p.country_iso3 = l.country_iso3 and p.source_org_id = l.source_org_id
       and p.period_start = (l.period_start - case i.periodicity when 'MONTHLY' then interval '1 month' when 'QUARTERLY' then interval '3 months' else interval '1 year' end)::date),
    (select p.value from bench_pgl.current_observations p
     where p.indicator_code = l.indicator_code and p.country_iso3 = l.country_iso3 and p.source_org_id = l.source_org_id
       and p.period_start = (l.period_start - interval '1 year')::date)
  from public.indicators i
  cross join lateral (
    select distinct on (v.source_org_id) v.* from bench_pgl.current_observations v
    where v.indicator_code = i.code and v.country_iso3 = country::char(3)
    order by v.source_org_id, v.period_start desc) l
  join public.organizations s on s.id = l.source_org_id
  where exists (select 1 from public.indicator_countries n where n.indicator_code = i.code and n.country_iso3 = country::char(3))
     or exists (select 1 from public.indicator_country_groups d join public.country_group_members m on m.group_code = d.group_code
                where d.indicator_code = i.code and m.country_iso3 = country::char(3))
$$;
comment on function bench_pgl.overview_current_values(text) is '@name overviewCurrentValues';

create type bench_pgl.alert_level_counts as (watch int, warning int, critical int);
create or replace function bench_pgl.overview_open_alerts(country text)
returns setof bench_pgl.alert_level_counts language sql stable rows 1 as $$
  select (count(*) filter (where a.level = 'WATCH'))::int, (count(*) filter (where a.level = 'WARNING'))::int, (count(*) filter (where a.level = 'CRITICAL'))::int
  from public.alerts a
  left join public.alert_triage t on t.alert_id = a.id and t.organization_id = nullif(current_setting('jwt.claims.org', true), '')
  where a.country_iso3 = country::char(3) and not a.historical
    and coalesce(t.state, 'NEW') not in ('DISMISSED', 'CLOSED')
    -- not superseded as the viewer knows it: a recompute supersedes for everyone, a value's revision for those
    -- who may see it (under RLS the lookup finds it only then). A scalar subquery, so each superseded alert
    -- probes observations_pkey (an EXISTS here may be planned as a hash of every observation's id).
    and (a.superseded_at is null or (a.superseded_by_observation_id is not null
      and (select s.id from public.observations s where s.id = a.superseded_by_observation_id) is null))
    and (exists (select 1 from public.indicator_countries n where n.indicator_code = a.indicator_code and n.country_iso3 = a.country_iso3)
      or exists (select 1 from public.indicator_country_groups d join public.country_group_members m on m.group_code = d.group_code
                 where d.indicator_code = a.indicator_code and m.country_iso3 = a.country_iso3))
$$;
comment on function bench_pgl.overview_open_alerts(text) is '@name overviewOpenAlerts';

create or replace function bench_pgl.overview_latest_reports(country text, per_topic int)
returns setof public.reports language sql stable as $$
  select r.* from public.reports r where r.id = any (array(
    select p.id from unnest(array['ONLINE_PROPAGANDA', 'RELIGIOUS_RADICALIZATION', 'VIOLENT_EXTREMISM', 'FOREIGN_TERRORIST_FIGHTERS', 'AFGHANISTAN',
                                  'TERRORISM_FINANCING', 'BORDER_SECURITY', 'PRISONS_REHABILITATION', 'SANCTIONS_IMPLEMENTATION', 'WORKPLAN']) as topic(key)
    cross join lateral (
      select r2.id from public.reports r2
      where r2.retracted_at is null and topic.key = any (r2.topics)
        and exists (select 1 from public.report_countries rc where rc.report_id = r2.id and rc.country_iso3 = country::char(3))
      order by r2.published_at desc nulls last, r2.id desc nulls last limit per_topic) p))
$$;
comment on function bench_pgl.overview_latest_reports(text, int) is '@name overviewLatestReports';

alter table public.alerts enable row level security;
-- The alert part of the row rule (src/db/visibility.ts alertVisibleTo): a member sees an alert when it may
-- see every value behind it (the observations policy filters the lookup), anyone a CLEAR one.
create policy bench_alerts_visible on public.alerts for select to ctewn_bench_rls using (
  tlp = 'CLEAR'
  or (nullif(current_setting('jwt.claims.org', true), '') is not null and not exists (
    select 1 from unnest(observation_ids) as behind(id) where not exists (select 1 from public.observations o where o.id = behind.id)))
);
