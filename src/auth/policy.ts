import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { IMiddlewareFieldMap, IMiddlewareFunction } from 'graphql-middleware';
import { ApiError, ErrorCode } from '../errors.js';
import type { AlertTriage, AlertTriageNote } from '../schema/alert/alert-triage.type.js';
import type { Observation } from '../schema/observation/observation.type.js';
import type { Report } from '../schema/report/report.type.js';
import type { ReportRevision } from '../schema/report/report-revision.type.js';
import type { Context } from './context.js';
import type { Reader, Role, Viewer } from './viewer.js';

/**
 * THE access policy of the network, in one place.
 *  - Rows (which reports and observations a viewer may see: TLP and grants) are decided in SQL by
 *    src/db/visibility.ts, on every read path.
 *  - Fields are decided here: one entry per type (a type-wide rule) or per field; anything not named is
 *    denied (fallbackRule: deny), and the server refuses to start if a field of the schema has no rule.
 *  - Who may share, revoke and read the access log is decided by the functions at the end.
 *
 * Rules that read `parent` must not use the 'contextual' cache: it is keyed by rule name only, so one
 * row's answer would serve every row of the response. Restricted rules are not cached at all, so every
 * grant or refusal reaches the access log.
 */

export interface FieldRule {
  /** Who may read, in words: printed in the access matrix (docs/ACCESS.md) and told to `viewer`. */
  who: string;
  rule: IRule | typeof allow;
  /** True when members also read the field on their own organization's records, whatever forViewer says. */
  perRecord?: boolean;
  /** Whether the viewer (or an organization as a whole, for a peer instance) reads the field on every record it may see. */
  forViewer: (viewer: Reader) => boolean;
}

// An organization as a whole (OrganizationReader, what a peer instance acting for it receives) is a
// member organization with no person and no role: it reads what every member of it reads, never what a
// role adds (auditor, network-admin).
const isMember = (v: Reader) => v.kind !== 'anonymous';
const hasRole = (v: Reader, role: Role) => v.kind === 'member' && v.roles.includes(role);
const isOrgAdminOf = (v: Viewer, orgId: string) => v.kind === 'member' && v.organizationId === orgId && v.roles.includes('org-admin');
const orgKindIn = (v: Reader, kinds: readonly string[]) => v.kind !== 'anonymous' && kinds.includes(v.organizationKind);
/** The network's coordinators: UNRCCA and UNOCT run it jointly (organizations.coordinates_network, from the database). */
const isCoordinator = (v: Reader) => v.kind !== 'anonymous' && v.coordinatesNetwork;

const SANCTIONS_BODIES = ['SANCTIONS_COMMITTEE', 'SANCTIONS_MONITORING'] as const;

const fieldPath = (info: GraphQLResolveInfo) => `${info.parentType.name}.${info.fieldName}`;

const PUBLIC: FieldRule = { who: 'anyone', rule: allow, forViewer: () => true };

/** A rule decided by the viewer alone; its answers are recorded in the request's access record. */
function viewerRule(name: string, who: string, decide: (viewer: Reader) => boolean): FieldRule {
  return {
    who,
    rule: rule(name, { cache: 'no_cache' })((parent, _args, ctx: Context, info: GraphQLResolveInfo) => {
      const allowed = decide(ctx.viewer);
      ctx.access.field(fieldPath(info), allowed, undefined, parent);
      return allowed;
    }),
    forViewer: decide,
  };
}

/** The originating organization of the row, or a viewer the `decide` function admits. */
function originatorOr<P>(name: string, who: string, origin: (parent: P) => string, decide: (viewer: Reader) => boolean): FieldRule {
  return {
    who,
    perRecord: true,
    rule: rule(name, { cache: 'no_cache' })((parent: P, _args, ctx: Context, info: GraphQLResolveInfo) => {
      const v = ctx.viewer;
      const owner = origin(parent);
      const allowed = v.kind === 'member' && (decide(v) || owner === v.organizationId);
      ctx.access.field(fieldPath(info), allowed, owner, parent);
      return allowed;
    }),
    forViewer: decide,
  };
}

