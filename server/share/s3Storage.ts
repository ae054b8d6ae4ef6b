/**
 * Share storage in an S3-compatible bucket, so that many stateless server
 * instances can serve one set of snapshots. Keys: <prefix>chunks/<sha256> and
 * <prefix>manifests/<id>. A PUT makes an object appear whole, so no temp step
 * is needed; manifests are created with If-None-Match: * (S3 conditional
 * writes) after a HEAD, so an existing one is never replaced.
 *
 * Configured from the environment (see fromEnv); credentials come from the
 * SDK's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles).
 */
import {
  GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { checkName, type ShareStorage } from './storage.ts';

export interface S3StorageOptions {
  bucket: string;
  /** Key prefix, e.g. 'vmxlab/' (default none). */
  prefix?: string;
  client: S3Client;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

function isPreconditionFailed(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412;
}

export class S3Storage implements ShareStorage {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;

  constructor(opts: S3StorageOptions) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? '';
    this.client = opts.client;
  }

  /** The backend named by VMXLAB_S3_BUCKET (plus optional _ENDPOINT, _REGION, _PREFIX, _PATH_STYLE), or null. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): S3Storage | null {
    const bucket = env.VMXLAB_S3_BUCKET;
    if (!bucket) return null;
    const cfg: S3ClientConfig = { region: env.VMXLAB_S3_REGION ?? env.AWS_REGION ?? 'us-east-1' };
    if (env.VMXLAB_S3_ENDPOINT) cfg.endpoint = env.VMXLAB_S3_ENDPOINT;
    // MinIO-style servers and most local endpoints need path-style addressing.
    cfg.forcePathStyle = env.VMXLAB_S3_PATH_STYLE === '1' || (env.VMXLAB_S3_PATH_STYLE === undefined && !!env.VMXLAB_S3_ENDPOINT);
    return new S3Storage({ bucket, prefix: env.VMXLAB_S3_PREFIX ?? '', client: new S3Client(cfg) });
  }

  describe(): string {
    return `S3 bucket ${this.bucket}${this.prefix ? ` (prefix ${this.prefix})` : ''}`;
  }

  private key(kind: 'chunk' | 'manifest', name: string): string {
    checkName(kind, name);
    return `${this.prefix}${kind === 'chunk' ? 'chunks' : 'manifests'}/${name}`;
  }

  private async size(key: string): Promise<number | null> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return r.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async get(key: string): Promise<Uint8Array | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array(0);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  chunkSize(hash: string): Promise<number | null> {
    return this.size(this.key('chunk', hash));
  }

  async putChunk(hash: string, data: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({
      Bucket: this.bucket, Key: this.key('chunk', hash), Body: data, ContentType: 'application/octet-stream',
    }));
  }

  getChunk(hash: string): Promise<Uint8Array | null> {
    return this.get(this.key('chunk', hash));
  }

  async createManifest(id: string, data: Uint8Array): Promise<'created' | 'exists'> {
    const key = this.key('manifest', id);
    if ((await this.size(key)) !== null) return 'exists';
    try {
      await this.client.send(new PutObjectCommand({
        Bucket: this.bucket, Key: key, Body: data, ContentType: 'application/json', IfNoneMatch: '*',
      }));
      return 'created';
    } catch (err) {
      if (isPreconditionFailed(err)) return 'exists';
      throw err;
    }
  }

  getManifest(id: string): Promise<Uint8Array | null> {
    return this.get(this.key('manifest', id));
  }
}
