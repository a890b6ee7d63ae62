// typedoc names a module after its entry point's path (`action/src`); the API reference names
// each after its package (`@oci-sd/action`), read from the package.json beside that src/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';

export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    const dir =
      reflection.kind === ReflectionKind.Module && /^(\w+)\/src$/.exec(reflection.name)?.[1];
    if (!dir) return;
    const manifest = join(import.meta.dirname, '..', '..', 'packages', dir, 'package.json');
    reflection.name = JSON.parse(readFileSync(manifest, 'utf8')).name;
  });
}
