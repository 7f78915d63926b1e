import { IsIn, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
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
  @Field(() => String, { description: 'The alert to acknowledge.' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;

  @Field(() => String, { description: 'What was done or decided, 1 to 2000 characters.' })
  @Length(1, 2000, { message: 'note must be 1 to 2000 characters' })
  note!: string;
}

@ArgsType()
export class AlertRaisedArgs {
  @Field(() => String, { nullable: true, description: 'Only alerts for this country (ISO alpha-3).' })
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO 3166-1 alpha-3 code such as TJK' })
  country?: string | null;

  @Field(() => AlertLevel, { nullable: true, description: 'Only alerts of this level or higher.' })
  @IsIn(['WATCH', 'WARNING', 'CRITICAL'], { message: 'minLevel must be WATCH, WARNING or CRITICAL' })
  minLevel?: AlertLevel | null;
}
