import { Controller, Get, Param } from '@nestjs/common';
import type { Span } from '@tracewire/core';
import { CurrentSpan } from '@tracewire/nestjs';
import { UsersService } from './users.service.js';

@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get(':id')
  find(@Param('id') id: string) {
    return this.users.find(id);
  }

  @Get(':id/summary')
  summarize(@Param('id') id: string, @CurrentSpan() span: Span | undefined) {
    span?.setAttribute('app.feature', 'summary');
    return this.users.summarize(id);
  }
}
