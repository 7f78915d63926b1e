import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Reader, Viewer } from '../auth/viewer.js';
import { grants } from './schema/grants.js';

/** The columns of a TLP-marked, shareable table that the row rule reads. */
export interface MarkedRowColumns {
  id: AnyPgColumn;
  /** A column, or an expression for a marking kept elsewhere (an earlier revision's, in its snapshot). */
  tlp: AnyPgColumn | SQL;
  originOrgId: AnyPgColumn;
  originSub: AnyPgColumn;
  /** The grants column that points at this table (grants.report_id or grants.observation_id). */
  grantSubject: AnyPgColumn;
}

let rowRuleOff = false;
/**
 * The benchmark's switch (BENCH_DISABLE_POLICY, refused in production by src/config.ts): every row is
 * visible, to measure what the rule costs. Set once at start-up, for the whole process.
 */
export function disableRowRuleForBenchmark(): void {
  rowRuleOff = true;
}

/** A grant works until it is revoked or expires; expiry is checked against now() at query time. */
export function grantInForce(): SQL {
  return sql`${grants.revokedAt} is null and (${grants.expiresAt} is null or ${grants.expiresAt} > now())`;
}

/**
 * Whether a grant (a row of the grants table) admits the organization to a record marked `tlp`: a grant
 * to the organization itself, or under TLP:AMBER (not AMBER+STRICT) a grant to an organization it
 * supports (its parents), whose clients AMBER reaches.
 */
export function grantAdmitsOrganization(reader: Pick<Exclude<Reader, { kind: 'anonymous' }>, 'organizationId' | 'parentOrganizationIds'>, tlp: AnyPgColumn | SQL): SQL {
  const org = reader.organizationId;
  const parents = reader.parentOrganizationIds;
  return parents.length > 0
    ? sql`(${grants.granteeOrgId} = ${org} or (${tlp} = 'AMBER' and ${grants.granteeOrgId} in (${sql.join(
        parents.map((p) => sql`${p}`),
        sql`, `,
      )})))`
    : sql`${grants.granteeOrgId} = ${org}`;
}

/**
 * THE row rule of the network (TLP 2.0 applied to grants), as one SQL predicate that every read path of
 * reports and observations includes: lists, counts, by-id lookups, nested lists, search, and what goes
 * to a peer instance (src/sync/egress.ts, for an OrganizationReader).
 *  - CLEAR: anyone.  GREEN: any authenticated member.
 *  - AMBER: the originating organization, organizations holding an active grant, and their clients.
 *  - AMBER+STRICT: the originating organization and organizations holding an active grant.
 *  - RED: the author and persons named in an active grant. A person is an organization and a `sub`
 *    together: a token of another organization carrying the same `sub` is another person. An
 *    organization as a whole (OrganizationReader) is no person: RED never reaches it, so never syncs.
 * A grant is active until it is revoked or expires (grantInForce).
 */
export function visibleTo(viewer: Reader, row: MarkedRowColumns): SQL {
  if (rowRuleOff) return sql`true`;
  if (viewer.kind === 'anonymous') return sql`${row.tlp} = 'CLEAR'`;
  const activeGrant = (grantee: SQL) => sql`exists (select 1 from ${grants} where ${row.grantSubject} = ${row.id} and ${grantInForce()} and ${grantee})`;
  const org = viewer.organizationId;
  const red =
    viewer.kind === 'member'
      ? sql`(${row.tlp} = 'RED' and ((${row.originOrgId} = ${org} and ${row.originSub} = ${viewer.sub}) or ${activeGrant(grantToPerson(viewer))}))`
      : sql`false`;
  return sql`(
    ${row.tlp} in ('CLEAR', 'GREEN')
    or (${row.tlp} in ('AMBER', 'AMBER_STRICT') and (${row.originOrgId} = ${org} or ${activeGrant(grantAdmitsOrganization(viewer, row.tlp))}))
    or ${red}
  )`;
}

type Member = Exclude<Viewer, { kind: 'anonymous' }>;

/** A grant (a row of `grants`) to the viewer as a person: its `sub` within its organization. */
const grantToPerson = (viewer: Member) => sql`(${grants.granteeSub} = ${viewer.sub} and ${grants.granteePersonOrgId} = ${viewer.organizationId})`;

/**
 * Whether a grant (a row of `grants`, active or not) is one through which the rule above would let the
 * viewer see a record of marking `tlp`: the change feed uses it to tell a viewer of the grants that
 * concern it, and of no others.
 */
export function grantNamesViewer(viewer: Member, tlp: AnyPgColumn | SQL): SQL {
  return sql`((${tlp} = 'RED' and ${grantToPerson(viewer)}) or (${tlp} in ('AMBER', 'AMBER_STRICT') and ${grantAdmitsOrganization(viewer, tlp)}))`;
}

/**
 * An alert carries the observations behind it; a viewer sees the alert only if it may see every one of
 * them (by the rule above). An alert marked CLEAR stands on CLEAR values only.
 */
export function alertVisibleTo(viewer: Viewer, alert: { tlp: AnyPgColumn; observationIds: AnyPgColumn }, observation: MarkedRowColumns): SQL {
  if (rowRuleOff) return sql`true`;
  if (viewer.kind === 'anonymous') return sql`${alert.tlp} = 'CLEAR'`;
  return sql`(${alert.tlp} = 'CLEAR' or not exists (
    select 1 from ${observation.id.table} where ${observation.id} = any(${alert.observationIds}) and not ${visibleTo(viewer, observation)}
  ))`;
}
