import { sodiumReady } from '../../crypto/index';

await sodiumReady();
