// The French rendering of the call security code's words (crypto/safety.ts): data only, 256 entries,
// entry i says the same byte as WORDS[i] does in English. Written for this project: common concrete
// nouns (animals, fruit, things at home) of two or three syllables where possible, sorted in French
// order; no two words lie within one edit of each other once accents are removed (so no minimal
// pairs such as bateau/gâteau), and near-homophones and rhyming pairs (canard/renard) were left out.
// tests/unit/words-i18n.test.ts checks the length, duplicates, the edit distance and the order.

export const WORDS_FR: readonly string[] = Object.freeze([
  'abeille', 'abricot', 'accordéon', 'aigle', 'ananas', 'ancre', 'aquarium', 'araignée',
  'arbre', 'armoire', 'arrosoir', 'assiette', 'autobus', 'autruche', 'avion', 'avocat',
  'baguette', 'balai', 'baleine', 'ballon', 'bambou', 'banane', 'banjo', 'barque',
  'bassin', 'bateau', 'berceau', 'biscuit', 'bonbon', 'botte', 'bougie', 'bouquet',
  'boussole', 'bouteille', 'bracelet', 'brosse', 'brouette', 'bureau', 'cabane', 'cactus',
  'cadeau', 'cadenas', 'café', 'cahier', 'caillou', 'caméléon', 'camion', 'canapé',
  'canard', 'caravane', 'carotte', 'casque', 'casserole', 'castor', 'ceinture', 'cerise',
  'chaise', 'champignon', 'chapeau', 'chaton', 'chaussette', 'cheminée', 'chemise', 'chenille',
  'cheval', 'chèvre', 'chocolat', 'ciseaux', 'citron', 'citrouille', 'cloche', 'clown',
  'coccinelle', 'cochon', 'coffre', 'collier', 'colline', 'concombre', 'coquelicot', 'coquillage',
  'corbeau', 'cornichon', 'couronne', 'couteau', 'crabe', 'cravate', 'crayon', 'crêpe',
  'crocodile', 'cuillère', 'cygne', 'dauphin', 'diamant', 'domino', 'douche', 'dragon',
  'drapeau', 'écharpe', 'écureuil', 'éléphant', 'enveloppe', 'épée', 'éponge', 'escalier',
  'escargot', 'étoile', 'falaise', 'fauteuil', 'fenêtre', 'flamant', 'flûte', 'fontaine',
  'forêt', 'fourchette', 'fourmi', 'fraise', 'framboise', 'fromage', 'fusée', 'gilet',
  'girafe', 'glaçon', 'gorille', 'grenier', 'grenouille', 'guitare', 'hamac', 'haricot',
  'hérisson', 'hibou', 'hirondelle', 'horloge', 'igloo', 'jaguar', 'jambon', 'jardin',
  'journal', 'kangourou', 'kayak', 'kiwi', 'koala', 'lampe', 'lanterne', 'lapin',
  'lavande', 'lézard', 'licorne', 'limace', 'lion', 'livre', 'loup', 'lune',
  'lunettes', 'maison', 'manteau', 'marron', 'médaille', 'méduse', 'melon', 'miroir',
  'montagne', 'montre', 'mouchoir', 'moulin', 'moustique', 'mouton', 'navire', 'noisette',
  'nuage', 'oignon', 'olive', 'orange', 'oreiller', 'orteil', 'ours', 'panda',
  'panier', 'pantalon', 'papillon', 'parachute', 'parapluie', 'pastèque', 'pélican', 'pendule',
  'perroquet', 'pétale', 'phare', 'phoque', 'piano', 'pinceau', 'pingouin', 'pirate',
  'piscine', 'pizza', 'placard', 'plume', 'poire', 'poivron', 'pomme', 'pompier',
  'potiron', 'poupée', 'poussin', 'puzzle', 'pyjama', 'radis', 'raisin', 'raquette',
  'requin', 'robinet', 'rocher', 'ruban', 'ruche', 'salade', 'sandale', 'sardine',
  'saucisse', 'savon', 'scooter', 'serpent', 'serviette', 'sifflet', 'singe', 'sirène',
  'soleil', 'sorcière', 'souris', 'stylo', 'sucre', 'table', 'tabouret', 'tambour',
  'tapis', 'tasse', 'taupe', 'téléphone', 'tente', 'tigre', 'tomate', 'torche',
  'tortue', 'tracteur', 'train', 'trompette', 'tulipe', 'vache', 'valise', 'vase',
  'vélo', 'village', 'violon', 'voilier', 'volcan', 'wagon', 'yaourt', 'zèbre',
]);
