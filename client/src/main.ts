// Entry point. zod is told not to eval before any schema exists (it imports nothing else); the
// encryption seam is installed next, before anything can import livekit-client and create an
// RTCPeerConnection; then the app mounts.
import './lib/zod-config';
import './lib/media/transform-hook';
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('missing #app');
mount(App, { target });
