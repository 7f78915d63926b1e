import type { Context } from '../auth/context.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { toIndicator } from '../schema/indicator/indicator.mapper.js';
import { toOrganization } from '../schema/organization/organization.mapper.js';
import { toReport } from '../schema/report/report.mapper.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const text = (value: unknown, max: number) => (typeof value === 'string' && value.length <= max ? value : undefined);

/**
 * Federation entry points (`_entities`): each goes through the same per-request loaders as the root
 * fields, so representations are batched (one statement per entity type per `_entities` call) and
 * reports pass the same SQL row rule. A hidden or unknown key resolves to null, and a representation is
 * never echoed back: only what the database returns is.
 */
export const referenceResolvers = {
  Report: {
    __resolveReference: async (ref: { id?: unknown }, ctx: Context) => {
      const id = text(ref.id, 36);
      const row = id && UUID.test(id) ? await ctx.loaders.report.load(id.toLowerCase()) : null;
      return row ? toReport(row) : null;
    },
  },
  Country: {
    __resolveReference: async (ref: { iso3?: unknown }, ctx: Context) => {
      const iso3 = text(ref.iso3, 3);
      const row = iso3 ? await ctx.loaders.country.load(iso3) : null;
      return row ? toCountry(row) : null;
    },
  },
  Organization: {
    __resolveReference: async (ref: { id?: unknown }, ctx: Context) => {
      const id = text(ref.id, 64);
      const row = id ? await ctx.loaders.organization.load(id) : null;
      return row ? toOrganization(row) : null;
    },
  },
  Indicator: {
    __resolveReference: async (ref: { code?: unknown }, ctx: Context) => {
      const code = text(ref.code, 16);
      const row = code ? await ctx.loaders.indicator.load(code) : null;
      return row ? toIndicator(row) : null;
    },
  },
};
