import { ArrayMaxSize, IsIn, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { TriageState } from './alert-triage.type.js';
import { AlertLevel } from '../common/enums.js';
import { PageArgs } from '../common/page.args.js';
import { DateTimeScalar } from '../common/scalars.js';
import { AlertOrder, AlertStatus } from './alert.type.js';
import { PeriodScalar } from '../common/scalars.js';

@InputType({ description: 'Conditions on alerts; all given ones apply.' })
export class AlertFilter {
  @Field(() => String, { nullable: true, description: 'Alerts for this country (ISO alpha-3).' })
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO 3166-1 alpha-3 code such as TJK' })
  country?: string | null;

  @Field(() => String, { nullable: true, description: 'Alerts of this indicator (its code).' })
  @Matches(/^[A-Z0-9-]{2,16}$/, { message: 'indicator must be an indicator code such as OP-01' })
  indicator?: string | null;

  @Field(() => AlertLevel, { nullable: true, description: 'The lowest level wanted (WARNING lists warnings and critical alerts).' })
  @IsIn(['WATCH', 'WARNING', 'CRITICAL'], { message: 'level must be WATCH, WARNING or CRITICAL' })
  level?: AlertLevel | null;

  @Field(() => AlertStatus, { nullable: true, description: 'OPEN, ACKNOWLEDGED (alerts that hold) or SUPERSEDED.' })
  status?: AlertStatus | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Became known at or after this instant.' })
  knownFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Became known before this instant.' })
  knownTo?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, deprecationReason: 'Use knownFrom (raisedAt is when the row was written).', description: 'Same as knownFrom.' })
  since?: Date | null;

  @Field(() => PeriodScalar, { nullable: true, description: 'Concerning this period or a later one (e.g. `2026-01`, `2026-Q1`).' })
  periodFrom?: string | null;

  @Field(() => PeriodScalar, { nullable: true, description: 'Concerning this period or an earlier one.' })
  periodTo?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include superseded alerts (left out by default; `status: SUPERSEDED` lists only them).' })
  includeSuperseded?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Include historical alerts (back-filled history; left out by default).' })
  includeHistorical?: boolean | null;

  @Field(() => [TriageState], { nullable: true, description: "Your organization's triage is in one of these states (NEW: not yet acted on). Members only." })
  @ArrayMaxSize(6, { message: 'triageState lists at most the 6 states' })
  triageState?: TriageState[] | null;

  @Field(() => Boolean, { nullable: true, description: "Assigned to you (true) or not (false) in your organization's triage. Members only." })
  assignedToMe?: boolean | null;
}

@ArgsType()
export class AlertsArgs extends PageArgs {
  @Field(() => AlertFilter, { nullable: true, description: 'Conditions on the alerts listed.' })
  @ValidateNested()
  filter?: AlertFilter | null;

  @Field(() => AlertOrder, { defaultValue: AlertOrder.KNOWN_DESC, description: 'Order of the list.' })
  orderBy!: AlertOrder;
}

@ArgsType()
export class AcknowledgeAlertArgs {
  @Field(() => String, { description: "The alert your organization acknowledges (its triage: NEW → ACKNOWLEDGED)." })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field(() => String, { description: 'What was done or decided, 1 to 2000 characters.' })
  @Length(1, 2000, { message: 'note must be 1 to 2000 characters' })
  note!: string;
}

@ArgsType()
export class TriageAlertArgs {
  @Field(() => String, { description: 'The alert.' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field(() => TriageState, { description: "The state to move your organization's triage to: one of its `nextStates`." })
  state!: TriageState;

  @Field(() => String, { description: 'Why, 1 to 2000 characters: the first note of the step in the thread.' })
  @Length(1, 2000, { message: 'note must be 1 to 2000 characters' })
  note!: string;
}

@ArgsType()
export class AssignAlertArgs {
  @Field(() => String, { description: 'The alert.' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'The person (token `sub`) to assign it to, with `organizationId`; null to unassign.' })
  @Length(1, 200, { message: 'person must be 1 to 200 characters' })
  person?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The person's organization: a `sub` names a person only within its organization, and you assign persons of your own organization only.",
  })
  @Length(1, 64, { message: 'organizationId must be 1 to 64 characters' })
  organizationId?: string | null;
}

@ArgsType()
export class NoteAlertArgs {
  @Field(() => String, { description: 'The alert.' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field(() => String, { description: "The note for your organization's thread, 1 to 2000 characters." })
  @Length(1, 2000, { message: 'note must be 1 to 2000 characters' })
  note!: string;
}

@ArgsType()
export class TriageNotesArgs {
  @Field(() => Int, { defaultValue: 20, description: 'How many of the latest notes, 1 to 100 (default 20).' })
  @Min(1, { message: 'first must be between 1 and 100' })
  @Max(100, { message: 'first must be between 1 and 100' })
  first!: number;
}

@ArgsType()
export class AlertTriagedArgs {
  @Field(() => [TriageState], { nullable: true, description: "Only changes that leave your organization's triage in one of these states." })
  @ArrayMaxSize(6, { message: 'triageState lists at most the 6 states' })
  triageState?: TriageState[] | null;
}

@ArgsType()
export class AlertRaisedArgs {
  @Field(() => String, { nullable: true, description: 'Only alerts for this country (ISO alpha-3).' })
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO 3166-1 alpha-3 code such as TJK' })
  country?: string | null;

  @Field(() => AlertLevel, { nullable: true, description: 'Only alerts of this level or higher.' })
  @IsIn(['WATCH', 'WARNING', 'CRITICAL'], { message: 'minLevel must be WATCH, WARNING or CRITICAL' })
  minLevel?: AlertLevel | null;

  @Field(() => [TriageState], {
    nullable: true,
    description: "Only alerts your organization's triage has in one of these states when they are sent (a new alert is NEW for every organization). Members only.",
  })
  @ArrayMaxSize(6, { message: 'triageState lists at most the 6 states' })
  triageState?: TriageState[] | null;
}
