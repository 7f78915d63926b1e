import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Tlp } from '../common/enums.js';
import { DateTimeScalar } from '../common/scalars.js';

export enum PeerDirection {
  PUSH = 'PUSH',
  PULL = 'PULL',
  BOTH = 'BOTH',
}
registerEnumType(PeerDirection, {
  name: 'PeerDirection',
  description: 'How records travel between this instance and a peer (issue 17).',
  valuesConfig: {
    PUSH: { description: "We send records to the peer's inbox." },
    PULL: { description: 'The peer reads our change feed.' },
    BOTH: { description: 'Both.' },
  },
});

export enum SyncRecordKind {
  REPORT = 'REPORT',
  OBSERVATION = 'OBSERVATION',
}
registerEnumType(SyncRecordKind, {
  name: 'SyncRecordKind',
  description: 'Kinds of record that may go to a peer.',
  valuesConfig: {
    REPORT: { description: 'Reports (with their revisions and retractions).' },
    OBSERVATION: { description: 'Indicator values (with their revisions).' },
  },
});

export enum PeerDowngrade {
  NONE = 'NONE',
  TEARLINE = 'TEARLINE',
}
registerEnumType(PeerDowngrade, {
  name: 'PeerDowngrade',
  description: 'What goes to a peer in place of a report it may not have as it is: configured, never implied (issue 17).',
  valuesConfig: {
    NONE: { description: 'No downgrade: a record goes as it is, or not at all.' },
    TEARLINE: { description: "An AMBER or AMBER+STRICT report never goes itself: its tearlines that the peer's organization may see go in its place." },
  },
});

@ObjectType({
  simpleResolvers: true,
  description:
    "Another instance of the network (a national node, the regional hub) this instance shares with: it authenticates with tokens signed by one of its registered keys and acts for an organization of ours. `network-admin` only.",
})
export class Peer {
  @Field(() => String, { description: "The peer's INSTANCE_ID: the `iss` of its instance tokens." })
  id!: string;

  @Field(() => String, { description: 'Where it is reached (https; http only on loopback).' })
  baseUrl!: string;

  @Field(() => String, { description: 'The organization of ours it acts for: what it may receive is what that organization may see.' })
  organizationId!: string;

  @Field(() => String, { description: 'The public keys its tokens are verified with, as JWKS JSON.' })
  jwks!: string;

  @Field(() => [String], { description: 'The `kid`s of those keys.' })
  keyIds!: string[];

  @Field(() => PeerDirection, { description: 'Push, pull or both.' })
  direction!: PeerDirection;

  @Field(() => [Tlp], { description: 'Markings that may go to it (never RED).' })
  allowedMarkings!: Tlp[];

  @Field(() => [SyncRecordKind], { description: 'Kinds of record that may go to it.' })
  allowedKinds!: SyncRecordKind[];

  @Field(() => [String], { description: 'Countries (ISO alpha-3) whose records may go to it; empty: all.' })
  allowedCountries!: string[];

  @Field(() => PeerDowngrade, { description: 'What goes in place of a report it may not have as it is (NONE, or TEARLINE: an AMBER source goes as its tearlines).' })
  downgrade!: PeerDowngrade;

  @Field(() => DateTimeScalar, { description: 'When it was registered.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When it was last changed.' })
  updatedAt!: Date;

  @Field(() => Boolean, { description: 'Whether its tokens are refused (disablePeer).' })
  disabled!: boolean;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Since when.' })
  disabledAt!: Date | null;
}
