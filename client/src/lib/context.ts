// Context helpers: the room page provides its RoomController to the components below it.
import { createContext } from 'svelte';
import { type RoomController } from './room.svelte';

export const [getRoom, setRoom] = createContext<RoomController>();
