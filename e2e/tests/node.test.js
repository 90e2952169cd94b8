'use strict';

// The demo API served by Express + the corsguard Node addon, judged by Chromium.
require('../lib/suite').suite('node');
