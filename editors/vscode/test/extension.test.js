'use strict';
// The extension's client side, headless: `vscode` and `vscode-languageclient/node` are replaced by
// recording fakes, so these tests check what extension.js asks of them (which command it starts,
// which warnings it shows) without an editor. The last test talks to the real server jar when a
// build has made one.

const test = require('node:test');
const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

const EXTENSION = path.join(__dirname, '..', 'extension.js');
const SERVER_JAR = path.join(__dirname, '..', '..', '..', 'lsp', 'target', 'dln-lsp.jar');

// ---- fakes ------------------------------------------------------------------------------------

let fakes = {}; // module name -> fake, consulted by the require hook below
const realLoad = Module._load;
Module._load = function (request, parent, isMain) {
    if (Object.prototype.hasOwnProperty.call(fakes, request)) return fakes[request];
    return realLoad.call(this, request, parent, isMain);
};

/** A fresh fake world: settings, workspace folders, and records of what the extension did. */
function world({ settings = {}, folders = [], clientFails = false } = {}) {
    const w = { warnings: [], errors: [], clients: [], commands: {}, configListeners: [], settings };
    const disposable = { dispose() {} };
    fakes = {
        vscode: {
            window: {
                showWarningMessage: (m) => { w.warnings.push(m); return Promise.resolve(undefined); },
                showErrorMessage: (m) => { w.errors.push(m); return Promise.resolve(undefined); },
                showInformationMessage: () => Promise.resolve(undefined),
            },
            workspace: {
                getConfiguration: (section) => ({
                    get: (key, dflt) => (w.settings[`${section}.${key}`] !== undefined ? w.settings[`${section}.${key}`] : dflt),
                }),
                createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
                onDidChangeConfiguration: (listener) => { w.configListeners.push(listener); return disposable; },
                workspaceFolders: folders.map((f) => ({ uri: { fsPath: f } })),
            },
            commands: {
                registerCommand: (id, fn) => { w.commands[id] = fn; return disposable; },
            },
        },
        'vscode-languageclient/node': {
            TransportKind: { stdio: 0, ipc: 1 },
            LanguageClient: class {
                constructor(id, name, serverOptions, clientOptions) {
                    Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
                    w.clients.push(this);
                }
                async start() {
                    if (clientFails) throw new Error('spawn failed');
                    this.started = true;
                }
                async stop() { this.stopped = true; }
            },
        },
    };
    delete require.cache[EXTENSION];
    w.extension = require(EXTENSION);
    return w;
}

function tempDir() {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'dln-ext-'));
}

/** A directory holding an executable `java` that does nothing. */
function fakeJavaDir() {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'java'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    return dir;
}

/** An extension folder, with server/dln-lsp.jar when `bundled`. */
function extensionDir(bundled) {
    const dir = tempDir();
    if (bundled) {
        fs.mkdirSync(path.join(dir, 'server'));
        fs.writeFileSync(path.join(dir, 'server', 'dln-lsp.jar'), '');
    }
    return dir;
}

function context(extensionPath) {
    return { extensionPath, subscriptions: [], asAbsolutePath: (p) => path.join(extensionPath, p) };
}

