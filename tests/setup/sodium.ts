import { sodiumReady } from '../../crypto/sodium';

await sodiumReady();
