import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/database.js';
import { grants, organizationParents, reports } from '../../src/db/schema/index.js';
import { PERSONAS, type PersonaName } from './tokens.js';

/**
 * An independent statement of the TLP sharing rule, in plain TypeScript over the raw tables, to check the
 * SQL predicate against: the two must agree for every persona and marking.
 */
export async function reportOracle(db: Db) {
  const all = await db.select({ id: reports.id, tlp: reports.tlp, authorOrgId: reports.authorOrgId, authorSub: reports.authorSub, retractedAt: reports.retractedAt }).from(reports);
  const grantRows = await db.select().from(grants);
  const parents = await db.select().from(organizationParents);
  const now = Date.now();
  const active = grantRows.filter((g) => g.reportId && !g.revokedAt && (!g.expiresAt || g.expiresAt.getTime() > now));
  const grantsByReport = new Map<string, typeof active>();
  for (const g of active) grantsByReport.set(g.reportId!, [...(grantsByReport.get(g.reportId!) ?? []), g]);

  return (persona: PersonaName): Set<string> => {
    const claims = PERSONAS[persona];
    const visible = new Set<string>();
    const myParents = claims ? parents.filter((p) => p.organizationId === claims.org).map((p) => p.parentId) : [];
    for (const r of all) {
      if (r.retractedAt) continue;
      const g = grantsByReport.get(r.id) ?? [];
      const sees =
        r.tlp === 'CLEAR' ||
        (claims !== null &&
          (r.tlp === 'GREEN' ||
            ((r.tlp === 'AMBER' || r.tlp === 'AMBER_STRICT') &&
              (r.authorOrgId === claims.org ||
                g.some((x) => x.granteeOrgId === claims.org || (r.tlp === 'AMBER' && myParents.includes(x.granteeOrgId ?? ''))))) ||
            // A person is an organization and a sub together.
            (r.tlp === 'RED' &&
              ((r.authorOrgId === claims.org && r.authorSub === claims.sub) || g.some((x) => x.granteeSub === claims.sub && x.granteePersonOrgId === claims.org)))));
      if (sees) visible.add(r.id);
    }
    return visible;
  };
}

/** What one viewer reads of one value (indicator × country × period × source): a revision, numbered as it counts. */
export interface SeenValue {
  id: string;
  /** 1..n over the revisions of the value that the viewer may see. */
  revision: number;
  recordedAt: Date;
}

/**
 * The sharing rule for observations, and the revision rule: a viewer reads the latest revision of each
 * value that it may see (recorded by `asOf`), numbered over the revisions it may see; a revision it may
 * not see changes nothing for it. A value is one source's figure: keyed by `indicator|country|periodStart|source`.
 */
export async function observationValueOracle(db: Db) {
  const { observations } = await import('../../src/db/schema/observations.js');
  const rows = await db
    .select({
      id: observations.id,
      key: sql<string>`${observations.indicatorCode} || '|' || ${observations.countryIso3} || '|' || ${observations.periodStart} || '|' || ${observations.sourceOrgId}`,
      revision: observations.revision,
      recordedAt: observations.recordedAt,
      tlp: observations.tlp,
      origin: observations.sourceOrgId,
      sub: observations.recordedBySub,
    })
    .from(observations);
  rows.sort((a, b) => a.revision - b.revision);
  const grantRows = (await db.select().from(grants)).filter((g) => g.observationId && !g.revokedAt && (!g.expiresAt || g.expiresAt.getTime() > Date.now()));
  const parents = await db.select().from(organizationParents);
  return (persona: PersonaName, asOf?: Date): Map<string, SeenValue> => {
    const claims = PERSONAS[persona];
    const myParents = claims ? parents.filter((p) => p.organizationId === claims.org).map((p) => p.parentId) : [];
    const sees = (o: (typeof rows)[number]) => {
      if (o.tlp === 'CLEAR') return true;
      if (!claims) return false;
      const g = grantRows.filter((x) => x.observationId === o.id);
      if (o.tlp === 'GREEN') return true;
      if (o.tlp === 'RED') return (o.origin === claims.org && o.sub === claims.sub) || g.some((x) => x.granteeSub === claims.sub && x.granteePersonOrgId === claims.org);
      return o.origin === claims.org || g.some((x) => x.granteeOrgId === claims.org || (o.tlp === 'AMBER' && myParents.includes(x.granteeOrgId ?? '')));
    };
    const seen = new Map<string, SeenValue>();
    // Revisions in increasing order: each visible one replaces the one before and counts one more.
    for (const o of rows) {
      if ((asOf && o.recordedAt > asOf) || !sees(o)) continue;
      seen.set(o.key, { id: o.id, revision: (seen.get(o.key)?.revision ?? 0) + 1, recordedAt: o.recordedAt });
    }
    return seen;
  };
}

/** How many values (indicator × country × period × source) each persona reads: those with a revision it may see. */
export async function observationOracle(db: Db) {
  const values = await observationValueOracle(db);
  return (persona: PersonaName): number => values(persona).size;
}
