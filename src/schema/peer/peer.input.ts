import { Length, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { Tlp } from '../common/enums.js';
import { PeerDirection, PeerDowngrade, SyncRecordKind } from './peer.type.js';

// Checked in full by src/db/peer-input.ts (URL, RED, keys), which the CLI shares: errors name the field.

@InputType({ description: 'A peer instance to register.' })
export class RegisterPeerInput {
  @Field(() => String, { description: "The peer's INSTANCE_ID (its /.well-known/ctewn-instance.json says it)." })
  id!: string;

  @Field(() => String, { description: 'Its base URL (https; http only on loopback).' })
  baseUrl!: string;

  @Field(() => String, { description: 'The organization of ours it acts for (an active organization id, e.g. kaz-ct).' })
  organizationId!: string;

  @Field(() => String, { description: "Its public JWKS as JSON, or its whole /.well-known/ctewn-instance.json. Public keys only (ES256 P-256 or EdDSA Ed25519)." })
  @Length(2, 20_000, { message: 'jwks must be 2 to 20,000 characters' })
  jwks!: string;

  @Field(() => PeerDirection, { description: 'Push, pull or both.' })
  direction!: PeerDirection;

  @Field(() => [Tlp], { nullable: true, description: 'Markings that may go to it (none if not given). RED is refused: it never syncs.' })
  allowedMarkings?: Tlp[] | null;

  @Field(() => [SyncRecordKind], { nullable: true, description: 'Kinds of record that may go to it (none if not given).' })
  allowedKinds?: SyncRecordKind[] | null;

  @Field(() => [String], { nullable: true, description: 'Countries (ISO alpha-3) whose records may go; empty or not given: all.' })
  allowedCountries?: string[] | null;

  @Field(() => PeerDowngrade, { nullable: true, description: 'TEARLINE: send AMBER and AMBER+STRICT reports as their tearlines only. NONE (default): no downgrade.' })
  downgrade?: PeerDowngrade | null;
}

@InputType({ description: 'What to change of a peer; fields not given stay as they are.' })
export class UpdatePeerInput {
  @Field(() => String, { nullable: true, description: 'New base URL.' }) baseUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'Another organization of ours for it to act for.' }) organizationId?: string | null;
  @Field(() => String, { nullable: true, description: 'New public keys (JWKS JSON or the well-known document): key rotation.' })
  @Length(2, 20_000, { message: 'jwks must be 2 to 20,000 characters' })
  jwks?: string | null;
  @Field(() => PeerDirection, { nullable: true, description: 'Push, pull or both.' }) direction?: PeerDirection | null;
  @Field(() => [Tlp], { nullable: true, description: 'Markings that may go (never RED).' }) allowedMarkings?: Tlp[] | null;
  @Field(() => [SyncRecordKind], { nullable: true, description: 'Kinds of record that may go.' }) allowedKinds?: SyncRecordKind[] | null;
  @Field(() => [String], { nullable: true, description: 'Countries whose records may go; empty: all.' }) allowedCountries?: string[] | null;
  @Field(() => PeerDowngrade, { nullable: true, description: 'TEARLINE or NONE (see PeerDowngrade).' }) downgrade?: PeerDowngrade | null;
  @Field(() => Boolean, { nullable: true, description: 'false: accept the tokens of a disabled peer again.' }) disabled?: boolean | null;
}

@ArgsType()
export class UpdatePeerArgs {
  @Field(() => String, { description: 'The peer id.' })
  id!: string;

  @Field(() => UpdatePeerInput, { description: 'What to change.' })
  @ValidateNested()
  input!: UpdatePeerInput;
}

@ArgsType()
export class DisablePeerArgs {
  @Field(() => String, { description: 'The peer id.' })
  id!: string;

  @Field(() => String, { description: 'Why (kept in the audit entry), 1 to 500 characters.' })
  @Length(1, 500, { message: 'reason must be 1 to 500 characters' })
  reason!: string;
}
