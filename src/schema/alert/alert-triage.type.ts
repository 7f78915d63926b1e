import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';

export enum TriageState {
  NEW = 'NEW',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  IN_REVIEW = 'IN_REVIEW',
  ESCALATED = 'ESCALATED',
  DISMISSED = 'DISMISSED',
  CLOSED = 'CLOSED',
}
registerEnumType(TriageState, {
  name: 'TriageState',
  description:
    "Where an organization's triage of an alert stands. Each organization has its own. Steps: NEW → ACKNOWLEDGED → IN_REVIEW → ESCALATED | DISMISSED | CLOSED, ESCALATED → CLOSED; DISMISSED or CLOSED may be reopened (→ IN_REVIEW). A superseded alert's triage can only be closed.",
  valuesConfig: {
    NEW: { description: 'Not yet looked at by the organization (every alert starts NEW for every organization).' },
    ACKNOWLEDGED: { description: 'Seen by an analyst of the organization.' },
    IN_REVIEW: { description: 'Being worked on.' },
    ESCALATED: {
      description: "Handed up to the network's coordinators: from the first escalation on, they read the triage's notes too.",
    },
    DISMISSED: { description: 'Judged not to need action (may be reopened).' },
    CLOSED: { description: 'Dealt with (may be reopened while the alert holds).' },
  },
});

@ObjectType({ simpleResolvers: true, description: "A note in an organization's triage thread of an alert. Append-only." })
export class AlertTriageNote {
  @Field(() => String, { description: 'What was written.' })
  text!: string;

  @Field(() => DateTimeScalar, { description: 'When it was written.' })
  writtenAt!: Date;

  @Field(() => TriageState, { nullable: true, description: 'The state the triage moved to with this note; null for a note alone.' })
  state!: TriageState | null;

  @Field(() => String, { nullable: true, description: 'Who wrote it: a person (token `sub`) of the triaging organization. That organization only.' })
  author!: string | null;

  organizationId!: string;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "One organization's triage of an alert: its state, its assignee and its thread of notes. Read by that organization; the network's coordinators read its state, and its notes once it has been escalated. Never by another organization.",
})
export class AlertTriage {
  @Field(() => TriageState, { nullable: true, description: 'Where it stands (NEW until the organization acts on it).' })
  state!: TriageState | null;

  @Field(() => [TriageState], { nullable: true, description: 'The states it may move to next (`triageAlert`).' })
  nextStates!: TriageState[] | null;

  @Field(() => String, { nullable: true, description: 'The person it is assigned to (token `sub`, a person of the triaging organization). That organization only.' })
  assignee!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it last changed (state, assignee or a note); null while untouched.' })
  updatedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was first escalated; null if never.' })
  escalatedAt!: Date | null;

  alertId!: string;
  organizationId!: string;
}
