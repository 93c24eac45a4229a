/** `node --import dist/test/support/probe-register.js …`: installs probe-hooks (packages resolved → stderr). */
import { register } from 'node:module';
register('./probe-hooks.js', import.meta.url);
