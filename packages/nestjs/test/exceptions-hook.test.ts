import 'reflect-metadata';
import type { ArgumentsHost } from '@nestjs/common';
import { ExceptionsHandler } from '@nestjs/core/exceptions/exceptions-handler.js';
import { describe, expect, it, vi } from 'vitest';
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

  it('records on a request another loaded copy of the package remembered', () => {
    const { Handler } = fakeHandler();
    hookExceptionsHandler(Handler);
    const recorded: unknown[] = [];
    // What the other copy's middleware remembered, in the map registered under the shared symbol.
    const raw = {};
    const shared = (globalThis as Record<symbol, WeakMap<object, unknown>>)[
      Symbol.for('tracewire.core.requests')
    ];
    expect(shared).toBeInstanceOf(WeakMap);
    shared?.set(raw, { recordError: (e: unknown) => recorded.push(e) });
    const error = new Error('from a handler');
    for (const req of [raw, { raw }]) {
      const host = { getType: () => 'http', getArgByIndex: () => req } as unknown as ArgumentsHost;
      new Handler().next(error, host);
    }
    expect(recorded).toEqual([error, error]);
  });

  it('leaves alone a class that is not what it expects', () => {
    expect(hookExceptionsHandler({ prototype: {} })).toBe(false);
    expect(hookExceptionsHandler(undefined as never)).toBe(false);
  });
});

describe('when Nest has no ExceptionsHandler to hook', () => {
  it.each([
    ['a class without next()', () => ({ ExceptionsHandler: class {} }), /no ExceptionsHandler/],
    [
      'a module that fails to load',
      () => {
        throw new Error('moved in a future Nest');
      },
      // The loader's own message (vitest wraps the factory's error), in brackets.
      /handles \(.+\);/,
    ],
  ])(
    'warns once, with its code, and resolves false instead of failing the app: %s',
    async (_case, factory, why) => {
      vi.resetModules();
      vi.doMock('@nestjs/core/exceptions/exceptions-handler.js', factory);
      const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      try {
        const hook = await import('../src/internal/exceptions-hook');
        expect(await hook.installExceptionsHook()).toBe(false);
        expect(await hook.installExceptionsHook()).toBe(false);
        expect(warnings).toHaveBeenCalledTimes(1);
        expect(warnings.mock.calls[0]![0]).toMatch(/recorded by their status alone/);
        expect(warnings.mock.calls[0]![0]).toMatch(why);
        expect(warnings.mock.calls[0]![1]).toEqual({ code: 'TRACEWIRE_NEST_EXCEPTIONS' });
      } finally {
        warnings.mockRestore();
        vi.doUnmock('@nestjs/core/exceptions/exceptions-handler.js');
        vi.resetModules();
      }
    },
  );
});
