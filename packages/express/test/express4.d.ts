// Express 4 is installed under an alias for the tests; its API is typed like Express 5's.
declare module 'express4' {
  import express = require('express');
  export = express;
}
