/**
 * TUF conformance suite client (github.com/theupdateframework/tuf-conformance) on @oci-sd/tuf's Updater:
 *   CLIENT --metadata-dir D init TRUSTED_ROOT_FILE
 *   CLIENT --metadata-url U --metadata-dir D refresh
 *   CLIENT --metadata-url U --metadata-dir D --target-name P [--target-name P2 ...] --target-dir T --target-base-url TU download
 * Exit 0 on success, 1 on any failure (the reason goes to stderr).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Updater } from '@oci-sd/tuf';

const USAGE =
  'usage: client --metadata-dir D init ROOT | --metadata-url U --metadata-dir D refresh | ... --target-name P --target-dir T --target-base-url TU download';

function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`${flag} is required\n${USAGE}`);
  return value;
}

export async function runConformanceClient(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'metadata-dir': { type: 'string' },
        'metadata-url': { type: 'string' },
        'target-name': { type: 'string', multiple: true },
        'target-dir': { type: 'string' },
        'target-base-url': { type: 'string' },
      },
    });
    const [command, ...rest] = positionals;
    const metadataDir = required(values['metadata-dir'], '--metadata-dir');
    switch (command) {
      case 'init': {
        const trustedRoot = required(rest[0], 'TRUSTED_ROOT_FILE');
        await mkdir(metadataDir, { recursive: true });
        await copyFile(trustedRoot, join(metadataDir, 'root.json'));
        return 0;
      }
      case 'refresh': {
        await new Updater({
          metadataDir,
          metadataBaseUrl: required(values['metadata-url'], '--metadata-url'),
        }).refresh();
        return 0;
      }
      case 'download': {
        const targetDir = required(values['target-dir'], '--target-dir');
        await mkdir(targetDir, { recursive: true });
        const updater = new Updater({
          metadataDir,
          metadataBaseUrl: required(values['metadata-url'], '--metadata-url'),
          targetDir,
          targetBaseUrl: required(values['target-base-url'], '--target-base-url'),
        });
        await updater.refresh();
        for (const name of values['target-name'] ?? []) {
          const info = await updater.getTargetInfo(name);
          if (!info) throw new Error(`target ${name} is not listed by the repository`);
          if (!(await updater.findCachedTarget(info))) await updater.downloadTarget(info);
        }
        return 0;
      }
      default:
        throw new Error(`unknown command ${JSON.stringify(command ?? '')}\n${USAGE}`);
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await runConformanceClient(process.argv.slice(2));
