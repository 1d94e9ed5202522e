/**
 * The fake Modal's images: ImageGetOrCreate builds (and caches) an image from its Dockerfile
 * commands, answering at once or through ImageJoinStreaming; builds from a chosen registry tag
 * can be made to fail.
 */
import { Status } from 'nice-grpc-common';
import {
  asRecord,
  asString,
  genericResult,
  GenericStatus,
  randomId,
  rpcError,
  type Handler,
} from './wire.js';

export interface FakeImage {
  readonly imageId: string;
  /** The registry tag of the image (`FROM <tag>`), when it was built from one. */
  readonly tag: string | undefined;
  readonly dockerfileCommands: readonly string[];
}

export class FakeImages {
  /** ImageGetOrCreate and ImageJoinStreaming. */
  readonly handlers: Readonly<Record<string, Handler>>;
  readonly #build: 'immediate' | 'streaming';
  readonly #images = new Map<string, FakeImage>();
  readonly #failures = new Map<string, string>();
  /** ImageJoinStreaming answers, in `streaming` mode. */
  readonly #pendingResults = new Map<string, ReturnType<typeof genericResult>>();

  constructor(build: 'immediate' | 'streaming' = 'immediate') {
    this.#build = build;
    this.handlers = {
      ImageGetOrCreate: (req) => this.#imageGetOrCreate(req),
      ImageJoinStreaming: (req) => this.#imageJoinStreaming(req),
    };
  }

  /** Image builds from this registry tag fail with `exception`. */
  failBuild(tag: string, exception: string): void {
    this.#failures.set(tag, exception);
  }

  /** Builds from this registry tag succeed again. */
  allowBuild(tag: string): void {
    this.#failures.delete(tag);
  }

  find(imageId: string): FakeImage | undefined {
    return [...this.#images.values()].find((i) => i.imageId === imageId);
  }

  async #imageGetOrCreate(req: Record<string, unknown>) {
    const image = asRecord(req.image);
    const commands = Array.isArray(image.dockerfileCommands)
      ? image.dockerfileCommands.map(asString)
      : [];
    const key = JSON.stringify([commands, image.baseImages ?? []]);
    let built = this.#images.get(key);
    if (!built) {
      const from = commands[0]?.match(/^FROM\s+(\S+)/);
      const tag = from?.[1] && from[1] !== 'base' ? from[1] : undefined;
      built = { imageId: randomId('im-', 22), tag, dockerfileCommands: commands };
      this.#images.set(key, built);
    }
    const failure = built.tag === undefined ? undefined : this.#failures.get(built.tag);
    const result = genericResult(
      failure === undefined
        ? { status: GenericStatus.SUCCESS, exitcode: 0, exception: '' }
        : { status: GenericStatus.FAILURE, exitcode: 1, exception: failure },
    );
    if (this.#build === 'streaming') {
      this.#pendingResults.set(built.imageId, result);
      return { imageId: built.imageId, result: undefined, metadata: undefined };
    }
    return { imageId: built.imageId, result, metadata: undefined };
  }

  async #imageJoinStreaming(req: Record<string, unknown>) {
    const imageId = asString(req.imageId);
    const result = this.#pendingResults.get(imageId);
    if (!result)
      throw rpcError('ImageJoinStreaming', Status.NOT_FOUND, `Image ${imageId} not found`);
    return { result, taskLogs: [], entryId: '1', eof: true, metadata: undefined };
  }
}