const MEMBERS = viewerRule('members', 'authenticated members', isMember);
const AUDITORS = viewerRule('auditors', 'the `auditor` role', (v) => hasRole(v, 'auditor'));
/** Issue 17: the table of peer instances (who may sync with this one, with which keys) is the network's to keep. */
const NETWORK_ADMINS = viewerRule('networkAdmins', 'the `network-admin` role', (v) => hasRole(v, 'network-admin'));
const CONTRIBUTORS = viewerRule('writers', 'authenticated members (the write checks role and record)', isMember);

const reportOrigin = (r: Report) => r.authorOrgId;
const observationOrigin = (o: Observation) => o.sourceOrgId;

/**
 * Alert triage is per organization (src/alerts/triage.ts): an organization's state, assignee and notes
 * are its own work, and another organization learns nothing of them, not even that they exist. The
 * network's coordinators (UNRCCA, UNOCT) coordinate the work of national and regional bodies on the same
 * threats, so they read every organization's triage state (who has taken an alert up, who escalated it);
 * its notes only once the organization has escalated it (escalating hands it up to them: from then on
 * they read the whole thread, earlier notes included, as the ESCALATED step says); the assignee never (a
 * person's identity stays within its organization, as a report revision's changedBy does).
 * Alert.triage is always the viewer's own organization's; the rules on AlertTriage read the triage's
 * organization from `parent`, so they hold on any path that hands one out.
 */
const OWN_TRIAGE = viewerRule('ownTriage', "authenticated members: their own organization's triage only", isMember);
const TRIAGES_OF_ALL = viewerRule('networkCoordinators', "the network's coordinators (UNRCCA, UNOCT): every organization's triage", isCoordinator);
const triageOrigin = (t: AlertTriage) => t.organizationId;
const TRIAGE_STATE = originatorOr<AlertTriage>('alertTriageState', "the triaging organization and the network's coordinators", triageOrigin, isCoordinator);
const TRIAGE_ASSIGNEE = originatorOr<AlertTriage>('alertTriageAssignee', 'the triaging organization', triageOrigin, () => false);
const TRIAGE_NOTES: FieldRule = {
  who: "the triaging organization; the network's coordinators once it has been escalated",
  perRecord: true,
  // Reads the row (its organization, whether it was escalated): no contextual cache.
  rule: rule('alertTriageNotes', { cache: 'no_cache' })((parent: AlertTriage, _args, ctx: Context, info: GraphQLResolveInfo) => {
    const v = ctx.viewer;
    const allowed = v.kind === 'member' && (v.organizationId === parent.organizationId || (isCoordinator(v) && parent.escalatedAt !== null));
    ctx.access.field(fieldPath(info), allowed, parent.organizationId, parent);
    return allowed;
  }),
  forViewer: () => false,
};
const TRIAGE_NOTE_AUTHOR = originatorOr<AlertTriageNote>('alertTriageNoteAuthor', 'the triaging organization', (n) => n.organizationId, () => false);

/** Who may read the grants of a record: its originating organization and network administrators. */
const SHARED_WITH_REPORT = originatorOr<Report>('reportSharedWith', 'the originating organization and `network-admin`', reportOrigin, (v) =>
  hasRole(v, 'network-admin'),
);
const SHARED_WITH_OBSERVATION = originatorOr<Observation>(
  'observationSharedWith',
  'the originating organization and `network-admin`',
  observationOrigin,
  (v) => hasRole(v, 'network-admin'),
);

/** The access log of a record: its originating organization (and auditors, through auditEvents). */
const REPORT_ACCESS_LOG = originatorOr<Report>('reportAccessLog', 'the originating organization and auditors', reportOrigin, (v) =>
  hasRole(v, 'auditor'),
);

