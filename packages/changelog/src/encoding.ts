/**
 * Byte offsets of the invalid UTF-8 sequences in `bytes`, each a maximal subpart as the WHATWG
 * decoder (and Node's) replaces it with one U+FFFD: a bad lead byte, or a lead byte and the
 * continuation bytes that fit before a byte that does not (RFC 3629 section 4 ranges: no overlong
 * forms, no surrogates, nothing above U+10FFFF). At most `limit` offsets; `count` is the total.
 */
export function invalidUtf8Offsets(
  bytes: Uint8Array,
  limit: number,
): { offsets: number[]; count: number } {
  const offsets: number[] = [];
  let count = 0;
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) need = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      need = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      need = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    }
    let j = i + 1;
    let complete = need > 0;
    for (let k = 0; k < need; k++, j++) {
      const c = bytes[j];
      if (c === undefined || c < low || c > high) {
        complete = false;
        break;
      }
      low = 0x80;
      high = 0xbf;
    }
    if (!complete) {
      if (offsets.length < limit) offsets.push(i);
      count++;
    }
    i = j;
  }
  return { offsets, count };
}

/** C0 controls and DEL other than tab, line feed, form feed and carriage return: text files do not hold them. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARACTER = /[\x01-\x08\x0B\x0E-\x1F\x7F]/g;
