// THE row rule of src/db/visibility.ts as SQL text, for the raw-SQL baseline and for choosing the
// benchmark's inputs: $1 is the viewer's organization, $2 its person (token sub). The same predicate as
// visibleTo(): a TLP:RED author and a person grant match organization and sub together (a borrowed sub
// from another organization is another person), grants count while neither revoked nor expired.
export function visible(a, kind) {
  const subject = kind === 'report' ? 'report_id' : 'observation_id';
  const origin = kind === 'report' ? 'author_org_id' : 'source_org_id';
  const originSub = kind === 'report' ? 'author_sub' : 'recorded_by_sub';
  const active = `g.${subject} = ${a}.id and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())`;
  return `(
    ${a}.tlp in ('CLEAR', 'GREEN')
    or (${a}.tlp in ('AMBER', 'AMBER_STRICT') and (${a}.${origin} = $1 or exists (select 1 from grants g where ${active}
        and (g.grantee_org_id = $1 or (${a}.tlp = 'AMBER' and g.grantee_org_id in (select p.parent_id from organization_parents p where p.organization_id = $1))))))
    or (${a}.tlp = 'RED' and ((${a}.${origin} = $1 and ${a}.${originSub} = $2) or exists (select 1 from grants g where ${active} and g.grantee_sub = $2 and g.grantee_person_org_id = $1)))
  )`;
}

/**
 * The revision rule of src/db/queries/observations.ts (latestVisibleRevision, no asOf): the latest
 * revision of a value that the viewer may see. A revision nobody superseded is the latest for everyone;
 * a superseded one is the viewer's latest when no later revision of the same value is visible to it.
 * A value is one source's figure (indicator × country × period × source).
 */
export function latestVisibleRevision(o) {
  const later = `${o}_later`;
  return `(${o}.superseded_at is null or not exists (select 1 from observations ${later}
    where ${later}.indicator_code = ${o}.indicator_code and ${later}.country_iso3 = ${o}.country_iso3 and ${later}.period_start = ${o}.period_start
      and ${later}.source_org_id = ${o}.source_org_id and ${later}.revision > ${o}.revision and ${visible(later, 'observation')}))`;
}
