/**
 * A dependency that `scripts/bundle-dependencies.mjs` bundled at build into one file under core/vendor/:
 * start-up then reads and compiles one file instead of dozens. Types come from the package itself.
 */
import { createRequire } from 'node:module';

// core/vendor/ sits two folders above this file in src/ and in dist/ alike.
const requireVendor = createRequire(new URL('../../vendor/', import.meta.url));

export const bundled = <T>(name: string): T => requireVendor(`./${name}.cjs`) as T;
