import { config } from 'zod';

// zod probes `new Function` to decide whether to compile fast parsers; under the app's CSP
// (no 'unsafe-eval') that probe is reported as a violation. This module is imported before the
// contract's schemas are built, so zod never tries.
config({ jitless: true });