/** Runs `fn` with PATH and JAVA_HOME set as given (undefined: unset), restoring them afterwards. */
async function withEnv(env, fn) {
    const saved = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME };
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    try {
        return await fn();
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

test.after(() => { Module._load = realLoad; });

// ---- tests ------------------------------------------------------------------------------------

test('without Java: one warning, no server, and activation still succeeds', async () => {
    await withEnv({ PATH: tempDir(), JAVA_HOME: undefined }, async () => {
        const w = world();
        const ctx = context(extensionDir(true));
        await w.extension.activate(ctx);
        assert.equal(w.clients.length, 0);
        assert.equal(w.warnings.length, 1);
        assert.match(w.warnings[0], /Java was not found/);
        assert.match(w.warnings[0], /highlighting still works/);
        // Activating again in the same session (a second window's worth of events) warns no more.
        await w.extension.activate(ctx);
        assert.equal(w.warnings.length, 1);
        assert.equal(w.errors.length, 0);
        assert.ok(w.commands['dln.restartServer'], 'the restart command is registered even without Java');
    });
});

test('with Java on the PATH and the bundled jar: starts `java -jar server/dln-lsp.jar` over stdio', async () => {
    const javaDir = fakeJavaDir();
    await withEnv({ PATH: javaDir, JAVA_HOME: undefined }, async () => {
        const w = world();
        const ext = extensionDir(true);
        await w.extension.activate(context(ext));
        assert.deepEqual(w.warnings, []);
        assert.equal(w.clients.length, 1);
        const c = w.clients[0];
        assert.equal(c.id, 'dln'); // so that the dln.trace.server setting applies
        assert.equal(c.serverOptions.command, path.join(javaDir, 'java'));
        assert.deepEqual(c.serverOptions.args, ['-jar', path.join(ext, 'server', 'dln-lsp.jar')]);
        assert.equal(c.serverOptions.transport, 0); // TransportKind.stdio
        assert.deepEqual(c.clientOptions.documentSelector.map((s) => s.language), ['dln', 'dln']);
        assert.equal(c.clientOptions.synchronize.fileEvents.glob, '**/*.dln');
        assert.ok(c.started);
        await w.extension.deactivate();
        assert.ok(c.stopped);
    });
});

test('JAVA_HOME comes before the PATH, and dln.server.java before both', async () => {
    const pathJava = fakeJavaDir();
    const home = tempDir();
    fs.mkdirSync(path.join(home, 'bin'));
    fs.writeFileSync(path.join(home, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
    const configured = path.join(fakeJavaDir(), 'java');
    await withEnv({ PATH: pathJava, JAVA_HOME: home }, async () => {
        let w = world();
        await w.extension.activate(context(extensionDir(true)));
        assert.equal(w.clients[0].serverOptions.command, path.join(home, 'bin', 'java'));

        w = world({ settings: { 'dln.server.java': configured } });
        await w.extension.activate(context(extensionDir(true)));
        assert.equal(w.clients[0].serverOptions.command, configured);
    });
    // A JAVA_HOME without bin/java is passed over.
    await withEnv({ PATH: pathJava, JAVA_HOME: tempDir() }, async () => {
        const w = world();
        await w.extension.activate(context(extensionDir(true)));
        assert.equal(w.clients[0].serverOptions.command, path.join(pathJava, 'java'));
    });
});

test('a dln.server.java that is not executable counts as no Java', async () => {
    const notExecutable = path.join(tempDir(), 'java');
    fs.writeFileSync(notExecutable, '', { mode: 0o644 });
    await withEnv({ PATH: fakeJavaDir(), JAVA_HOME: undefined }, async () => {
        const w = world({ settings: { 'dln.server.java': notExecutable } });
        await w.extension.activate(context(extensionDir(true)));
        assert.equal(w.clients.length, 0);
        assert.equal(w.warnings.length, 1);
        assert.match(w.warnings[0], /Java was not found/);
    });
});

test('dln.server.jar overrides the bundled jar; ${workspaceFolder} and relative paths use the workspace', async () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'lsp', 'target'), { recursive: true });
    const jar = path.join(root, 'lsp', 'target', 'dln-lsp.jar');
    fs.writeFileSync(jar, '');
    await withEnv({ PATH: fakeJavaDir(), JAVA_HOME: undefined }, async () => {
        for (const setting of [jar, '${workspaceFolder}/lsp/target/dln-lsp.jar', 'lsp/target/dln-lsp.jar']) {
            const w = world({ settings: { 'dln.server.jar': setting }, folders: [root] });
            await w.extension.activate(context(extensionDir(true)));
            assert.deepEqual(w.warnings, [], setting);
            assert.deepEqual(w.clients[0].serverOptions.args, ['-jar', jar], setting);
        }
    });
});

test('a missing jar: one warning that names it, no server', async () => {
    await withEnv({ PATH: fakeJavaDir(), JAVA_HOME: undefined }, async () => {
        const missing = path.join(tempDir(), 'nope.jar');
        let w = world({ settings: { 'dln.server.jar': missing } });
        await w.extension.activate(context(extensionDir(true)));
        assert.equal(w.clients.length, 0);
        assert.equal(w.warnings.length, 1);
        assert.ok(w.warnings[0].includes(missing), w.warnings[0]);

        // No setting and nothing bundled: the warning says how to get a server.
        w = world();
        await w.extension.activate(context(extensionDir(false)));
        assert.equal(w.clients.length, 0);
        assert.equal(w.warnings.length, 1);
        assert.match(w.warnings[0], /dln\.server\.jar/);
    });
});

test('a server that fails to start is reported once as an error, not thrown', async () => {
    await withEnv({ PATH: fakeJavaDir(), JAVA_HOME: undefined }, async () => {
        const w = world({ clientFails: true });
        await w.extension.activate(context(extensionDir(true)));
        assert.equal(w.errors.length, 1);
        assert.match(w.errors[0], /did not start: spawn failed/);
    });
});

test('the restart command and a change of dln.server.* settings restart the server', async () => {
    await withEnv({ PATH: fakeJavaDir(), JAVA_HOME: undefined }, async () => {
        const w = world();
        await w.extension.activate(context(extensionDir(true)));
        assert.equal(w.clients.length, 1);
        await w.commands['dln.restartServer']();
        assert.equal(w.clients.length, 2);
        assert.ok(w.clients[0].stopped);
        assert.ok(w.clients[1].started);

        for (const listener of w.configListeners) listener({ affectsConfiguration: (s) => s === 'dln.editor' });
        await new Promise((r) => setImmediate(r));
        assert.equal(w.clients.length, 2, 'other settings do not restart it');
        for (const listener of w.configListeners) listener({ affectsConfiguration: (s) => s === 'dln.server' });
        await new Promise((r) => setImmediate(r));
        assert.equal(w.clients.length, 3);
        assert.ok(w.clients[1].stopped);
        await w.extension.deactivate();
    });
});

