import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { afterAll, describe, expect, it } from 'vitest';
import config from '../codegen.js';

/**
 * The GraphQL Code Generator recipe of docs/DEVELOPERS.md, run as a partner runs it: codegen.ts on
 * schema.client.graphql and examples/operations/, then the TypeScript compiler on what it wrote and on
 * a client that uses it, so the recipe cannot rot when the schema or an example changes.
 */
const dir = mkdtempSync(join(tmpdir(), 'ct-ewn-codegen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsc = (files: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', ...files];
    execFile(join('node_modules', '.bin', 'tsc'), args, { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });

/** A client written against the generated types, with what they must refuse marked @ts-expect-error. */
const CONSUMER = `
import type { CountryOverviewQuery, CountryOverviewQueryVariables, LiveAlertsSubscription, RestrictedFieldsQuery, Tlp } from './ct-ewn-graph.js';

const variables: CountryOverviewQueryVariables = { iso3: 'TJK' };
export function firstValue(data: CountryOverviewQuery): number | undefined {
  return data.overview.themes[0]?.indicators[0]?.series[0]?.current.value;
}
export const level = (event: LiveAlertsSubscription) => event.alertRaised.level;
export const marking: Tlp = 'AMBER_STRICT';
// @ts-expect-error a required variable may not be left out
const missing: CountryOverviewQueryVariables = {};
// @ts-expect-error TLP markings are a closed set
const wrong: Tlp = 'PURPLE';
export const source = (data: RestrictedFieldsQuery): string | null => data.reports.edges[0]?.node.sourceDescription ?? null;
// @ts-expect-error a restricted field may be null (FORBIDDEN beside the rest of the answer): the type says so
export const unchecked = (data: RestrictedFieldsQuery): string => data.reports.edges[0]!.node.sourceDescription;
export { variables, missing, wrong };
`;

describe('GraphQL Code Generator on the example operations (codegen.ts)', () => {
  it('generates types for every example operation, and they type-check with a client using them', async () => {
    const [target, output] = Object.entries(config.generates)[0]!;
    expect(target).toBe('generated/ct-ewn-graph.ts');
    const file = join(dir, 'ct-ewn-graph.ts');
    await generate({ ...config, silent: true, generates: { [file]: output } }, true);

    const generated = readFileSync(file, 'utf8');
    for (const name of ['CountryOverviewQuery', 'ReportsOnTopicQuery', 'IndicatorTrendQuery', 'SharedWithMyOrganizationQuery', 'WhoReadOurReportsQuery', 'AuditTrailQuery', 'RestrictedFieldsQuery', 'LiveAlertsSubscription', 'WhoAmIQuery']) {
      expect(generated).toContain(`export type ${name} = `);
    }
    writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
    const { code, output: errors } = await tsc([file, join(dir, 'consumer.ts')]);
    expect(errors).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
