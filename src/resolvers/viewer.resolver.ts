import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { reach, restrictedFields } from '../auth/policy.js';
import type { OrganizationKind } from '../schema/common/enums.js';
import { Viewer } from '../schema/viewer/viewer.type.js';

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'Who am I: my organization, its kind, my roles, and the fields my profile cannot read.' })
  viewer(@Ctx() { viewer }: Context): Viewer {
    const restricted = restrictedFields();
    const member = viewer.kind === 'member';
    return Object.assign(new Viewer(), {
      authenticated: member,
      sub: member ? viewer.sub : null,
      organizationId: member ? viewer.organizationId : null,
      organizationKind: member ? (viewer.organizationKind as OrganizationKind) : null,
      roles: member ? [...viewer.roles] : [],
      deniedFields: restricted.filter((f) => reach(f.rule, viewer) === 'none').map((f) => f.path),
      conditionalFields: restricted.filter((f) => reach(f.rule, viewer) === 'own').map((f) => f.path),
    });
  }
}
