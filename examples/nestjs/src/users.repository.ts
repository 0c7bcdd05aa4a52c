import { setTimeout as delay } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { span } from '@tracewire/core';
import { Traced } from '@tracewire/nestjs';

export interface User {
  id: string;
  name: string;
  bio: string;
}

const users = new Map<string, User>([
  [
    '1',
    { id: '1', name: 'Ada Lovelace', bio: 'Wrote the first program, for an engine not yet built.' },
  ],
  [
    '2',
    {
      id: '2',
      name: 'Grace Hopper',
      bio: 'Built the first compiler and popularised the word "bug".',
    },
  ],
]);

@Injectable()
export class UsersRepository {
  /** A fake database call: a `db.query` span inside this method's own span. */
  @Traced()
  findById(id: string): Promise<User | undefined> {
    return span('db.query', async (s) => {
      s.setAttributes({
        'db.system': 'postgresql',
        'db.operation.name': 'SELECT',
        'db.query.text': 'SELECT * FROM users WHERE id = $1',
      });
      await delay(5);
      const user = users.get(id);
      s.setAttribute('db.response.returned_rows', user ? 1 : 0);
      return user;
    });
  }
}
