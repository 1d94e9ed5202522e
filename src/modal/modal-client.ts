import { ModalClient, type ModalClientParams } from 'modal';
import { createModalLogger, modalLogLevelFor, type PinoLikeLogger } from './modal-logger.js';

export interface ModalClientOptions {
  /** Receives the SDK's log lines; its `level` also sets the SDK's. */
  readonly logger: PinoLikeLogger;
  /** Extra gRPC middleware (tests put a fake control plane here). */
  readonly grpcMiddleware?: ModalClientParams['grpcMiddleware'];
}

/**
 * The Modal client of the app. Credentials, environment and server come from where the SDK
 * reads them: MODAL_TOKEN_ID / MODAL_TOKEN_SECRET / MODAL_ENVIRONMENT / MODAL_SERVER_URL, then
 * ~/.modal.toml.
 */
export function createModalClient(options: ModalClientOptions): ModalClient {
  return new ModalClient({
    logger: createModalLogger(options.logger),
    logLevel: modalLogLevelFor(options.logger.level),
    ...(options.grpcMiddleware ? { grpcMiddleware: options.grpcMiddleware } : {}),
  });
}
