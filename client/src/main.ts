// Entry point. The encryption seam is installed first, before anything can import livekit-client
// and create an RTCPeerConnection; then the app mounts.
import './lib/media/transform-hook';
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('missing #app');
mount(App, { target });
