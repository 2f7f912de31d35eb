export { i18n, t, tm, LOCALE_KEY } from './i18n.svelte';
export { message, type Message } from './message';
export { LOCALES, LOCALE_NAMES, DIRECTION, INTL_TAG, type Locale } from './locales';
export { type MessageId } from './catalogues/en';