/**
 * Sanctions references: each committee sees its own list, the Monitoring Team both, the originating
 * organization all of its own; everyone else is denied the field. sanctionsReferencesFor decides values.
 */
const SANCTIONS_REFERENCES = originatorOr<Report>(
  'reportSanctionsReferences',
  'sanctions committees (their own list only), the Monitoring Team (both lists), the originating organization (all)',
  reportOrigin,
  (v) => orgKindIn(v, SANCTIONS_BODIES),
);

/** The list prefixes each sanctions committee may read: 1267 ISIL/Al-Qaida (QD), 1988 Taliban (TA). */
const SANCTIONS_LISTS: Record<string, readonly string[]> = {
  'sc-1267': ['QDi.', 'QDe.'],
  'sc-1988': ['TAi.', 'TAe.'],
};

/** Value-level part of the sanctions rule; the field rule above has already admitted the viewer. */
export function sanctionsReferencesFor(viewer: Reader, report: Pick<Report, 'sanctionsReferences' | 'authorOrgId'>): string[] {
  const all = report.sanctionsReferences ?? [];
  if (viewer.kind === 'anonymous') return [];
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
    viewer: PUBLIC,
    auditEvents: AUDITORS,
    alerts: PUBLIC,
    // Every part is read under the viewer's row and revision rules (src/db/queries/overview.ts).
    overview: PUBLIC,
    peers: NETWORK_ADMINS,
    syncDeadLetters: NETWORK_ADMINS,
    // Federation. _entities is open on purpose: the gateway calls it for the user, with the user's
    // token, and every entity passes the same row rule (__resolveReference → loaders) and field rules as
    // the root fields. _service (the subgraph SDL, which composition needs) follows the introspection
    // rule, so a gateway composing at run time in production uses a member token. A context that does
    // not say (a transport that forgot to set the flag) is denied, never allowed.
    _entities: PUBLIC,
    _service: {
      who: 'callers allowed to introspect (INTROSPECTION: everyone in development, members in production)',
      rule: rule('introspection', { cache: 'contextual' })((_p, _a, ctx: { introspectionAllowed?: boolean }) => ctx.introspectionAllowed === true),
      forViewer: () => true,
    },
  },
  // Writes are open to members here; the write itself checks roles and the record (mayContribute,
  // mayManageSharing, observationRefusal, markingRefusal, releaseRefusal below).
  Mutation: {
    shareReport: CONTRIBUTORS,
    shareObservation: CONTRIBUTORS,
    revokeShare: CONTRIBUTORS,
    createReport: CONTRIBUTORS,
    updateReport: CONTRIBUTORS,
    retractReport: CONTRIBUTORS,
    createTearline: CONTRIBUTORS,
    recordObservations: CONTRIBUTORS,
    acknowledgeAlert: CONTRIBUTORS,
    setIndicatorDisclosure: CONTRIBUTORS,
    // network-admin only, checked by the write (mayManageReferenceData).
    setIndicatorThresholds: CONTRIBUTORS,
    setCountryThresholds: CONTRIBUTORS,
    removeCountryThresholds: CONTRIBUTORS,
    setPopulation: CONTRIBUTORS,
    triageAlert: CONTRIBUTORS,
    assignAlert: CONTRIBUTORS,
    noteAlert: CONTRIBUTORS,
    // Issue 17: which instances may sync with this one. Never a peer instance itself: its token has no
    // GraphQL context at all (src/auth/instance-token.ts).
    registerPeer: NETWORK_ADMINS,
    updatePeer: NETWORK_ADMINS,
    disablePeer: NETWORK_ADMINS,
  },
  // Each event is reloaded under the subscriber's row rule before it is sent; alertTriaged carries only
  // the subscriber's own organization's triage changes.
  Subscription: {
    alertRaised: PUBLIC,
    alertTriaged: MEMBERS,
  },
  Country: PUBLIC,
  CountryGroup: PUBLIC,
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
    sourceDescription: originatorOr<Report>(
      'reportSourceDescription',
      'the originating organization, UN entities and sanctions bodies',
      reportOrigin,
      (v) => orgKindIn(v, ['UN_ENTITY', ...SANCTIONS_BODIES]),
    ),
    sanctionsReferences: SANCTIONS_REFERENCES,
    sharedWith: SHARED_WITH_REPORT,
    accessLog: REPORT_ACCESS_LOG,
    retractedAt: PUBLIC,
    retractionReason: PUBLIC,
    // Where a copy comes from: as public as the record's author (Report.author).
    origin: PUBLIC,
    // The link to a source resolves through the row rule: null unless the viewer may see the source.
    tearlineOf: PUBLIC,
    tearlines: PUBLIC,
    // Each earlier revision passes the row rule under the marking it had (src/db/queries/report-revisions.ts).
    revisions: PUBLIC,
  },
  ReportRevision: {
    revision: PUBLIC,
    updatedAt: PUBLIC,
    tlp: PUBLIC,
    title: PUBLIC,
    summary: PUBLIC,
    body: PUBLIC,
    language: PUBLIC,
    // A person's identity stays within its organization (and the audit).
    changedBy: originatorOr<ReportRevision>('reportRevisionChangedBy', 'the originating organization and auditors', (r) => r.authorOrgId, (v) =>
      hasRole(v, 'auditor'),
    ),
  },
  // Reached only through Report.origin and Observation.origin above.
  RecordOrigin: PUBLIC,
  Indicator: PUBLIC,
  Thresholds: PUBLIC,
  Population: PUBLIC,
  // Answers to network-admin's writes above.
  ThresholdsChange: PUBLIC,
  PopulationChange: PUBLIC,
  AlertRecount: PUBLIC,
  Observation: {
    id: PUBLIC,
    indicator: PUBLIC,
    country: PUBLIC,
    source: PUBLIC,
    period: PUBLIC,
    periodStart: PUBLIC,
    value: PUBLIC,
    rate: PUBLIC,
    level: PUBLIC,
    tlp: PUBLIC,
    revision: PUBLIC,
    bySource: PUBLIC,
    recordedAt: PUBLIC,
    // Where a copy comes from: as public as the value's source (Observation.source).
    origin: PUBLIC,
    status: PUBLIC,
    // Resolved through the row rule: null unless the viewer may see the report.
    sourceReport: PUBLIC,
    // Said only for indicators whose owner discloses withheld values (src/db/queries/withheld.ts).
    newerWithheld: PUBLIC,
    // A person's identity stays within its organization (and the audit).
    recordedBy: originatorOr<Observation>('observationRecordedBy', 'the originating organization and auditors', observationOrigin, (v) => hasRole(v, 'auditor')),
    sourceReliability: MEMBERS,
    informationCredibility: MEMBERS,
    note: originatorOr<Observation>('observationNote', 'the originating organization and UN entities', observationOrigin, (v) =>
      orgKindIn(v, ['UN_ENTITY']),
    ),
    sharedWith: SHARED_WITH_OBSERVATION,
  },
  // Reached only through the guarded fields above (sharedWith, accessLog, auditEvents) or a share mutation.
  Grant: PUBLIC,
  // Alert rows are filtered in SQL (src/db/visibility.ts alertVisibleTo); their fields are public to those
  // who see them, but for triage, which is per organization (see OWN_TRIAGE above).
  Alert: {
    id: PUBLIC,
    level: PUBLIC,
    rule: PUBLIC,
    value: PUBLIC,
    threshold: PUBLIC,
    rate: PUBLIC,
    baseline: PUBLIC,
    tlp: PUBLIC,
    // OPEN / ACKNOWLEDGED by the viewer's own organization: nobody else's triage shows in it.
    status: PUBLIC,
    knownAt: PUBLIC,
    historical: PUBLIC,
    supersededAt: PUBLIC,
    supersededBy: PUBLIC,
    raisedAt: PUBLIC,
    period: PUBLIC,
    indicator: PUBLIC,
    country: PUBLIC,
    source: PUBLIC,
    observations: PUBLIC,
    triage: OWN_TRIAGE,
    acknowledgedAt: OWN_TRIAGE,
    acknowledgedByOrganizationId: OWN_TRIAGE,
    acknowledgementNote: OWN_TRIAGE,
    triages: TRIAGES_OF_ALL,
  },
  AlertTriage: {
    organization: TRIAGE_STATE,
    state: TRIAGE_STATE,
    nextStates: TRIAGE_STATE,
    updatedAt: TRIAGE_STATE,
    escalatedAt: TRIAGE_STATE,
    assignee: TRIAGE_ASSIGNEE,
    notes: TRIAGE_NOTES,
  },
  // Reached only through AlertTriage.notes (its rule decides the thread); the author stays within the organization.
  AlertTriageNote: {
    text: PUBLIC,
    writtenAt: PUBLIC,
    state: PUBLIC,
    author: TRIAGE_NOTE_AUTHOR,
  },
  Baseline: PUBLIC,
  AlertConnection: PUBLIC,
  AlertEdge: PUBLIC,
  RecordObservationsResult: PUBLIC,
  AuditEvent: PUBLIC,
  AuditEventConnection: PUBLIC,
  AuditEventEdge: PUBLIC,
  Viewer: PUBLIC,
  _Service: PUBLIC,
  PageInfo: PUBLIC,
  OrganizationEdge: PUBLIC,
  OrganizationConnection: PUBLIC,
  ReportEdge: PUBLIC,
  ReportConnection: PUBLIC,
  ObservationEdge: PUBLIC,
  Overview: PUBLIC,
  ThemeOverview: PUBLIC,
  IndicatorOverview: PUBLIC,
  SeriesOverview: PUBLIC,
  TopicReports: PUBLIC,
  AlertCounts: PUBLIC,
  // Listed only for indicators whose owner discloses withheld values; names indicator, country and period only.
  WithheldValue: PUBLIC,
  ObservationConnection: PUBLIC,
  // Reached only through Query.peers and the peer mutations, which admit network-admin only.
  Peer: PUBLIC,
  // Reached only through Query.syncDeadLetters, which admits network-admin only.
  SyncDeadLetter: PUBLIC,
  // Reached only through Peer.pullState (peers are network-admin's only).
  PeerPullState: PUBLIC,
};

