import { EventEmitter } from 'node:events';

/** What an adapter sees of a Node ServerResponse, and nothing more: core's request path without a socket. */
export class FakeResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  fields = { 'content-type': 'application/json', 'content-length': '41' };
  setHeader(name, value) {
    this.fields[name] = value;
  }
  getHeader(name) {
    return this.fields[name];
  }
  hasHeader(name) {
    return name in this.fields;
  }
  writeHead() {
    this.headersSent = true;
    return this;
  }
}
