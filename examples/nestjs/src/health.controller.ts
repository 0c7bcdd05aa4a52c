import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';

@Controller({ version: VERSION_NEUTRAL })
export class HealthController {
  @Get('health')
  health() {
    return 'ok';
  }

  @Get('fail')
  async fail(): Promise<never> {
    await delay(2);
    throw new Error('the storage backend is down');
  }
}
