import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import { ApiError, ErrorCode } from '../errors.js';
import type { Observation } from '../schema/observation/observation.type.js';
import type { Report } from '../schema/report/report.type.js';
import type { Context } from './context.js';
import type { Viewer } from './viewer.js';

/**
 * THE field policy of the network: who may read which field. One entry per type (a type-wide rule) or
 * per field; anything not named here is denied (fallbackRule: deny), and the server refuses to start
 * if a field of the schema has no rule (assertEveryFieldHasARule). Rows are filtered in SQL
 * (src/db/visibility.ts); this table decides fields.
 *
 * Rules that read `parent` must not use the 'contextual' cache: it is keyed by rule name only, so one
 * row's answer would serve every row of the response.
 */

export interface FieldRule {
  /** Who may read, in words: printed in the access matrix (docs/ACCESS.md) and `viewer.deniedFields`. */
  who: string;
  rule: IRule | typeof allow;
  /** Decides for a viewer alone, without the row; used to tell a viewer what it can never see. */
  forViewer?: (viewer: Viewer) => boolean;
}

const isMember = (v: Viewer) => v.kind === 'member';
const orgKindIn =
  (...kinds: string[]) =>
  (v: Viewer) =>
    v.kind === 'member' && kinds.includes(v.organizationKind);

const SANCTIONS_BODIES = ['SANCTIONS_COMMITTEE', 'SANCTIONS_MONITORING'];

const PUBLIC: FieldRule = { who: 'anyone', rule: allow, forViewer: () => true };

const MEMBERS: FieldRule = {
  who: 'authenticated members',
  rule: rule('members', { cache: 'contextual' })((_p, _a, ctx: Context) => isMember(ctx.viewer)),
  forViewer: isMember,
};

/** The originating organization, or any viewer of the named kinds. */
function originatorOrKinds<P>(name: string, who: string, origin: (parent: P) => string, kinds: string[]): FieldRule {
  const byKind = orgKindIn(...kinds);
  return {
    who,
    rule: rule(name, { cache: 'no_cache' })((parent: P, _a, ctx: Context) => {
      const v = ctx.viewer;
      return v.kind === 'member' && (byKind(v) || origin(parent) === v.organizationId);
    }),
  };
}

/**
 * Sanctions references: each committee sees its own list, the Monitoring Team both, the originating
 * organization all of its own; everyone else is denied the field. Which values are shown is decided by
 * sanctionsReferencesFor below.
 */
const SANCTIONS_REFERENCES: FieldRule = originatorOrKinds<Report>(
  'sanctionsReferences',
  'sanctions committees (their own list), the Monitoring Team (both lists), the originating organization (all)',
  (r) => r.authorOrgId,
  SANCTIONS_BODIES,
);

/** The list prefixes each sanctions body may read: 1267 ISIL/Al-Qaida (QD), 1988 Taliban (TA). */
const SANCTIONS_LISTS: Record<string, readonly string[]> = {
  'sc-1267': ['QDi.', 'QDe.'],
  'sc-1988': ['TAi.', 'TAe.'],
};

/** Value-level part of the sanctions rule; the field rule above has already admitted the viewer. */
export function sanctionsReferencesFor(viewer: Viewer, report: Report): string[] {
  const all = report.sanctionsReferences ?? [];
  if (viewer.kind !== 'member') return [];
  if (viewer.organizationId === report.authorOrgId || viewer.organizationKind === 'SANCTIONS_MONITORING') return all;
  const prefixes = SANCTIONS_LISTS[viewer.organizationId] ?? [];
  return all.filter((ref) => prefixes.some((p) => ref.startsWith(p)));
}

export const policy: Record<string, FieldRule | Record<string, FieldRule>> = {
  Query: {
    countries: PUBLIC,
    country: PUBLIC,
    organizations: PUBLIC,
    organization: PUBLIC,
    reports: PUBLIC,
    report: PUBLIC,
    indicators: PUBLIC,
    indicator: PUBLIC,
  },
  Country: PUBLIC,
  // Types that hold restricted fields name every field: a new field must get a rule before it is served.
  Organization: {
    id: PUBLIC,
    acronym: PUBLIC,
    name: PUBLIC,
    kind: PUBLIC,
    active: PUBLIC,
    country: PUBLIC,
    parents: PUBLIC,
    clients: PUBLIC,
    reports: PUBLIC,
    focalPoint: MEMBERS,
  },
  FocalPoint: MEMBERS,
  Report: {
    id: PUBLIC,
    title: PUBLIC,
    summary: PUBLIC,
    body: PUBLIC,
    language: PUBLIC,
    kind: PUBLIC,
    topics: PUBLIC,
    countries: PUBLIC,
    author: PUBLIC,
    indicators: PUBLIC,
    publishedAt: PUBLIC,
    tlp: PUBLIC,
    revision: PUBLIC,
    updatedAt: PUBLIC,
    sourceReliability: MEMBERS,
    informationCredibility: MEMBERS,
    sourceDescription: originatorOrKinds<Report>(
      'reportSourceDescription',
      'the originating organization, UN entities and sanctions bodies',
      (r) => r.authorOrgId,
      ['UN_ENTITY', ...SANCTIONS_BODIES],
    ),
    sanctionsReferences: SANCTIONS_REFERENCES,
  },
  Indicator: PUBLIC,
  Thresholds: PUBLIC,
  Observation: {
    id: PUBLIC,
    indicator: PUBLIC,
    country: PUBLIC,
    source: PUBLIC,
    period: PUBLIC,
    periodStart: PUBLIC,
    value: PUBLIC,
    level: PUBLIC,
    tlp: PUBLIC,
    revision: PUBLIC,
    recordedAt: PUBLIC,
    sourceReliability: MEMBERS,
    informationCredibility: MEMBERS,
    note: originatorOrKinds<Observation>('observationNote', 'the originating organization and UN entities', (o) => o.sourceOrgId, ['UN_ENTITY']),
  },
  PageInfo: PUBLIC,
  OrganizationEdge: PUBLIC,
  OrganizationConnection: PUBLIC,
  ReportEdge: PUBLIC,
  ReportConnection: PUBLIC,
  ObservationEdge: PUBLIC,
  ObservationConnection: PUBLIC,
};

function isFieldRule(value: FieldRule | Record<string, FieldRule>): value is FieldRule {
  return 'rule' in value && 'who' in value && typeof (value as FieldRule).who === 'string';
}

/** The rule that governs Type.field, or undefined when the policy names neither the field nor its type. */
export function ruleFor(typeName: string, fieldName: string): FieldRule | undefined {
  const entry = policy[typeName];
  if (!entry) return undefined;
  if (isFieldRule(entry)) return entry;
  return entry[fieldName] ?? entry['*'];
}

export const forbidden = () =>
  new ApiError(ErrorCode.FORBIDDEN, 'Your organization or role may not read this field');

export function createShield() {
  const rules = Object.fromEntries(
    Object.entries(policy).map(([type, entry]) => [
      type,
      isFieldRule(entry) ? entry.rule : Object.fromEntries(Object.entries(entry).map(([field, r]) => [field, r.rule])),
    ]),
  );
  return shield(rules, {
    fallbackRule: deny,
    fallbackError: forbidden,
    // Errors a resolver throws on purpose (BAD_USER_INPUT, NOT_FOUND) reach the client; formatError masks the rest.
    allowExternalErrors: true,
  });
}
