'use strict';

// The demo API served by Starlette on uvicorn + the corsguard Python package, judged by Chromium.
require('../lib/suite').suite('python');
