'use strict';

// The demo API served by libmicrohttpd + libcorsguard (C), judged by Chromium.
require('../lib/suite').suite('c');
