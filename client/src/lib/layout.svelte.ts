// The person's choices about the call view: grid or speaker view, which page of tiles, and which
// shared screen is on the stage when several are. What follows from them is in layout.ts.
import { type LayoutMode } from './layout';

export class CallLayout {
  mode = $state<LayoutMode>('grid');
  page = $state(0);
  chosenScreen = $state<string | undefined>(undefined);

  toggleMode(): void {
    this.mode = this.mode === 'grid' ? 'speaker' : 'grid';
    this.page = 0;
  }
}
