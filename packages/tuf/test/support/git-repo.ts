import {
  createTufCheckout,
  newSigner as newTestSigner,
  type TestTufRepo as TufCheckout,
} from '@oci-sd/test-support';
import { initRepository, keySigner, type TufSigner } from '../../src/index';

/** A TUF-on-CI checkout made by the code under test (see createTufCheckout). */
export type TestTufRepo = TufCheckout<TufSigner>;

export const createTufRepo = (options?: { alice?: TufSigner; online?: TufSigner }) =>
  createTufCheckout({ initRepository, keySigner }, options);

export const newSigner = (kind: 'ed25519' | 'p256' | 'p384') => newTestSigner({ keySigner }, kind);
