'use strict';
// Checks beyond the scope assertions of test/*.test.dln:
// - every built-in name that docs/LANGUAGE.md lists (layers, activations, train settings, losses,
//   optimizers, schedules, ...) gets its scope from the grammar, and the grammar's lists name
//   nothing the reference does not, so a new layer or setting cannot be forgotten here;
// - package.json, the grammar and the language configuration fit together.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const ROOT = path.join(__dirname, '..');
const DOCS = path.join(ROOT, '..', '..', 'docs', 'LANGUAGE.md');
const GRAMMAR_FILE = path.join(ROOT, 'syntaxes', 'dln.tmLanguage.json');
const grammarJson = JSON.parse(fs.readFileSync(GRAMMAR_FILE, 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let grammar;
test.before(async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
        onigLib: Promise.resolve({
            createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
            createOnigString: (s) => new oniguruma.OnigString(s),
        }),
        loadGrammar: async (scopeName) => (scopeName === 'source.dln'
            ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_FILE, 'utf8'), GRAMMAR_FILE) : null),
    });
    grammar = await registry.loadGrammar('source.dln');
});

/** The scopes of the token that begins at the first `|` of `text` (the marker is removed first). */
function scopesAt(text) {
    const at = text.indexOf('|');
    const lines = text.slice(0, at).split('\n');
    const row = lines.length - 1;
    const col = lines[row].length;
    let stack = vsctm.INITIAL;
    const all = text.replace('|', '').split('\n');
    for (let i = 0; i <= row; i++) {
        const r = grammar.tokenizeLine(all[i], stack);
        stack = r.ruleStack;
        if (i === row) return r.tokens.find((t) => t.startIndex <= col && col < t.endIndex).scopes;
    }
    throw new Error('unreachable');
}

function assertScope(text, scope) {
    const scopes = scopesAt(text);
    assert.ok(scopes.includes(scope), `${JSON.stringify(text)}: expected ${scope}, got ${scopes.join(' ')}`);
}

// ---- what docs/LANGUAGE.md lists --------------------------------------------------------------

const docs = fs.readFileSync(DOCS, 'utf8');

/** The text under the heading that starts with `prefix`, up to the next heading of its level or above. */
/** The heading line that matches {@code pattern}: sections are found by title, not by number. */
function heading(pattern) {
    const line = docs.split('\n').find((l) => pattern.test(l));
    assert.ok(line, `docs/LANGUAGE.md has no heading matching ${pattern}`);
    return line;
}