function isFieldRule(value: FieldRule | Record<string, FieldRule>): value is FieldRule {
  return typeof (value as FieldRule).who === 'string' && 'rule' in value;
}

/** The rule that governs Type.field, or undefined when the policy names neither the field nor its type. */
export function ruleFor(typeName: string, fieldName: string): FieldRule | undefined {
  const entry = policy[typeName];
  if (!entry) return undefined;
  if (isFieldRule(entry)) return entry;
  return entry[fieldName];
}

/**
 * Whether Type.field is readable by anyone who may see its record (PUBLIC): such a field needs no rule at
 * run time, so a path that shapes the answer in SQL (src/http/sql-path/) may serve it.
 */
export function isPublic(typeName: string, fieldName: string): boolean {
  return ruleFor(typeName, fieldName) === PUBLIC;
}

/** How a viewer fares with a rule: reads it everywhere, only on its own organization's records, or never. */
export function reach(rule: FieldRule, viewer: Reader): 'all' | 'own' | 'none' {
  if (rule.forViewer(viewer)) return 'all';
  return rule.perRecord && viewer.kind !== 'anonymous' ? 'own' : 'none';
}

/**
 * Whether the viewer reads Type.field on a record of `originOrgId`: the decision the field's rule makes in
 * GraphQL, for paths that build their answer without it (the STIX mapping, src/stix/; what goes to a peer
 * instance, src/sync/). Fails closed: a
 * field the policy does not name is never read.
 */
