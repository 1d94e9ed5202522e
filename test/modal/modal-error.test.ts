import { describe, expect, it } from '@jest/globals';
import {
  AlreadyExistsError,
  ConflictError,
  InternalFailure,
  InvalidError,
  NotFoundError,
  ResourceExhaustedError,
  TimeoutError,
} from 'modal';
import { ClientError, Status } from 'nice-grpc-common';
import { retryHintOf } from '../../src/domain/error-fields.js';
import {
  isGrpcClientError,
  isModalNotFound,
  ModalError,
  translateModalError,
} from '../../src/modal/modal-error.js';

const grpc = (code: Status, details = 'details') =>
  new ClientError('/modal.client.ModalClient/SandboxCreateV2', code, details);

describe('translateModalError', () => {
  it.each([
    [grpc(Status.UNAVAILABLE), 'UNAVAILABLE', true],
    [grpc(Status.RESOURCE_EXHAUSTED), 'RESOURCE_EXHAUSTED', true],
    [grpc(Status.DEADLINE_EXCEEDED), 'DEADLINE_EXCEEDED', true],
    [grpc(Status.INTERNAL), 'INTERNAL', true],
    [grpc(Status.ABORTED), 'ABORTED', true],
    [grpc(Status.UNKNOWN), 'UNKNOWN', true],
    [grpc(Status.INVALID_ARGUMENT), 'INVALID_ARGUMENT', false],
    [grpc(Status.PERMISSION_DENIED), 'PERMISSION_DENIED', false],
    [grpc(Status.UNAUTHENTICATED), 'UNAUTHENTICATED', false],
    [grpc(Status.NOT_FOUND), 'NOT_FOUND', false],
    [grpc(Status.FAILED_PRECONDITION), 'FAILED_PRECONDITION', false],
    [
      new ResourceExhaustedError('Insufficient capacity to create sandbox.'),
      'RESOURCE_EXHAUSTED',
      true,
    ],
    [new InternalFailure('boom'), 'INTERNAL', true],
    [new TimeoutError(), 'DEADLINE_EXCEEDED', true],
    [new NotFoundError("App 'x' not found"), 'NOT_FOUND', false],
    [new AlreadyExistsError('taken'), 'ALREADY_EXISTS', false],
    [new InvalidError('bad name'), 'INVALID_ARGUMENT', false],
    [new ConflictError('already finished'), 'FAILED_PRECONDITION', false],
    [new Error('Image build for im-1 timed out. Please try again.'), 'Error', true],
    [
      new Error('Image build for im-1 failed with the exception:\nmanifest unknown'),
      'Error',
      false,
    ],
    [new TypeError('x is not a function'), 'TypeError', false],
  ])('%s → %s, retryable %s', (error, code, retryable) => {
    const translated = translateModalError('launch', error);
    expect(translated).toBeInstanceOf(ModalError);
    expect(translated).toMatchObject({ name: 'ModalError', operation: 'launch', code, retryable });
    expect(retryHintOf(translated).retryable).toBe(retryable);
    expect(translated.cause).toBe(error);
    expect(translated.message).toMatch(/^Modal launch failed \(/);
  });

  it('leaves a ModalError as it is', () => {
    const once = translateModalError('launch', grpc(Status.UNAVAILABLE));
    expect(translateModalError('list', once)).toBe(once);
  });

  it('shows the server detail but not the RPC path', () => {
    const error = translateModalError('list', grpc(Status.INVALID_ARGUMENT, 'tag value too long'));
    expect(error.message).toBe('Modal list failed (INVALID_ARGUMENT): tag value too long');
  });

  it.each([Status.UNAUTHENTICATED, Status.PERMISSION_DENIED])(
    'status %s says which variables to check',
    (code) => {
      const error = translateModalError('launch', grpc(code, 'Invalid token'));
      expect(error.message).toContain(
        'check MODAL_TOKEN_ID / MODAL_TOKEN_SECRET (create a token with `modal token new`)',
      );
    },
  );

  it('says how to fix missing credentials', () => {
    const error = translateModalError(
      'launch',
      new Error(
        'Profile is missing credentials. Please set them in .modal.toml, as environment variables, or via the ModalClient constructor.',
      ),
    );
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET');
  });

  it('points a gpu INVALID_ARGUMENT at the class, and not other INVALID_ARGUMENTs', () => {
    const context = { runnerClass: 'big', gpu: 'H100:9' };
    const gpu = translateModalError(
      'launch',
      grpc(Status.INVALID_ARGUMENT, 'GPU count too high'),
      context,
    );
    expect(gpu.message).toContain(`check the gpu of runner class 'big' (gpu "H100:9")`);
    const sdk = translateModalError(
      'launch',
      new Error('Invalid GPU count: x. Value must be a positive integer.'),
      context,
    );
    expect(sdk.message).toContain(`check the gpu of runner class 'big'`);
    const other = translateModalError('launch', grpc(Status.INVALID_ARGUMENT, 'bad tag'), context);
    expect(other.message).not.toContain('gpu');
  });

  it('points a missing environment at MODAL_ENVIRONMENT', () => {
    const error = translateModalError(
      'launch',
      grpc(Status.NOT_FOUND, "Environment 'stg' not found"),
      {
        environment: 'stg',
      },
    );
    expect(error.message).toContain("check MODAL_ENVIRONMENT ('stg')");
    const app = translateModalError('launch', new NotFoundError("App 'runners' not found"));
    expect(app.message).toContain('check MODAL_ENVIRONMENT');
  });

  it('redacts the given secrets, Modal tokens and opaque blobs, in the message and the cause', () => {
    const jit = 'eyJ' + 'QUJD'.repeat(300);
    const error = translateModalError(
      'launch',
      grpc(
        Status.PERMISSION_DENIED,
        `token ak-0123456789abcdef / as-0123456789abcdef rejected for ${jit}`,
      ),
      { secrets: [jit] },
    );
    expect(error.message).not.toContain(jit);
    expect(error.message).not.toContain('ak-0123456789abcdef');
    expect(error.message).not.toContain('as-0123456789abcdef');
    expect(error.message).toContain('token [redacted] / [redacted] rejected for [redacted]');
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).not.toContain(jit);
    expect((error.cause as Error).stack).not.toContain(jit);
    // A blob the caller did not name is still caught by its shape.
    const unnamed = translateModalError('launch', new Error(`failed: ${'x'.repeat(150)}`));
    expect(unnamed.message).toBe('Modal launch failed (Error): failed: [redacted]');
  });

  it('truncates very long details', () => {
    const error = translateModalError('list', grpc(Status.INTERNAL, 'word '.repeat(300)));
    expect(error.message.length).toBeLessThan(600);
  });
});

describe('helpers', () => {
  it('recognises nice-grpc ClientErrors by their marker, not by identity', () => {
    const lookalike = Object.assign(new Error('x'), {
      name: 'ClientError',
      code: 14,
      details: 'x',
    });
    expect(isGrpcClientError(grpc(Status.UNAVAILABLE))).toBe(true);
    expect(isGrpcClientError(lookalike)).toBe(true);
    expect(isGrpcClientError(new Error('x'))).toBe(false);
    expect(isGrpcClientError({ code: 14, details: 'x' })).toBe(false);
  });

  it('knows NOT_FOUND in both shapes', () => {
    expect(isModalNotFound(grpc(Status.NOT_FOUND))).toBe(true);
    expect(isModalNotFound(new NotFoundError('gone'))).toBe(true);
    expect(isModalNotFound(grpc(Status.UNAVAILABLE))).toBe(false);
  });
});
