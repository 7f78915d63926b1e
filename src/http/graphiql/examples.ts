import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { personaById } from './personas.js';
import { findProjectFolder } from './locate.js';

/**
 * An example operation of examples/operations/: the questions analysts ask, preloaded in the explorer and
 * run by the test suite (test/operations.test.ts) so they never rot.
 *
 * File format: a `.graphql` document whose leading `#` comment is its header — the first line is the
 * title, the following lines the explanation, and two keys: `# persona: <id>` (whom it is meant for, a
 * persona of personas.ts) and `# expect: <CODE> <Type.field>` (an error it is meant to show). Default
 * variables sit in a sibling `.json` file.
 */
export interface ExampleOperation {
  /** The file name without extension, e.g. `01-country-overview`. */
  name: string;
  title: string;
  description: string;
  /** The persona it is meant for (and that the test runs it as). */
  persona: string;
  /** Errors it is meant to show, as `CODE Type.field` (e.g. `FORBIDDEN Report.sourceDescription`). */
  expect: string[];
  /** The whole document, header included: what the editor shows. */
  query: string;
  /** The default variables as JSON text; '' when it takes none. */
  variables: string;
}

export function examplesFolder(): string {
  return findProjectFolder('examples/operations', '.');
}

export function parseExample(name: string, query: string, variablesJson: string | null): ExampleOperation {
  const header: string[] = [];
  for (const line of query.split('\n')) {
    if (!line.startsWith('#')) break;
    header.push(line.replace(/^#\s?/, '').trimEnd());
  }
  const [title, ...rest] = header;
  if (!title) throw new Error(`${name}.graphql: the first line must be a '# title' comment`);
  let persona: string | undefined;
  const expect: string[] = [];
  const prose: string[] = [];
  for (const line of rest) {
    const key = /^(persona|expect):\s*(.+)$/.exec(line);
    if (key?.[1] === 'persona') persona = key[2]!.trim();
    else if (key?.[1] === 'expect') expect.push(key[2]!.trim());
    else prose.push(line);
  }
  if (!persona || !personaById(persona)) throw new Error(`${name}.graphql: '# persona: <id>' must name a persona of src/http/graphiql/personas.ts`);
  const description = prose.join('\n').split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, ' ').trim()).filter(Boolean).join('\n\n');
  let variables = '';
  if (variablesJson !== null) {
    try {
      variables = JSON.stringify(JSON.parse(variablesJson), null, 2);
    } catch (error) {
      throw new Error(`${name}.json: not valid JSON (${(error as Error).message})`);
    }
  }
  return { name, title, description, persona, expect, query, variables };
}

/** Every example of the folder, in file-name order (the files are numbered: the order of the tabs). */
export function loadExamples(folder: string = examplesFolder()): ExampleOperation[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const name = basename(file, '.graphql');
      const json = join(folder, `${name}.json`);
      return parseExample(name, readFileSync(join(folder, file), 'utf8'), existsSync(json) ? readFileSync(json, 'utf8') : null);
    });
}