export function readsFieldOn(viewer: Reader, typeName: string, fieldName: string, originOrgId: string): boolean {
  const rule = ruleFor(typeName, fieldName);
  if (!rule) return false;
  const r = reach(rule, viewer);
  return r === 'all' || (r === 'own' && viewer.kind !== 'anonymous' && viewer.organizationId === originOrgId);
}

/** Every restricted field (not PUBLIC) with its rule: for `viewer.deniedFields` and the access matrix. */
export function restrictedFields(): { path: string; rule: FieldRule }[] {
  return Object.entries(policy).flatMap(([type, entry]) =>
    isFieldRule(entry)
      ? entry === PUBLIC
        ? []
        : [{ path: `${type}.*`, rule: entry }]
      : Object.entries(entry)
          .filter(([, r]) => r !== PUBLIC)
          .map(([field, r]) => ({ path: `${type}.${field}`, rule: r })),
  );
}

export const forbidden = () => new ApiError(ErrorCode.FORBIDDEN, 'Your organization or role may not read this field');

/**
 * The field layer, as graphql-middleware field map: graphql-shield's middleware for every field whose rule
 * can refuse. PUBLIC is `allow` and can never refuse, so its fields are left unwrapped: a shield wrapper
 * makes a field asynchronous, and on a list of hundreds of records that cost dominated the response
 * (bench/NOTES.md). A field no entry names keeps graphql-shield's fallback, deny (the server also refuses
 * to start with one: fieldsWithoutRule).
 */
