import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Config } from '../config.js';

/** Instance tokens are ES256: the same curve as the development key, supported by every JOSE library a peer may run. */
export const INSTANCE_ALG = 'ES256';

/** This instance's name and signing key (issue 17): it signs the instance tokens it sends to peers. */
export interface InstanceIdentity {
  id: string;
  privateKey: CryptoKey;
  /** The public half, as peers register it: `{ keys: [jwk] }` with kid, alg and use. */
  jwks: { keys: JWK[] };
  kid: string;
  /** Where the key lives: a file path, or 'memory' for a throw-away database (DATA_DIR=memory://). */
  keyFile: string;
}

interface KeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

/** The key file: INSTANCE_KEY_FILE, else DATA_DIR/instance-signing-key.json; none for DATA_DIR=memory://. */
export function instanceKeyFile(config: Pick<Config, 'INSTANCE_KEY_FILE' | 'DATA_DIR'>): string | undefined {
  if (config.INSTANCE_KEY_FILE) return config.INSTANCE_KEY_FILE;
  return config.DATA_DIR === 'memory://' ? undefined : join(config.DATA_DIR, 'instance-signing-key.json');
}

async function createKeyFile(): Promise<KeyFile> {
  const { privateKey, publicKey } = await generateKeyPair(INSTANCE_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  // The kid is the key's RFC 7638 thumbprint: a new key gets a new kid without anyone choosing one.
  const kid = await calculateJwkThumbprint(publicJwk);
  return { privateJwk: { ...(await exportJWK(privateKey)), kid, alg: INSTANCE_ALG }, publicJwk: { ...publicJwk, kid, alg: INSTANCE_ALG, use: 'sig' } };
}

/**
 * Reads the key file, or creates it on first start (mode 0600, its folder created). A file that others
 * may read is refused rather than used: whoever reads it can sign as this instance to every peer.
 */
function readOrCreate(file: string, create: () => Promise<KeyFile>): Promise<KeyFile> | KeyFile {
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new Error(`the instance key file ${file} may be read by other users (mode ${mode.toString(8)}): chmod 600 it`);
    }
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeyFile>;
    if (!parsed.privateJwk?.d || !parsed.publicJwk || parsed.publicJwk.d) throw new Error(`the instance key file ${file} is not a key pair written by this server`);
    return parsed as KeyFile;
  }
  return create().then((created) => {
    mkdirSync(dirname(file), { recursive: true });
    // Written whole to a file of its own, then linked into place: link() fails if the name exists, so two
    // processes starting together on the same DATA_DIR end up with one key, and neither reads half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(created, null, 2), { mode: 0o600 });
    chmodSync(temporary, 0o600);
    try {
      linkSync(temporary, file);
      return created;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
      throw error;
    } finally {
      unlinkSync(temporary);
    }
  });
}

/** A throw-away database keeps its instance key in memory too, one per INSTANCE_ID, so tests leave no file. */
const memoryKeys = new Map<string, Promise<KeyFile>>();

export async function loadInstanceIdentity(config: Pick<Config, 'INSTANCE_ID' | 'INSTANCE_KEY_FILE' | 'DATA_DIR'>): Promise<InstanceIdentity> {
  const file = instanceKeyFile(config);
  let keys: KeyFile;
  if (file) keys = await readOrCreate(file, createKeyFile);
  else {
    if (!memoryKeys.has(config.INSTANCE_ID)) memoryKeys.set(config.INSTANCE_ID, createKeyFile());
    keys = await memoryKeys.get(config.INSTANCE_ID)!;
  }
  return {
    id: config.INSTANCE_ID,
    privateKey: (await importJWK(keys.privateJwk, INSTANCE_ALG)) as CryptoKey,
    jwks: { keys: [keys.publicJwk] },
    kid: String(keys.publicJwk.kid),
    keyFile: file ?? 'memory',
  };
}

/** What /.well-known/ctewn-instance.json answers: what a peer's administrator needs to register this instance. */
export function instanceDocument(identity: InstanceIdentity) {
  return { instance: identity.id, jwks: identity.jwks, algorithms: [INSTANCE_ALG] };
}
