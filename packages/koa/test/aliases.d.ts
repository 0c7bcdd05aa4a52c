// `koa2` is Koa 2 installed under an alias (npm:koa@^2); it shares @types/koa's API.
declare module 'koa2' {
  import Koa from 'koa';
  export = Koa;
}

// `koa-router-12` is @koa/router 12 under an alias; its API is a subset of 15's for what the tests use.
declare module 'koa-router-12' {
  import Router from '@koa/router';
  export default Router;
}