export function createShield(schema: GraphQLSchema): IMiddlewareFieldMap {
  const rules = Object.fromEntries(
    Object.entries(policy).map(([type, entry]) => [
      type,
      isFieldRule(entry) ? entry.rule : Object.fromEntries(Object.entries(entry).map(([field, r]) => [field, r.rule])),
    ]),
  );
  const generated = shield(rules, {
    fallbackRule: deny,
    fallbackError: (_thrown, parent, _args, ctx, info) => {
      (ctx as unknown as Context).access.field(fieldPath(info), false, undefined, parent);
      return forbidden();
    },
    // Errors a resolver throws on purpose (BAD_USER_INPUT, NOT_FOUND) reach the client; formatError masks the rest.
    allowExternalErrors: true,
  }).generate(schema) as Record<string, Record<string, IMiddlewareFunction>>;
  const wrapped = Object.entries(generated).map(
    ([type, fields]) => [type, Object.fromEntries(Object.entries(fields).filter(([field]) => ruleFor(type, field) !== PUBLIC))] as const,
  );
  return Object.fromEntries(wrapped.filter(([, fields]) => Object.keys(fields).length > 0));
}

// ---- Writes and the access log: who may do what with a record ----

/** The network's reference data (indicators and their options) is kept by `network-admin`. */
export function mayManageReferenceData(viewer: Viewer): boolean {
  return hasRole(viewer, 'network-admin');
}

/** The table of peer instances (issue 17) is kept by `network-admin`, as the reference data is. */
export function mayManagePeers(viewer: Viewer): boolean {
  return hasRole(viewer, 'network-admin');
}

/** Only the originating organization's `org-admin` may grant or revoke access to its records. */
export function mayManageSharing(viewer: Viewer, originOrgId: string): boolean {
  return isOrgAdminOf(viewer, originOrgId);
}

export type GrantTarget = { organizationId: string } | { person: string };

/**
 * Nobody may widen a record beyond its marking: CLEAR and GREEN need no grant; AMBER and AMBER+STRICT
 * are shared with organizations; RED only with named persons. Returns the reason a grant is refused.
 */
