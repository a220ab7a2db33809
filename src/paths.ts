import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, found the same way from src/ (tests) and from dist/src/ (built). */
function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
/** Built JavaScript lives under dist/, mirroring the source tree. */
export const distRoot = join(projectRoot, 'dist');
export const fromRoot = (...parts: string[]) => join(projectRoot, ...parts);
