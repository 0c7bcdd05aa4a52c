import { type SpanOptions, traced } from '@tracewire/core';

/**
 * Runs a provider method in a child span of the current span, named
 * `Class.method` or `name`. Other decorators' metadata on the method (routes,
 * guards, message patterns) is kept. Outside a trace the method runs unchanged.
 *
 * @example
 * @Injectable()
 * export class UsersService {
 *   @Traced()
 *   async find(id: string) { return this.repository.load(id); }
 * }
 */
export function Traced(name?: string, options?: SpanOptions): MethodDecorator {
  return traced(name, options) as MethodDecorator;
}
