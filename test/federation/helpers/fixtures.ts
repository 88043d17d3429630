import { readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.join(import.meta.dirname, '..', 'fixtures');

/** A captured-format activity from fixtures/<server>/<name>.json with {{placeholders}} filled in. */
export function fixture(name: string, vars: Record<string, string>): Record<string, any> {
  const text = readFileSync(path.join(DIR, `${name}.json`), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    if (!(key in vars)) throw new Error(`fixture ${name} needs {{${key}}}`);
    return vars[key]!;
  });
  return JSON.parse(text);
}
