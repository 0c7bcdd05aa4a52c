import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, NotFoundException } from '@nestjs/common';
import { span } from '@tracewire/core';
import { Traced } from '@tracewire/nestjs';
import { type User, UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(private readonly repository: UsersRepository) {}

  @Traced()
  async find(id: string): Promise<User> {
    const user = await this.repository.findById(id);
    if (!user) throw new NotFoundException(`no user ${id}`);
    return user;
  }

  /** A fake LLM call: an `llm` span with model, provider, token usage and cost. */
  @Traced()
  async summarize(id: string): Promise<{ id: string; summary: string }> {
    const user = await this.find(id);
    const summary = await span(
      'llm.summarize',
      async (s) => {
        const prompt = `Summarize in five words: ${user.bio}`;
        await delay(20);
        const text = `${user.name}: a computing pioneer.`;
        s.setIO(prompt, text);
        s.update({ usage: { inputTokens: 24, outputTokens: 7, totalTokens: 31 }, cost: 0.00018 });
        return text;
      },
      { kind: 'llm', model: 'gpt-4o-mini', provider: 'openai' },
    );
    return { id, summary };
  }
}
