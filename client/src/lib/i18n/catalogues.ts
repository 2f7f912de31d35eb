// Every catalogue by language.
import { type Locale } from './locales';
import { ar } from './catalogues/ar';
import { type Catalogue, en } from './catalogues/en';
import { fr } from './catalogues/fr';

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, fr, ar };