function section(prefix) {
    const lines = docs.split('\n');
    const start = lines.findIndex((l) => l.startsWith(prefix));
    assert.ok(start >= 0, `docs/LANGUAGE.md has no heading starting with "${prefix}"`);
    const level = prefix.match(/^#+/)[0].length;
    const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.match(/^#+/)[0].length <= level);
    return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

const ticked = (s) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const callName = (s) => s.match(/^[A-Za-z_][A-Za-z0-9_]*/)[0];
const unique = (xs) => [...new Set(xs)];

/** The cells of each row of the markdown tables in `text` (headers too; they have no backticks). */
function rows(text) {
    return text.split('\n')
        .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l))
        .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

/** The first-column names (backticked, up to any `(`) of the tables in `text`. */
function firstColumn(text) {
    return unique(rows(text).flatMap((cells) => ticked(cells[0])).map(callName));
}

/** The second cell of the table row whose first cell is `key` (backticked). */
function rowValue(text, key) {
    const row = rows(text).find((cells) => cells[0] === `\`${key}\``);
    assert.ok(row, `no table row \`${key}\``);
    return row[1];
}

const settings = section(heading(/^### 7\.\d+ Settings$/));
const DOCUMENTED = {
    layers: unique(section('## 5.').split('\n')
        .filter((l) => /^### 5\.\d+[a-z]? .*`/.test(l))
        .flatMap(ticked)
        .flatMap((name) => {
            const m = name.match(/^([a-z_]+)1d\/2d\/3d$/); // `maxpool1d/2d/3d`
            return m ? [1, 2, 3].map((d) => `${m[1]}${d}d`) : [name];
        })),
    activations: firstColumn(section(heading(/^### 5\.\d+ Activations$/))),
    keys: firstColumn(settings),
    losses: ticked(rowValue(settings, 'loss')).filter((s) => /^[a-z_]+$/.test(s)), // not the labelled example `y: ...`
    metrics: ticked(rowValue(settings, 'metrics')),
    regularizers: unique(ticked(rowValue(settings, 'regularize')).flatMap((s) => s.split(/,\s*/)).map(callName)),
    dataSources: firstColumn(section(heading(/^### 7\.\d+ Data sources/))),
    optimizers: firstColumn(section(heading(/^### 7\.\d+ Optimizers$/))),
    schedules: firstColumn(section(heading(/^### 7\.\d+ Schedules$/))),
    augmentations: firstColumn(section(heading(/^### 7\.\d+ Augmentations/))),
    axes: ticked(rows(section(heading(/^### 7\.\d+ Augmentations/))).find((cells) => cells[0].startsWith('`flip'))[1]),
    initializers: unique(ticked(rows(section('### 4.3')).find((cells) => cells[0] === 'initializer')[1])
        .filter((s) => !s.endsWith(':')).map(callName)), // not the argument labels `std:`/`limit:`
};

test('docs/LANGUAGE.md still lists what this test reads from it', () => {
    const expectAtLeast = { layers: 21, activations: 9, keys: 17, losses: 5, metrics: 4, regularizers: 2,
        dataSources: 4, optimizers: 5, schedules: 4, augmentations: 3, axes: 2, initializers: 6 };
    for (const [kind, n] of Object.entries(expectAtLeast)) {
        assert.ok(DOCUMENTED[kind].length >= n, `${kind}: read only ${JSON.stringify(DOCUMENTED[kind])}`);
        for (const name of DOCUMENTED[kind]) assert.match(name, /^[a-z_][a-z0-9_]*$/, `${kind}: ${name}`);
    }
});

// ---- every documented name gets its scope -----------------------------------------------------

const model = (expr) => `model M {\n    input x: [1]\n    y = ${expr}\n}`;
const train = (setting) => `train M {\n    ${setting}\n}`;

test('every layer and activation is scoped, after -> and in call form', () => {
    for (const name of DOCUMENTED.layers) {
        assertScope(model(`x -> |${name}`), 'support.function.layer.dln');
        assertScope(model(`|${name}(x)`), 'support.function.layer.dln');
    }
    for (const name of DOCUMENTED.activations) {
        assertScope(model(`x -> |${name}`), 'support.function.activation.dln');
        assertScope(model(`|${name}(x)`), 'support.function.activation.dln');
    }
});

test('every train setting key is scoped at the start of its line, even with its value on the next', () => {
    for (const key of DOCUMENTED.keys) {
        assertScope(train(`|${key} 1`), 'support.type.property-name.setting.dln');
        // Only the known keys are recognized without a value on the same line.
        assertScope(`train M {\n    |${key}\n        1\n}`, 'support.type.property-name.setting.dln');
    }
    const scopes = scopesAt(`train M {\n    |learning_rate\n        1\n}`);
    assert.ok(!scopes.includes('support.type.property-name.setting.dln'), 'an unknown key alone is not a key');
});

test('every loss, optimizer, schedule, regularizer, data source, augmentation, metric and initializer is scoped', () => {
    const cases = [
        ['loss', DOCUMENTED.losses, 'support.constant.loss.dln'],
        ['optimizer', DOCUMENTED.optimizers, 'support.function.optimizer.dln'],
        ['schedule', DOCUMENTED.schedules, 'support.function.schedule.dln'],
        ['regularize', DOCUMENTED.regularizers, 'support.function.regularizer.dln'],
        ['data', DOCUMENTED.dataSources, 'support.function.data-source.dln'],
        ['test', DOCUMENTED.dataSources, 'support.function.data-source.dln'],
        ['augment', DOCUMENTED.augmentations, 'support.function.augmentation.dln'],
        ['metrics', DOCUMENTED.metrics, 'support.constant.metric.dln'],
        ['init', DOCUMENTED.initializers, 'support.function.initializer.dln'],
    ];
    for (const [key, names, scope] of cases) {
        for (const name of names) {
            assertScope(train(`${key} |${name}`), scope);
            assertScope(train(`${key} a, |${name}(1)`), scope);
        }
    }
    for (const axis of DOCUMENTED.axes) assertScope(train(`augment flip(|${axis})`), 'support.constant.axis.dln');
    for (const metric of DOCUMENTED.metrics) {
        assertScope(train(`early_stop monitor: |${metric}`), 'support.constant.metric.dln');
        assertScope(train(`early_stop monitor: |val_${metric}`), 'support.constant.metric.dln');
    }
    for (const name of DOCUMENTED.initializers) {
        assertScope(model(`x -> dense(1, init: |${name})`), 'support.function.initializer.dln');
    }
});

// ---- and the grammar names nothing else -------------------------------------------------------

/** Every rule of the grammar, recursively. */
function* rules(node) {
    if (Array.isArray(node)) for (const n of node) yield* rules(n);
    else if (node && typeof node === 'object') {
        yield node;
        for (const v of Object.values(node)) if (typeof v === 'object') yield* rules(v);
    }
}

/** The words of the last `(?:a|b|c)` or `(a|b|c)` group of a regex. */
function alternatives(regex) {
    const groups = [...regex.matchAll(/\((?:\?:)?([a-z0-9_|]+)\)/g)];
    return groups.length ? groups[groups.length - 1][1].split('|') : [];
}

function grammarWords(scope) {
    return unique([...rules(grammarJson)].filter((r) => r.name === scope && r.match).flatMap((r) => alternatives(r.match)));
}

test('the grammar lists exactly the documented built-ins', () => {
    const same = (actual, expected, what) => assert.deepEqual([...actual].sort(), [...expected].sort(), what);
    same(grammarWords('support.function.layer.dln'), DOCUMENTED.layers, 'layers');
    same(grammarWords('support.function.activation.dln'), DOCUMENTED.activations, 'activations');
    same(grammarWords('support.constant.loss.dln'), DOCUMENTED.losses, 'losses');
    same(grammarWords('support.function.optimizer.dln'), DOCUMENTED.optimizers, 'optimizers');
    same(grammarWords('support.function.schedule.dln'), DOCUMENTED.schedules, 'schedules');
    same(grammarWords('support.function.regularizer.dln'), DOCUMENTED.regularizers, 'regularizers');
    same(grammarWords('support.function.data-source.dln'), DOCUMENTED.dataSources, 'data sources');
    same(grammarWords('support.function.augmentation.dln'), DOCUMENTED.augmentations, 'augmentations');
    same(grammarWords('support.constant.axis.dln'), DOCUMENTED.axes, 'axes');
    same(grammarWords('support.constant.metric.dln'), DOCUMENTED.metrics, 'metrics');
    same(grammarWords('support.function.initializer.dln'), DOCUMENTED.initializers, 'initializers');
    // The keys: those that open a setting, and those that end the setting before them.
    const settingRules = [...rules(grammarJson)].filter((r) => /^meta\.setting\./.test(r.name || '') && r.begin);
    same(unique(settingRules.flatMap((r) => alternatives(r.begin))), DOCUMENTED.keys, 'setting keys');
    for (const r of settingRules) {
        const ends = r.end.match(/\(\?:((?:[a-z_]+\|)+[a-z_]+)\)/);
        assert.ok(ends, `no key list in the end of ${r.name}`);
        same(ends[1].split('|'), DOCUMENTED.keys, `keys that end ${r.name}`);
    }
});

// ---- package.json and the language configuration ----------------------------------------------

test('package.json contributes the language, its configuration and the grammar', () => {
    const [lang] = pkg.contributes.languages;
    assert.equal(lang.id, 'dln');
    assert.deepEqual(lang.extensions, ['.dln']);
    assert.ok(fs.existsSync(path.join(ROOT, lang.configuration)));
    const [g] = pkg.contributes.grammars;
    assert.equal(g.language, 'dln');
    assert.equal(g.scopeName, 'source.dln');
    assert.equal(grammarJson.scopeName, 'source.dln');
    assert.ok(fs.existsSync(path.join(ROOT, g.path)));
    assert.ok(fs.existsSync(path.join(ROOT, pkg.main)));
});

test('the language configuration: comments, pairs, folding markers and indentation', () => {
    const conf = JSON.parse(fs.readFileSync(path.join(ROOT, 'language-configuration.json'), 'utf8'));
    assert.equal(conf.comments.lineComment, '//');
    assert.deepEqual(conf.comments.blockComment, ['/*', '*/']);
    for (const pair of [['{', '}'], ['[', ']'], ['(', ')']]) {
        assert.ok(conf.brackets.some((b) => b[0] === pair[0] && b[1] === pair[1]), `bracket ${pair}`);
        assert.ok(conf.surroundingPairs.some((b) => b[0] === pair[0] && b[1] === pair[1]), `surrounding ${pair}`);
        assert.ok(conf.autoClosingPairs.some((b) => b.open === pair[0] && b.close === pair[1]), `auto-closing ${pair}`);
    }
    assert.ok(conf.autoClosingPairs.some((b) => b.open === '"' && b.notIn.includes('string')));

    const start = new RegExp(conf.folding.markers.start);
    const end = new RegExp(conf.folding.markers.end);
    assert.ok(start.test('    // region layers') && start.test('//#region'));
    assert.ok(end.test('    // endregion') && end.test('//#endregion'));
    assert.ok(!start.test('    // regional settings') && !end.test('x = y // endregion'));

    const increase = new RegExp(conf.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(conf.indentationRules.decreaseIndentPattern);
    for (const line of ['model Digits {', 'train Digits {  // settings', 'block r(x,', '    data idx(images: "a.gz",',
        '    input x: [']) {
        assert.ok(increase.test(line), `indents after ${JSON.stringify(line)}`);
    }
    for (const line of ['    h = x -> relu', 'model M { input x: [1] }', '// a comment {', '    output y = f(x)']) {
        assert.ok(!increase.test(line), `does not indent after ${JSON.stringify(line)}`);
    }
    for (const line of ['}', '    }', '  )', ']']) assert.ok(decrease.test(line), `outdents ${JSON.stringify(line)}`);
    assert.ok(!decrease.test('    x = y'));

    const word = new RegExp(conf.wordPattern, 'g');
    assert.deepEqual('h = x -> leaky_relu(0.1) * 1e-3'.match(word), ['h', 'x', 'leaky_relu', '0.1', '1e-3']);
});
