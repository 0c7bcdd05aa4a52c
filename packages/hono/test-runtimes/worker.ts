// Entry for Cloudflare Workers (workerd): the module worker is the app itself.
import { app } from './app';

export default app;