export function grantRefusal(tlp: string, target: GrantTarget): string | null {
  if (tlp === 'CLEAR' || tlp === 'GREEN') return `a TLP:${tlp} record needs no grant: every ${tlp === 'CLEAR' ? 'caller' : 'member'} may already see it`;
  if (tlp === 'RED' && 'organizationId' in target) return 'a TLP:RED record may be shared with named persons only, not with an organization';
  if (tlp !== 'RED' && 'person' in target) return `a TLP:${tlp.replace('_', '+')} record is shared with organizations, not persons`;
  return null;
}

/** Triage (steps, assignment, notes) is analysts' work, on their own organization's triage only. */
export function triageRefusal(viewer: Viewer): string | null {
  return hasRole(viewer, 'analyst') ? null : 'Triaging alerts needs the analyst role';
}

/**
 * A person is a `sub` within an organization (as grants name them): an organization assigns its own
 * persons only, so the person's organization must be the assigner's. The API keeps no directory of
 * persons (the organization's identity provider issues them), so this is what it can know.
 */
export function assigneeRefusal(viewer: Viewer, person: string | null | undefined, organizationId: string | null | undefined): { message: string; field: string } | null {
  if (viewer.kind !== 'member') return { message: 'sign in to assign', field: 'person' };
  if (person && !organizationId) return { message: "A person is named with the person's organization: give organizationId too", field: 'organizationId' };
  if (organizationId && organizationId !== viewer.organizationId) {
    return { message: `You assign persons of your own organization (${viewer.organizationId}) only`, field: 'organizationId' };
  }
  if (!person && organizationId) return { message: 'organizationId names the person\'s organization: give person too, or neither to unassign', field: 'person' };
  return null;
}

/** Filtering by triage reads the viewer's organization's triage: an anonymous caller has none. */
export function triageFilterRefusal(viewer: Viewer): string | null {
  return viewer.kind === 'member' ? null : "Triage is per organization: filtering by it needs a member's token";
}

/** Contributors write their own organization's reports and observations. */
export function mayContribute(viewer: Viewer): viewer is Viewer & { kind: 'member' } {
  return viewer.kind === 'member' && viewer.roles.includes('contributor');
}

/**
 * Filtering or ordering by Admiralty grading discloses the grading of every record it keeps or moves, so
 * it is for viewers who read both grading fields of `typeName` on every record (today: members); others
 * get FORBIDDEN naming the argument, never a silently unfiltered list.
 */
export function gradingUseRefusal(viewer: Viewer, typeName: 'Report' | 'Observation'): string | null {
  const readsAll = ['sourceReliability', 'informationCredibility'].every((field) => {
    const rule = ruleFor(typeName, field);
    return rule !== undefined && reach(rule, viewer) === 'all';
  });
  return readsAll ? null : 'Filtering or ordering by Admiralty grading needs the grading fields, which your organization or role may not read';
}

/** Throws FORBIDDEN, naming the argument, when `argument` uses the grading and the viewer may not. */
export function checkGradingUse(viewer: Viewer, typeName: 'Report' | 'Observation', argument: string | null): void {
  const refusal = argument ? gradingUseRefusal(viewer, typeName) : null;
  if (refusal) throw new ApiError(ErrorCode.FORBIDDEN, refusal, { field: argument });
}

/**
 * Who may record an indicator value for a country: a member-state agency for its own country only, UN
 * entities for any country; other organizations contribute reports, not indicator values.
 */
export function observationRefusal(viewer: Viewer, countryIso3: string): string | null {
  if (viewer.kind !== 'member') return 'sign in to record observations';
  if (viewer.organizationKind === 'UN_ENTITY') return null;
  if (viewer.organizationKind === 'MEMBER_STATE_AGENCY') {
    return viewer.organizationCountry === countryIso3 ? null : `a member-state agency records values for its own country (${viewer.organizationCountry}) only`;
  }
  return 'only member-state agencies (for their country) and UN entities record indicator values';
}

const tlpLabel = (tlp: string) => tlp.replace('_', '+');

/** TLP markings from the widest audience to the narrowest. */
const MARKING_ORDER = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'];

