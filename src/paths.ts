import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root (where views/ and package.json live), found by walking up from this
 * file, so it is the same whether we run from src/ through tsx or from dist/src/.
 */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'views'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the Hearth project root (views/ next to package.json)');
    dir = up;
  }
}

export const projectRoot = findRoot();
export const viewsDir = path.join(projectRoot, 'views');
export const staticDir = path.join(projectRoot, 'views', 'static');
/** The offline JSON-LD context documents (see contexts/README.md for their sources). */
export const contextsDir = path.join(projectRoot, 'contexts');
