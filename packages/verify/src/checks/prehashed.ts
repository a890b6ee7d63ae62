import { constants, publicDecrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ASN1Obj } from '@sigstore/core';

/**
 * Verifies a signature over an already computed SHA-256 digest (the `sha256:<hex>` artifact input of the
 * conformance protocol). Node's crypto always hashes the input itself, so ECDSA is verified here with
 * BigInt arithmetic (public data only: no secret, no timing concern) and RSA PKCS#1 v1.5 by recovering
 * the DigestInfo. Anything else is refused: fail closed.
 */
export function verifyPrehashedSignature(
  key: KeyObject,
  digest: Buffer,
  signature: Buffer,
): boolean {
  if (key.asymmetricKeyType === 'ec') return verifyEcdsaPrehashed(key, digest, signature);
  if (key.asymmetricKeyType === 'rsa') return verifyRsaPkcs1Prehashed(key, digest, signature);
  return false;
}

const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

function verifyRsaPkcs1Prehashed(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  try {
    const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return recovered.equals(Buffer.concat([SHA256_DIGEST_INFO_PREFIX, digest]));
  } catch {
    return false;
  }
}

interface Curve {
  p: bigint;
  a: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
  bits: number;
}

// SEC 2 / FIPS 186-4 domain parameters (a = p - 3 for both).
const CURVES: Record<string, Curve> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    bits: 256,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    bits: 384,
  },
};

type Point = { x: bigint; y: bigint } | null;

function verifyEcdsaPrehashed(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const jwk = key.export({ format: 'jwk' });
  const curve = jwk.crv === undefined ? undefined : CURVES[jwk.crv];
  if (!curve || jwk.x === undefined || jwk.y === undefined) return false;
  let r: bigint;
  let s: bigint;
  try {
    const sequence = ASN1Obj.parseBuffer(Buffer.from(signature));
    if (sequence.subs.length !== 2) return false;
    r = sequence.subs[0]!.toInteger();
    s = sequence.subs[1]!.toInteger();
  } catch {
    return false;
  }
  const { n } = curve;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  // FIPS 186-4 6.4: use the leftmost min(bitlen(n), bitlen(hash)) bits of the digest.
  let e = toBigInt(digest);
  const excessBits = digest.length * 8 - curve.bits;
  if (excessBits > 0) e >>= BigInt(excessBits);
  const w = modInverse(s, n);
  const q: Point = {
    x: toBigInt(Buffer.from(jwk.x, 'base64url')),
    y: toBigInt(Buffer.from(jwk.y, 'base64url')),
  };
  const sum = add(
    curve,
    multiply(curve, { x: curve.gx, y: curve.gy }, mod(e * w, n)),
    multiply(curve, q, mod(r * w, n)),
  );
  return sum !== null && mod(sum.x, n) === r;
}

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

function mod(value: bigint, modulus: bigint): bigint {
  const result = value % modulus;
  return result >= 0n ? result : result + modulus;
}

function modInverse(value: bigint, modulus: bigint): bigint {
  let [oldR, r] = [mod(value, modulus), modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  return mod(oldS, modulus);
}

function add(curve: Curve, left: Point, right: Point): Point {
  if (left === null) return right;
  if (right === null) return left;
  const { p } = curve;
  let slope: bigint;
  if (left.x === right.x) {
    if (mod(left.y + right.y, p) === 0n) return null;
    slope = mod((3n * left.x * left.x + curve.a) * modInverse(2n * left.y, p), p);
  } else {
    slope = mod((right.y - left.y) * modInverse(right.x - left.x, p), p);
  }
  const x = mod(slope * slope - left.x - right.x, p);
  return { x, y: mod(slope * (left.x - x) - left.y, p) };
}

function multiply(curve: Curve, point: Point, scalar: bigint): Point {
  let result: Point = null;
  let addend = point;
  for (let k = scalar; k > 0n; k >>= 1n) {
    if (k & 1n) result = add(curve, result, addend);
    addend = add(curve, addend, addend);
  }
  return result;
}
