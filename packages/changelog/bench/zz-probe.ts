import { parseChangelog } from '@oci-sd/changelog';
import { generateChangelog } from './generate.ts';
const { text, versions } = generateChangelog(12_000_000);
for (let k = 0; k < 6; k++) {
  let t = performance.now();
  const cl = parseChangelog(text);
  const tp = performance.now() - t;
  t = performance.now();
  cl.latestRelease();
  const ti = performance.now() - t;
  t = performance.now();
  const r = cl.promote('minor', { date: '2026-01-01' });
  const tr = performance.now() - t;
  t = performance.now();
  cl.notes(versions[0]!);
  const tn = performance.now() - t;
  console.log(`parse ${tp.toFixed(1)} index ${ti.toFixed(1)} promote ${tr.toFixed(1)} notes ${tn.toFixed(1)}`, r.text.length);
}
