import { reach, restrictedFields } from './policy.js';
import type { Role, Viewer } from './viewer.js';

/** The sample network's coordinators (organizations.coordinates_network). */
const COORDINATORS: readonly string[] = ['unrcca', 'unoct'];

/** The profiles the access matrix shows: one per organization kind the policy distinguishes, and the special roles. */
const PROFILES: { label: string; viewer: Viewer }[] = [
  { label: 'anonymous', viewer: { kind: 'anonymous' } },
  ...(
    [
      ['UN entity analyst', 'UN_ENTITY', 'unodc', ['analyst']],
      ['1267 Committee', 'SANCTIONS_COMMITTEE', 'sc-1267', ['analyst']],
      ['1988 Committee', 'SANCTIONS_COMMITTEE', 'sc-1988', ['analyst']],
      ['Monitoring Team', 'SANCTIONS_MONITORING', 'monitoring-team', ['analyst']],
      ['regional organization', 'REGIONAL_ORGANIZATION', 'sco-rats', ['analyst']],
      ['member-state agency', 'MEMBER_STATE_AGENCY', 'kaz-ct', ['contributor']],
      ['civil society', 'CIVIL_SOCIETY', 'kaz-cso', ['analyst']],
      ['expert', 'EXPERT', 'expert-group', ['analyst']],
      ['donor', 'DONOR', 'unpdf', ['analyst']],
      ['auditor (any organization)', 'REGIONAL_ORGANIZATION', 'csto', ['auditor']],
      ['network-admin (any organization)', 'REGIONAL_ORGANIZATION', 'csto', ['network-admin']],
      ['network coordinator (UNRCCA, UNOCT)', 'UN_ENTITY', 'unrcca', ['analyst']],
    ] as const
  ).map(([label, organizationKind, organizationId, roles]) => ({
    label,
    viewer: {
      kind: 'member' as const,
      sub: 'x',
      organizationId,
      organizationKind,
      organizationCountry: null,
      parentOrganizationIds: [],
      coordinatesNetwork: COORDINATORS.includes(organizationId),
      roles: [...roles] as Role[],
    },
  })),
];

/** docs/ACCESS.md, generated from the policy itself (`npm run docs:access`; a test fails when it is stale). */
export function renderAccessMatrix(): string {
  const fields = restrictedFields();
  const header = `| field | who may read it | ${PROFILES.map((p) => p.label).join(' | ')} |`;
  const rule = `| --- | --- | ${PROFILES.map(() => ':-:').join(' | ')} |`;
  const rows = fields.map(({ path, rule: r }) => {
    const cells = PROFILES.map(({ viewer }) => ({ all: '✓', own: 'own', none: '—' })[reach(r, viewer)]);
    return `| \`${path}\` | ${r.who} | ${cells.join(' | ')} |`;
  });
  return `<!-- Generated from src/auth/policy.ts by \`npm run docs:access\`. Do not edit by hand. -->
# Who may see what

## Rows: reports and observations (TLP 2.0 applied to the network)

Decided in SQL by one predicate (\`src/db/visibility.ts\`) on every read path: lists, \`totalCount\`,
by-id lookups, nested lists, search and filters. A hidden record and a missing one look the same.

| marking | who may see the record |
| --- | --- |
| TLP:CLEAR | anyone, anonymous included |
| TLP:GREEN | any authenticated member of the network |
| TLP:AMBER | the originating organization, organizations holding an active grant, and those grantees' clients (organizations whose parent is a grantee: a grant to the 1267 Committee reaches the Monitoring Team) |
| TLP:AMBER+STRICT | the originating organization and organizations holding an active grant; no clients |
| TLP:RED | named persons only (a person is an organization and a \`sub\`): the author and persons named in an active grant |

A grant is active until it is revoked or its expiry passes (checked at query time). Only the originating
organization's \`org-admin\` may grant or revoke, and never wider than the marking: CLEAR and GREEN need no
grant, AMBER and AMBER+STRICT go to organizations, RED to named persons only.

## Release decisions: lowering a marking

Writing is the \`contributor\` role's, on the records of its own organization. Lowering a record's marking
lets in readers the marking kept out, so it is a release decision: \`updateReport\` to a lower TLP
(RED → GREEN, AMBER+STRICT → AMBER, GREEN → CLEAR…) and every \`createTearline\` (its marking is always
below its source's) need the originating organization's \`org-admin\` (otherwise \`FORBIDDEN\`) and a
\`releaseReason\` (missing or blank: \`BAD_USER_INPUT\`; up to 2,000 characters), kept in the write's
audit entry (\`AuditEvent.reason\`). Publishing a new report as TLP:CLEAR needs \`org-admin\` too; any
other marking, and raising a marking, is the contributor's call.

## Fields

Every field not listed here is readable by anyone who may see its record. A denied field is \`null\` with an
error \`FORBIDDEN\` at its path; the rest of the response is served. ✓: on every record the viewer may
see; \`own\`: only on the records of the viewer's own organization; —: never.
\`Report.sanctionsReferences\` is also filtered by value: the 1267 Committee sees \`QDi.\`/\`QDe.\`
entries, the 1988 Committee \`TAi.\`/\`TAe.\`, the Monitoring Team both, the originating organization all.

${header}
${rule}
${rows.join('\n')}

## Alert triage: per organization

An alert is seen by whoever may see all the values behind it; its triage is not. Each organization has its
own (\`Alert.triage\`: state, assignee, a thread of notes), written by its \`analyst\` role only
(\`triageAlert\`, \`assignAlert\`, \`noteAlert\`, \`acknowledgeAlert\` = NEW → ACKNOWLEDGED), each write one
transaction with its audit entry (\`AuditEvent.alertIds\`). Another organization sees none of it: not the
state (\`status\` OPEN/ACKNOWLEDGED is the viewer's own organization's), not the notes, not that they
exist, on any path (lists, filters, counts, \`alertRaised\`, \`alertTriaged\`). The network's coordinators
(organizations marked \`coordinates_network\`: UNRCCA and UNOCT, who run the network jointly) read every
organization's triage state through \`Alert.triages\`, to see who has taken an alert up and who escalated
it; an organization's notes once it has escalated the alert (the ESCALATED step hands it up to them); the
assignee never (a person's identity stays within the organization). Auditors see in the access log that a
triage write was made (who, which alert, which mutation), never its notes.

Every request that returns a non-CLEAR record or a restricted field, or is refused one, is written to the
access log (\`auditEvents\` for auditors, \`Report.accessLog\` for the report's organization).
`;
}
