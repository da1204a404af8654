/**
 * Imported first by the app and the worker: zod validates without compiling code. Its default
 * speeds object parsing up with `new Function`, which the site's Content-Security-Policy (no
 * 'unsafe-eval', see vite.config.ts) refuses, and merely probing for it is reported as a policy
 * violation. The configs and messages validated here are small: the interpreter is fast enough.
 */
import { z } from 'zod';

z.config({ jitless: true });
