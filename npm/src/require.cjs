// require('llmstream'): the package is ES modules. Node 20.19+ / 22.12+ load them through
// require() (no top-level await anywhere in the package); older Node versions cannot, and get a
// message that says what to do instead of ERR_PACKAGE_PATH_NOT_EXPORTED or ERR_REQUIRE_ESM.
'use strict';

try {
  module.exports = require('./index.js');
} catch (error) {
  if (error && error.code === 'ERR_REQUIRE_ESM') {
    const hint = new Error(
      "llmstream is an ES module package: `import { APILoader } from 'llmstream'`, or from " +
        "CommonJS `const { APILoader } = await import('llmstream')`; `require('llmstream')` " +
        `needs Node 20.19+ or 22.12+ (this is ${process.version})`,
      { cause: error },
    );
    hint.code = 'ERR_REQUIRE_ESM';
    throw hint;
  }
  throw error;
}
