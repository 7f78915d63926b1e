import type { grants } from '../schema/index.js';
import { DAY_MS, SAMPLE_NOW, addDays, clampBefore } from './calendar.js';
import type { SampleObservation } from './observations.js';
import { createRandom, type Random } from './random.js';
import type { SampleReport } from './reports.js';

export type SampleGrant = typeof grants.$inferInsert;

/** Who AMBER material is shared with: the sanctions committees (so the Monitoring Team, their client,
 * has AMBER data through them), regional bodies, UN entities and the member-state agencies. */
const ORG_GRANTEES: readonly (readonly [string, number])[] = [
  ['sc-1267', 14], ['sc-1988', 12], ['unodc', 10], ['unrcca', 8], ['unoct', 8], ['unama', 6],
  ['cis-atc', 6], ['sco-rats', 6], ['cica', 3], ['csto', 4], ['monitoring-team', 3], ['expert-group', 4],
  ['kaz-ct', 4], ['kgz-ct', 4], ['tjk-ct', 4], ['tkm-ct', 3], ['uzb-ct', 4],
];
const PERSON_ORGS = ['unrcca', 'unoct', 'unodc', 'unama', 'monitoring-team', 'kaz-ct', 'kgz-ct', 'tjk-ct', 'uzb-ct', 'sco-rats'];
const PURPOSES = [
  'Joint analysis',
  'Joint analysis of cross-border trends',
  'Sanctions list review',
  'Preparation of the regional threat assessment',
  'Coordination of prevention programmes',
  'Verification of indicator data',
  'Expert meeting preparation',
];
// Far enough ahead that "active" sample grants stay active for years of test runs on the real clock.
const FUTURE_FROM = Date.UTC(2031, 0, 1);
const LATEST_EXPIRED = SAMPLE_NOW.getTime() - 7 * DAY_MS;

interface Subject {
  reportId?: string;
  observationId?: string;
  tlp: SampleReport['tlp'];
  ownerOrgId: string;
  ownerSub: string;
  sharedFrom: Date;
}

/** Mostly open-ended grants; some expired (expiry in the past), some expiring later, a few revoked. */
function lifetime(rng: Random, grantedAt: Date): Pick<SampleGrant, 'expiresAt' | 'revokedAt'> {
  const roll = rng.next();
  let expiresAt: Date | null = null;
  if (roll < 0.2 && grantedAt.getTime() + DAY_MS < LATEST_EXPIRED) {
    const latest = Math.min(grantedAt.getTime() + 180 * DAY_MS, LATEST_EXPIRED);
    expiresAt = new Date(grantedAt.getTime() + DAY_MS + rng.next() * (latest - grantedAt.getTime() - DAY_MS));
  } else if (roll < 0.45) {
    expiresAt = new Date(FUTURE_FROM + rng.int(0, 540) * DAY_MS);
  }
  const revokedAt = rng.chance(0.06) ? clampBefore(addDays(grantedAt, rng.int(1, 90)), SAMPLE_NOW) : null;
  return { expiresAt, revokedAt };
}

function grantsFor(rng: Random, subject: Subject): SampleGrant[] {
  const toPersons = subject.tlp === 'RED';
  const count = toPersons ? rng.int(1, 3) : rng.int(0, 3);
  const pool = toPersons
    ? PERSON_ORGS.filter((o) => o !== subject.ownerOrgId).map((o) => [o, 1] as const)
    : ORG_GRANTEES.filter(([o]) => o !== subject.ownerOrgId);
  const chosen = new Set<string>();
  for (let i = 0; i < count; i += 1) chosen.add(rng.weighted(pool));
  return [...chosen].map((grantee) => {
    const grantedAt = clampBefore(addDays(subject.sharedFrom, rng.int(0, 20) + rng.next()), SAMPLE_NOW);
    const { expiresAt, revokedAt } = lifetime(rng, grantedAt);
    return {
      id: rng.uuid(),
      reportId: subject.reportId ?? null,
      observationId: subject.observationId ?? null,
      // Under TLP:RED only named persons may read, so RED grants go to a person, never an organization.
      granteeOrgId: toPersons ? null : grantee,
      granteeSub: toPersons ? `sample:${grantee}:analyst-${rng.chance(0.8) ? 1 : 2}` : null,
      // A person is a `sub` within an organization (src/db/visibility.ts).
      granteePersonOrgId: toPersons ? grantee : null,
      purpose: rng.pick(PURPOSES),
      expiresAt,
      grantedBySub: subject.ownerSub,
      grantedByOrgId: subject.ownerOrgId,
      grantedAt,
      revokedAt,
      revokedBySub: revokedAt ? subject.ownerSub : null,
    };
  });
}

const SHARED_TLPS: readonly string[] = ['AMBER', 'AMBER_STRICT', 'RED'];

export function generateGrants(seed: number, reports: readonly SampleReport[], observations: readonly SampleObservation[]): SampleGrant[] {
  const rng = createRandom(seed, 'grants');
  const out: SampleGrant[] = [];
  for (const r of reports) {
    if (!SHARED_TLPS.includes(r.tlp)) continue;
    out.push(...grantsFor(rng, { reportId: r.id, tlp: r.tlp, ownerOrgId: r.authorOrgId, ownerSub: r.authorSub, sharedFrom: r.publishedAt }));
  }
  for (const o of observations) {
    if (!SHARED_TLPS.includes(o.tlp) || !rng.chance(0.4)) continue;
    out.push(...grantsFor(rng, { observationId: o.id, tlp: o.tlp, ownerOrgId: o.sourceOrgId, ownerSub: o.recordedBySub, sharedFrom: o.recordedAt }));
  }
  return out;
}
