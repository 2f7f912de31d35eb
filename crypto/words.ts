// The 256-word list for the spoken form of the call security code (crypto/safety.ts).
// Written for this project: plain English words (mostly nouns) that are easy to say and to hear
// over a call, sorted alphabetically, no two sharing their first three letters (so a listener can
// tell them apart from the start of the word). One word encodes one byte.
// tests/unit/words.test.ts checks 256 distinct entries, lowercase a-z only, and the prefix rule.

export const WORDS: readonly string[] = Object.freeze([
  'acorn', 'amber', 'anchor', 'animal', 'apple', 'arrow', 'autumn', 'badge', 'bagel', 'baker',
  'balloon', 'banana', 'barn', 'basket', 'bath', 'beach', 'bell', 'bench', 'berry', 'bicycle',
  'bird', 'black', 'blue', 'boat', 'book', 'bottle', 'bowl', 'bread', 'brick', 'broom',
  'buffalo', 'butter', 'cabin', 'cactus', 'cake', 'camel', 'canal', 'castle', 'chair', 'cheese',
  'chicken', 'clock', 'coast', 'coffee', 'comet', 'corn', 'crab', 'cream', 'crown', 'daisy',
  'dance', 'dawn', 'deck', 'deer', 'desert', 'diamond', 'doctor', 'dollar', 'door', 'dragon',
  'dream', 'drum', 'duck', 'dune', 'dust', 'eagle', 'earth', 'echo', 'engine', 'falcon',
  'farm', 'fence', 'field', 'film', 'fire', 'fish', 'flag', 'flower', 'flute', 'foam',
  'forest', 'frame', 'frog', 'fruit', 'giant', 'giraffe', 'glacier', 'goat', 'gold', 'goose',
  'gorilla', 'grape', 'green', 'guitar', 'hammer', 'harbor', 'hawk', 'helmet', 'hero', 'hill',
  'hippo', 'honey', 'horse', 'hotel', 'house', 'igloo', 'iron', 'island', 'ivory', 'jacket',
  'jaguar', 'jazz', 'jelly', 'jewel', 'joke', 'juice', 'jungle', 'kayak', 'kettle', 'kiwi',
  'knife', 'koala', 'ladder', 'lake', 'lamb', 'laptop', 'lava', 'lemon', 'leopard', 'letter',
  'light', 'lion', 'lizard', 'lobster', 'lunch', 'magnet', 'mango', 'maple', 'mask', 'meadow',
  'melon', 'milk', 'mirror', 'monkey', 'moon', 'muffin', 'nail', 'nest', 'night', 'noodle',
  'note', 'ocean', 'olive', 'onion', 'orange', 'orbit', 'ostrich', 'oven', 'paint', 'panda',
  'paper', 'parrot', 'pasta', 'peach', 'pelican', 'penguin', 'piano', 'picnic', 'pillow', 'pizza',
  'planet', 'pocket', 'potato', 'pumpkin', 'puzzle', 'pyramid', 'quail', 'queen', 'rabbit', 'raccoon',
  'radar', 'rain', 'rhino', 'rice', 'ring', 'river', 'road', 'robin', 'rocket', 'rose',
  'safari', 'sail', 'salad', 'sand', 'scooter', 'sheep', 'ship', 'shoe', 'silver', 'skate',
  'snake', 'snow', 'soap', 'soup', 'spider', 'spoon', 'stone', 'sugar', 'summer', 'swan',
  'sweater', 'table', 'tango', 'taxi', 'tennis', 'tiger', 'tomato', 'torch', 'tower', 'tractor',
  'tree', 'truck', 'tulip', 'tunnel', 'turtle', 'tuxedo', 'unicorn', 'valley', 'vanilla', 'venus',
  'violin', 'voice', 'volcano', 'voyage', 'vulture', 'waffle', 'walnut', 'water', 'weasel', 'whale',
  'wheat', 'whistle', 'wind', 'wizard', 'wolf', 'wonder', 'wood', 'world', 'yacht', 'yellow',
  'yeti', 'yoga', 'zebra', 'zigzag', 'zipper', 'zodiac',
]);