test('package.json declares the command and every setting that extension.js reads', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    const source = fs.readFileSync(EXTENSION, 'utf8');
    const declared = Object.keys(pkg.contributes.configuration.properties);
    for (const [, key] of source.matchAll(/config\.get\('([^']+)'/g)) {
        assert.ok(declared.includes(`dln.${key}`), `dln.${key} is not in contributes.configuration`);
    }
    for (const [, id] of source.matchAll(/registerCommand\('([^']+)'/g)) {
        assert.ok(pkg.contributes.commands.some((c) => c.command === id), `${id} is not in contributes.commands`);
    }
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('dln.server.jar'));
    assert.equal(pkg.main, './extension.js');
    assert.ok(pkg.activationEvents.includes('onLanguage:dln'));
});

test('the vscode-languageclient dependency provides the Node client that extension.js loads', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    assert.ok(pkg.dependencies['vscode-languageclient']);
    const resolved = require.resolve('vscode-languageclient/node', { paths: [path.join(__dirname, '..')] });
    assert.ok(fs.existsSync(resolved));
    const clientPkg = require(path.join(path.dirname(require.resolve('vscode-languageclient/package.json',
        { paths: [path.join(__dirname, '..')] })), 'package.json'));
    // The client's own engine requirement must not exceed what this extension declares.
    const need = (v) => v.replace(/^\^/, '').split('.').map(Number);
    const [cMaj, cMin] = need(clientPkg.engines.vscode);
    const [eMaj, eMin] = need(pkg.engines.vscode);
    assert.ok(eMaj > cMaj || (eMaj === cMaj && eMin >= cMin),
        `engines.vscode ${pkg.engines.vscode} is older than vscode-languageclient's ${clientPkg.engines.vscode}`);
});

// ---- the real server, when a build has made it ------------------------------------------------

/** One LSP message framed for stdio. */
function frame(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** Reads framed LSP messages from a stream, calling onMessage for each. */
function reader(stream, onMessage) {
    let buf = Buffer.alloc(0);
    stream.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
            const headerEnd = buf.indexOf('\r\n\r\n');
            if (headerEnd < 0) return;
            const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, headerEnd).toString('ascii'));
            const length = m ? Number(m[1]) : 0;
            if (buf.length < headerEnd + 4 + length) return;
            onMessage(JSON.parse(buf.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')));
            buf = buf.subarray(headerEnd + 4 + length);
        }
    });
}

const java = world().extension.findJava(''); // found as the extension finds it

test('the command the extension runs (`java -jar lsp/target/dln-lsp.jar`) speaks LSP over stdio', {
    skip: !fs.existsSync(SERVER_JAR) ? `no ${path.relative(process.cwd(), SERVER_JAR)} (build the lsp module)`
        : !java ? 'no java' : false,
    timeout: 60000,
}, async () => {
    const server = childProcess.spawn(java, ['-jar', SERVER_JAR], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr.on('data', (d) => { stderr += d; });
    const pending = new Map();
    const notifications = [];
    reader(server.stdout, (msg) => {
        if (msg.id !== undefined && pending.has(msg.id) && msg.method === undefined) {
            pending.get(msg.id)(msg);
            pending.delete(msg.id);
        } else if (msg.method !== undefined && msg.id !== undefined) {
            // A request from the server (configuration, registration, ...): answer it with null.
            server.stdin.write(frame({ id: msg.id, result: null }));
        } else {
            notifications.push(msg);
        }
    });
    let nextId = 1;
    const request = (method, params) => new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => reject(new Error(`no answer to ${method}; stderr: ${stderr}`)), 30000);
        pending.set(id, (msg) => { clearTimeout(timer); resolve(msg); });
        server.stdin.write(frame({ id, method, params }));
    });
    const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
    try {
        const init = await request('initialize', {
            processId: process.pid, rootUri: null, capabilities: {}, clientInfo: { name: 'dln-vscode-test' },
        });
        assert.equal(init.error, undefined, JSON.stringify(init.error));
        assert.ok(init.result && init.result.capabilities, 'initialize answers with capabilities');
        server.stdin.write(frame({ method: 'initialized', params: {} }));
        const shutdown = await request('shutdown', null);
        assert.equal(shutdown.error, undefined);
        server.stdin.write(frame({ method: 'exit', params: null }));
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 10000).unref())]);
        assert.equal(code, 0, `exit code after shutdown and exit; stderr: ${stderr}`);
    } finally {
        server.kill();
    }
});
