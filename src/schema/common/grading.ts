/**
 * The grading argument a list request uses, if any, as the policy's check names it in its error
 * (`minReliability`, or `filter.minReliability` under a filter input).
 */
export function gradingArgument(args: { minReliability?: unknown; minCredibility?: unknown } | null | undefined, path = ''): string | null {
  if (args?.minReliability != null) return `${path}minReliability`;
  return args?.minCredibility != null ? `${path}minCredibility` : null;
}
