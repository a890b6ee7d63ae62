// The reference for the cold `verify release` row: one fresh process that verifies one message-signature
// bundle with bare @sigstore/verify (what `cosign verify-blob` does in-process), against the same trusted
// root. Prints {cpuMs, mainCpuMs, verdictMs} as JSON, measured as cold-release.js measures.
import { readFileSync } from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';

const [trustedRootPath, bundlePath, artifactPath, identity, issuer] = process.argv.slice(2);
if (!trustedRootPath || !bundlePath || !artifactPath || !identity || !issuer)
  throw new Error('usage: cold-bare.js TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER');
const material = toTrustMaterial(
  TrustedRoot.fromJSON(JSON.parse(readFileSync(trustedRootPath, 'utf8'))),
);
const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
new Verifier(material).verify(toSignedEntity(bundle, readFileSync(artifactPath)), {
  subjectAlternativeName: identity,
  extensions: { issuer },
});
const cpu = process.cpuUsage();
const mainCpu = process.threadCpuUsage();
process.stdout.write(
  JSON.stringify({
    verdictMs: performance.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainCpuMs: (mainCpu.user + mainCpu.system) / 1000,
  }),
);
