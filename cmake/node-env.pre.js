// --pre-js for node-run test binaries: emscripten 3.1.6 does not pass process.env to getenv();
// copy it so GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX / GTEST_FILTER work under node as natively.
Module['preRun'] = Module['preRun'] || [];
Module['preRun'].push(function () { Object.assign(ENV, process.env); });
