import 'reflect-metadata';
import type { ArgumentsHost } from '@nestjs/common';
import { ExceptionsHandler } from '@nestjs/core/exceptions/exceptions-handler.js';
import { describe, expect, it } from 'vitest';
import { hookExceptionsHandler, installExceptionsHook } from '../src/internal/exceptions-hook';

/** A stand-in with the one method the hook wraps, recording what reaches it. */
function fakeHandler() {
  const reached: unknown[] = [];
  class Handler {
    next(exception: unknown, host: ArgumentsHost): string {
      reached.push([exception, host]);
      return 'original';
    }
  }
  return { Handler, reached };
}

describe("the hook on Nest's ExceptionsHandler", () => {
  it('hooks the ExceptionsHandler Nest itself uses, once however often it is installed', async () => {
    expect(await installExceptionsHook()).toBe(true);
    const hooked = ExceptionsHandler.prototype.next;
    expect(hooked.name).toBe('next');
    expect(await installExceptionsHook()).toBe(true);
    expect(hookExceptionsHandler(ExceptionsHandler)).toBe(true);
    expect(ExceptionsHandler.prototype.next).toBe(hooked);
  });

  it('hands every exception and host to the original, whatever the host is', () => {
    const { Handler, reached } = fakeHandler();
    expect(hookExceptionsHandler(Handler)).toBe(true);
    const error = new Error('boom');
    const hostile = {
      getType: () => {
        throw new Error('not a host');
      },
    } as unknown as ArgumentsHost;
    const rpc = { getType: () => 'rpc' } as unknown as ArgumentsHost;
    const untraced = {
      getType: () => 'http',
      getArgByIndex: () => ({ url: '/not-traced' }),
    } as unknown as ArgumentsHost;
    const handler = new Handler();
    expect(handler.next(error, hostile)).toBe('original');
    expect(handler.next(error, rpc)).toBe('original');
    expect(handler.next(error, untraced)).toBe('original');
    expect(handler.next(error, undefined as unknown as ArgumentsHost)).toBe('original');
    expect(reached).toEqual([
      [error, hostile],
      [error, rpc],
      [error, untraced],
      [error, undefined],
    ]);
  });

  it('leaves alone a class that is not what it expects', () => {
    expect(hookExceptionsHandler({ prototype: {} })).toBe(false);
    expect(hookExceptionsHandler(undefined as never)).toBe(false);
  });
});
