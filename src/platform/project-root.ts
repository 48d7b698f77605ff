import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository's root folder, the nearest one above this file that holds package.json: the
 * same folder whether this runs from the TypeScript sources (src/platform/, under tsx and
 * Vitest) or from the compiled server (dist/src/platform/, as `npm start` runs it). Files that
 * are not compiled (drizzle/ migrations, the built web app in web/dist) are found from here.
 */
export const projectRoot = findProjectRoot(import.meta.dirname);

function findProjectRoot(from: string): string {
  for (let folder = from; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return folder;
    if (path.dirname(folder) === folder) {
      throw new Error(`No package.json above ${from}: Portico's folder is incomplete`);
    }
  }
}
