// Entry point. The Trusted Types default policy comes first (the CSP requires it for every script
// sink); zod is told not to eval before any schema exists (it imports nothing else); the
// encryption seam is installed next, before anything can import livekit-client and create an
// RTCPeerConnection; then the language is chosen and the app mounts.
import './lib/trusted-types';
import './lib/zod-config';
import './lib/media/transform-hook';
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { i18n } from './lib/i18n/i18n.svelte';

// The language (and <html lang dir>) is settled before the first render, so no English flashes by.
i18n.start();

const target = document.getElementById('app');
if (!target) throw new Error('missing #app');
mount(App, { target });
