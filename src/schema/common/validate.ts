import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { badInput } from '../../errors.js';

function messages(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...messages(error.children ?? [], `${field}.`)];
  });
}

/** Whether a class (or a class it nests) declares any class-validator constraint; asked once per class. */
const constrained = new WeakMap<object, boolean>();
function hasConstraints(item: object): boolean {
  const target = item.constructor;
  let known = constrained.get(target);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false).length > 0;
    constrained.set(target, known);
  }
  return known;
}

/**
 * Validates argument and input classes with their class-validator decorators and reports every
 * problem in one clear BAD_USER_INPUT error that names the field. Absent optional arguments are fine.
 * A class without constraints (LangArgs on every title and name) returns at once: validating it anyway
 * cost a class-validator run per field of every list.
 */
export function validateArguments(value: unknown): Promise<void> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const values = (Array.isArray(value) ? value : [value]).filter((item): item is object => item !== null && typeof item === 'object');
  if (!values.some(hasConstraints)) return undefined;
  return (async () => {
    for (const item of values) {
      const problems = messages(await validate(item, { forbidUnknownValues: false, skipMissingProperties: true }));
      const first = problems[0];
      if (first) throw badInput(problems.map((p) => p.message).join('; '), first.field);
    }
  })();
}
