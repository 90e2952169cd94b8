'use strict';

// The demo API served by the std-only Rust server + the corsguard core, judged by Chromium.
require('../lib/suite').suite('rust');
