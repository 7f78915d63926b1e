import { and, asc, eq, gt, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { decodeCursor } from '../../schema/common/cursor.js';
import type { Db } from '../database.js';
import { organizationParents, organizations, type OrganizationRow } from '../schema/organizations.js';
import { toPage } from './page.js';

export interface OrganizationQuery {
  filter?: { kinds?: string[] | null; country?: string | null; active?: boolean | null; search?: string | null } | null;
  first: number;
  after?: string | null;
}

const CURSOR = 'org';

function conditions(filter: OrganizationQuery['filter']): SQL[] {
  const where: SQL[] = [];
  if (filter?.kinds?.length) where.push(inArray(organizations.kind, filter.kinds as OrganizationRow['kind'][]));
  if (filter?.country) where.push(eq(organizations.countryIso3, filter.country));
  if (filter?.active != null) where.push(eq(organizations.active, filter.active));
  if (filter?.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(organizations.acronym, pattern), ilike(organizations.nameEn, pattern), ilike(organizations.nameRu, pattern))!);
  }
  return where;
}

/** Organizations are reference data: every viewer sees the list (restricted fields are cut by the policy). */
export async function findOrganizations(db: Db, query: OrganizationQuery) {
  const where = conditions(query.filter);
  const page = [...where];
  if (query.after) {
    const [id] = decodeCursor(CURSOR, query.after, ['string']);
    page.push(gt(organizations.id, id as string));
  }
  const rows = await db
    .select()
    .from(organizations)
    .where(and(...page))
    .orderBy(asc(organizations.id))
    .limit(query.first + 1);
  return toPage(rows, query.first, Boolean(query.after), { tag: CURSOR, key: (r) => [r.id] }, (r) => r, async () => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(organizations).where(and(...where));
    return row?.n ?? 0;
  });
}

/** What the viewer's organization is, from the database (never from the token), in one statement. */
export async function organizationForViewer(db: Db, id: string) {
  const [row] = await db
    .select({
      kind: organizations.kind,
      active: organizations.active,
      countryIso3: organizations.countryIso3,
      coordinatesNetwork: organizations.coordinatesNetwork,
      parentIds: sql<string[]>`coalesce((select array_agg(${organizationParents.parentId} order by ${organizationParents.parentId}) from ${organizationParents} where ${organizationParents.organizationId} = ${organizations.id}), '{}')`,
    })
    .from(organizations)
    .where(eq(organizations.id, id));
  return row ?? null;
}
