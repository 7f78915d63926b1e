import { validate, type ValidationError } from 'class-validator';
import { badInput } from '../../errors.js';

function messages(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...messages(error.children ?? [], `${field}.`)];
  });
}

/**
 * Validates argument and input classes with their class-validator decorators and reports every
 * problem in one clear BAD_USER_INPUT error that names the field. Absent optional arguments are fine.
 */
export async function validateArguments(value: unknown): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (item === null || typeof item !== 'object') continue;
    const problems = messages(await validate(item, { forbidUnknownValues: false, skipMissingProperties: true }));
    const first = problems[0];
    if (first) throw badInput(problems.map((p) => p.message).join('; '), first.field);
  }
}
