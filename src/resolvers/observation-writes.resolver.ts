import { ArrayMaxSize, Length } from 'class-validator';
import { Args, ArgsType, Ctx, Field, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { mayContribute } from '../auth/policy.js';
import { recordObservations } from '../db/queries/observation-writes.js';
import { ApiError, ErrorCode } from '../errors.js';
import { toAlert } from '../schema/alert/alert.mapper.js';
import { ObservationInput, RecordObservationsResult } from '../schema/observation/observation.input.js';
import { toObservation } from '../schema/observation/observation.mapper.js';
import { requireMember } from './member.js';

export const MAX_BATCH = 1000;

@ArgsType()
class RecordObservationsArgs {
  @Field(() => [ObservationInput], { description: `The values, at most ${MAX_BATCH} (use the import command for more). One bad row writes nothing.` })
  @ArrayMaxSize(MAX_BATCH, { message: `input may hold at most ${MAX_BATCH} observations; use \`npm run import\` for larger files` })
  input!: ObservationInput[];

  @Field(() => String, {
    nullable: true,
    description: 'A key you choose for this batch (e.g. a UUID). Sending the same key again (a retry after a lost response) writes nothing and returns the first answer.',
  })
  @Length(8, 200, { message: 'idempotencyKey must be 8 to 200 characters' })
  idempotencyKey?: string | null;
}

@Resolver(() => RecordObservationsResult)
export class ObservationWritesResolver {
  @Mutation(() => RecordObservationsResult, {
    description:
      'Record indicator values (contributor role): a member-state agency for its own country, UN entities for any. A value for a period that has one is a revision. Raises alerts in the same transaction.',
  })
  async recordObservations(@Args(() => RecordObservationsArgs) { input, idempotencyKey }: RecordObservationsArgs, @Ctx() ctx: Context) {
    const viewer = requireMember(ctx);
    if (!mayContribute(viewer)) throw new ApiError(ErrorCode.FORBIDDEN, 'Recording observations needs the contributor role');
    const result = await recordObservations(ctx.db, viewer, input, { idempotencyKey, maxFuturePeriods: ctx.maxFuturePeriods, backfillHorizonDays: ctx.alertBackfillHorizonDays });
    const [observations, alerts, indicators] = await Promise.all([
      ctx.loaders.observation.loadMany(result.observationIds),
      ctx.loaders.alert.loadMany(result.alertIds),
      ctx.loaders.levels(),
    ]);
    return Object.assign(new RecordObservationsResult(), {
      observations: observations.flatMap((o) => (o && !(o instanceof Error) ? [toObservation(o, indicators)] : [])),
      alerts: alerts.flatMap((a) => (a && !(a instanceof Error) ? [toAlert(a)] : [])),
      replayed: result.replayed,
    });
  }
}
