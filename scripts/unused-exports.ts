// Lists exports that no other file uses, so dead code cannot hide behind an `export`. It builds one
// TypeScript program over every source of the repository (client included), resolves every
// identifier to the declaration it names (through imports, re-exports such as crypto/index.ts and
// namespace imports such as `host.admit`), and reads the imports of the Svelte components' script
// blocks. An export counts as used when a file other than its own names it; re-exporting alone is
// not a use. Run by `npm run typecheck`: `tsx scripts/unused-exports.ts`, exit status 1 on a finding.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { sourceFiles } from './source-files';

export interface UnusedExport {
  readonly file: string;
  readonly line: number;
  readonly name: string;
}

/** Files whose exports are read by a tool, not by another file: Vite and Vitest configurations. */
const ENTRY_POINTS: readonly string[] = ['vitest.config.ts', 'client/vite.config.ts', 'tests/e2e/rawpeer/vite.config.ts'];

/**
 * Exports that no other file uses yet and stay, each with its reason. Keep this list short: an entry
 * is a debt, not a licence.
 */
const ALLOWED: readonly { file: string; name: string; why: string }[] = [];

const SOURCE_DIRS = ['client', 'crypto', 'protocol', 'server', 'scripts', 'tests', 'bench'];
function sources(root: string, pattern: RegExp): string[] {
  return sourceFiles(root, SOURCE_DIRS, pattern);
}

/** True for identifiers that only re-export (`export { x } from`, `export { x }`): not a use. */
function inReExport(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n !== undefined; n = n.parent) {
    if (ts.isExportSpecifier(n) || ts.isExportDeclaration(n)) return true;
    if (ts.isStatement(n)) return false;
  }
  return false;
}

export function findUnusedExports(root: string, options: { entryPoints?: readonly string[]; allowed?: readonly { file: string; name: string }[] } = {}): UnusedExport[] {
  const entryPoints = new Set((options.entryPoints ?? ENTRY_POINTS).map((p) => resolve(root, p)));
  const allowed = new Set((options.allowed ?? ALLOWED).map((a) => `${a.file}:${a.name}`));
  const files = sources(root, /\.ts$/).filter((f) => !f.endsWith('.d.ts'));
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const program = ts.createProgram(files, compilerOptions);
  const checker = program.getTypeChecker();
  const own = new Set(files);
  /** Declarations named from a file other than their own. */
  const used = new Set<ts.Symbol>();

  const resolveAlias = (symbol: ts.Symbol): ts.Symbol => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const mark = (symbol: ts.Symbol | undefined, fromFile: string): void => {
    if (symbol === undefined) return;
    const target = resolveAlias(symbol);
    if (target.declarations?.some((d) => d.getSourceFile().fileName !== fromFile)) used.add(target);
    // An exported symbol named through a local alias (`import { x as y }`) is the same declaration.
    if (symbol !== target && symbol.declarations?.some((d) => d.getSourceFile().fileName !== fromFile)) used.add(symbol);
  };

  for (const sf of program.getSourceFiles()) {
    if (!own.has(sf.fileName)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && !inReExport(node)) mark(checker.getSymbolAtLocation(node), sf.fileName);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }

  // Svelte components: what their script blocks import by name counts as used.
  const moduleSymbolOf = (file: string): ts.Symbol | undefined => {
    const sf = program.getSourceFile(file);
    return sf === undefined ? undefined : checker.getSymbolAtLocation(sf);
  };
  for (const component of sources(root, /\.svelte$/)) {
    const source = readFileSync(component, 'utf8');
    for (const block of source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
      const sf = ts.createSourceFile(component, block[1] ?? '', ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      for (const statement of sf.statements) {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const resolved = ts.resolveModuleName(statement.moduleSpecifier.text, component, compilerOptions, ts.sys).resolvedModule;
        const module = resolved === undefined ? undefined : moduleSymbolOf(resolve(resolved.resolvedFileName));
        if (module === undefined) continue;
        const exports = checker.getExportsOfModule(module);
        const bindings = statement.importClause?.namedBindings;
        if (bindings !== undefined && ts.isNamespaceImport(bindings)) for (const e of exports) mark(e, component);
        else if (bindings !== undefined) {
          for (const element of bindings.elements) mark(exports.find((e) => e.name === (element.propertyName ?? element.name).text), component);
        }
        if (statement.importClause?.name !== undefined) mark(exports.find((e) => e.name === 'default'), component);
      }
    }
  }

  const findings: UnusedExport[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!own.has(sf.fileName) || entryPoints.has(sf.fileName)) continue;
    const module = checker.getSymbolAtLocation(sf);
    if (module === undefined) continue;
    for (const symbol of checker.getExportsOfModule(module)) {
      if (symbol.flags & ts.SymbolFlags.Alias) continue; // a re-export: its target is checked in its own file
      // Types (interfaces, type aliases) that name a parameter or result of an exported function
      // are part of its contract even when no caller spells them out: only values are checked.
      if (!(symbol.flags & ts.SymbolFlags.Value)) continue;
      const declaration = symbol.declarations?.find((d) => d.getSourceFile() === sf);
      if (declaration === undefined || used.has(symbol)) continue;
      const file = relative(root, sf.fileName);
      if (allowed.has(`${file}:${symbol.name}`)) continue;
      const line = sf.getLineAndCharacterOfPosition(declaration.getStart(sf)).line + 1;
      findings.push({ file, line, name: symbol.name });
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const root = join(dirname(import.meta.filename), '..');
  const findings = findUnusedExports(root);
  for (const f of findings) console.error(`${f.file}:${f.line}: export '${f.name}' is used by no other file`);
  if (findings.length > 0) console.error(`${findings.length} unused exports: delete them, or drop the export keyword if only their own file uses them`);
  process.exit(findings.length === 0 ? 0 : 1);
}