/** Whether `to` lets more readers in than `from` (RED → GREEN, AMBER+STRICT → AMBER, GREEN → CLEAR). */
export function lowersMarking(from: string, to: string): boolean {
  return MARKING_ORDER.indexOf(to) < MARKING_ORDER.indexOf(from);
}

/**
 * Lowering a record's marking, by an update or by a tearline under its source's marking, releases it to
 * readers its author's organization had kept out: a release decision, the originating organization's
 * `org-admin` only (a contributor would otherwise turn RED or AMBER+STRICT material GREEN on its own),
 * with a reason that goes into the write's audit entry (releaseReasonRefusal).
 */
export function releaseRefusal(viewer: Viewer, originOrgId: string, from: string, to: string): string | null {
  if (!lowersMarking(from, to)) return null;
  return isOrgAdminOf(viewer, originOrgId) ? null : `Lowering the marking (TLP:${tlpLabel(from)} → TLP:${tlpLabel(to)}) is a release decision: it needs the org-admin role of the originating organization`;
}

/** A release states why (kept in the audit entry); a write that lowers nothing takes no release reason. */
export function releaseReasonRefusal(lowers: boolean, releaseReason: string | null | undefined): string | null {
  const given = releaseReason !== undefined && releaseReason !== null;
  if (lowers && (!given || releaseReason.trim() === '')) return 'Lowering the marking is a release decision: give a releaseReason (why, for the audit record)';
  if (!lowers && given) return 'releaseReason is for writes that lower the marking; this one does not';
  return null;
}

/**
 * Markings a contributor may use: TLP:CLEAR is a public release, an organizational decision, so it needs
 * the `org-admin` role; any other marking is the contributor's call.
 */
export function markingRefusal(viewer: Viewer, tlp: string): string | null {
  if (tlp === 'CLEAR' && !(viewer.kind === 'member' && viewer.roles.includes('org-admin'))) {
    return 'TLP:CLEAR (public release) needs the org-admin role; use GREEN or a stricter marking';
  }
  return null;
}

// ---- What goes to a peer instance (issue 17): on top of the row rule and the field policy, read for its organization ----

/** What the peer's configuration reads of a record: its kind, its marking and the countries it concerns. */
export interface FilteredRecord {
  kind: 'REPORT' | 'OBSERVATION';
  tlp: string;
  countries: readonly string[];
}

/**
 * The peer's configuration, on top of the row rule and the field policy (which decide for its
 * organization): it can only narrow what goes, never widen it. TLP:RED never goes, whatever the
 * configuration says (the table refuses it too: peers_never_red). A record concerning several countries
 * goes only if every one of them is allowed: a report on Kazakhstan and Uzbekistan is not Kazakhstan's alone.
 */
export function peerConfigAllows(peer: { allowedKinds: readonly string[]; allowedMarkings: readonly string[]; allowedCountries: readonly string[] }, record: FilteredRecord): boolean {
  if (record.tlp === 'RED') return false;
  if (!peer.allowedKinds.includes(record.kind)) return false;
  if (!peer.allowedMarkings.includes(record.tlp)) return false;
  return peer.allowedCountries.length === 0 || record.countries.every((c) => peer.allowedCountries.includes(c));
}

/** Markings a TEARLINE downgrade replaces: the report goes as its tearlines below them, never itself. */
const DOWNGRADED = ['AMBER', 'AMBER_STRICT'];
const BELOW_AMBER = ['CLEAR', 'GREEN'];

export function downgradesToTearlines(peer: { downgrade: string }, tlp: string): boolean {
  return peer.downgrade === 'TEARLINE' && DOWNGRADED.includes(tlp);
}

/** A tearline that may stand in for a downgraded source: marked below AMBER (else it would be downgraded itself). */
export function mayStandIn(tlp: string): boolean {
  return BELOW_AMBER.includes(tlp);
}
