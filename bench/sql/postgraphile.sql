-- What PostGraphile needs on the benchmark database (and only there: the database is dropped at the end).
--  * ctewn_bench_rls: the role PostGraphile's RLS variant runs its requests as (a superuser bypasses RLS).
--  * Row-level security policies that apply THE row rule of src/db/visibility.ts to reports and
--    observations, fed by the transaction-local settings jwt.claims.org / jwt.claims.sub.
--    Same predicate as the API's, so both return the same rows; not checked here: that the viewer's
--    organization is active (the API looks it up once per request).
--  * bench_pgl.search_reports: full-text search as a SQL function, PostGraphile's way to add a query
--    the schema does not derive (security invoker, so RLS applies inside it).
-- The role is cluster-wide: run.mjs drops it after dropping the database.

do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'ctewn_bench_rls') then create role ctewn_bench_rls nologin; end if;
end $$;

create schema if not exists bench_pgl;

create or replace function bench_pgl.search_reports(query text, country text default null, published_from timestamptz default null)
returns setof public.reports language sql stable as $$
  select r.* from public.reports r
  where r.retracted_at is null and r.search_vector @@ websearch_to_tsquery('russian', query)
    and (country is null or exists (select 1 from public.report_countries rc where rc.report_id = r.id and rc.country_iso3 = country))
    and (published_from is null or r.published_at >= published_from)
  order by r.published_at desc, r.id desc
$$;

grant usage on schema public, bench_pgl to ctewn_bench_rls;
grant select on all tables in schema public to ctewn_bench_rls;
grant insert on public.observations to ctewn_bench_rls;
grant execute on function bench_pgl.search_reports(text, text, timestamptz) to ctewn_bench_rls;

alter table public.reports enable row level security;
alter table public.observations enable row level security;

create policy bench_reports_visible on public.reports for select to ctewn_bench_rls using (
  tlp = 'CLEAR'
  or (nullif(current_setting('jwt.claims.org', true), '') is not null and (
    tlp = 'GREEN'
    or (tlp in ('AMBER', 'AMBER_STRICT') and (author_org_id = current_setting('jwt.claims.org', true) or exists (
      select 1 from public.grants g where g.report_id = reports.id and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
        and (g.grantee_org_id = current_setting('jwt.claims.org', true)
          or (reports.tlp = 'AMBER' and g.grantee_org_id in (select p.parent_id from public.organization_parents p where p.organization_id = current_setting('jwt.claims.org', true)))))))
    or (tlp = 'RED' and (author_sub = current_setting('jwt.claims.sub', true) or exists (
      select 1 from public.grants g where g.report_id = reports.id and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
        and g.grantee_sub = current_setting('jwt.claims.sub', true))))
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
    or (tlp = 'RED' and (recorded_by_sub = current_setting('jwt.claims.sub', true) or exists (
      select 1 from public.grants g where g.observation_id = observations.id and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
        and g.grantee_sub = current_setting('jwt.claims.sub', true))))
  ))
);

-- A contributor writes values of its own organization only (the API sets source_org_id from the token).
create policy bench_observations_insert on public.observations for insert to ctewn_bench_rls
  with check (source_org_id = current_setting('jwt.claims.org', true));
