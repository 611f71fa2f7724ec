'use strict';
// The DLN extension. Highlighting, comments, brackets and folding come from package.json alone (the
// TextMate grammar and the language configuration); this file only starts the DLN language server,
// a runnable jar spoken to over stdio, when Java and the jar can be found. When either is missing
// it says so once and leaves the editor with highlighting only.

const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

const BUNDLED_JAR = path.join('server', 'dln-lsp.jar');

let client; // the running LanguageClient, if any
const warned = new Set(); // warnings already shown in this session

/** The file if it is an executable regular file, else undefined. */
function executable(file) {
    try {
        if (!fs.statSync(file).isFile()) return undefined;
        if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
        return file;
    } catch {
        return undefined;
    }
}

/** The first executable called `name` on the PATH of `env` (on Windows also with PATHEXT). */
function onPath(name, env) {
    const dirs = (env.PATH || env.Path || '').split(path.delimiter).filter(Boolean);
    const exts = process.platform === 'win32' && !path.extname(name)
        ? (env.PATHEXT || '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)
        : [''];
    for (const dir of dirs) {
        for (const ext of exts) {
            const found = executable(path.join(dir, name + ext));
            if (found) return found;
        }
    }
    return undefined;
}

/**
 * The Java executable: the `dln.server.java` setting (a path, or a command looked up on the PATH)
 * if given; else $JAVA_HOME/bin/java; else `java` on the PATH. Undefined when there is none.
 */
function findJava(setting, env = process.env) {
    if (setting) return setting.includes('/') || setting.includes('\\') ? executable(setting) : onPath(setting, env);
    const exe = process.platform === 'win32' ? 'java.exe' : 'java';
    return (env.JAVA_HOME && executable(path.join(env.JAVA_HOME, 'bin', exe))) || onPath(exe, env);
}

/**
 * The server jar: the `dln.server.jar` setting if given (`~` and `${workspaceFolder}` expanded, a
 * relative path taken from the first workspace folder), else the jar bundled in the extension.
 */
function findServerJar(setting, extensionPath, folders) {
    const root = folders && folders.length > 0 ? folders[0].uri.fsPath : undefined;
    if (!setting) {
        const bundled = path.join(extensionPath, BUNDLED_JAR);
        return { path: bundled, exists: fs.existsSync(bundled), configured: false };
    }
    let p = setting.replace(/^~(?=$|[\\/])/, os.homedir());
    if (root) p = p.replace(/\$\{workspaceFolder\}/g, root);
    if (!path.isAbsolute(p) && root) p = path.join(root, p);
    return { path: p, exists: fs.existsSync(p), configured: true };
}

function warnOnce(key, message) {
    if (warned.has(key)) return;
    warned.add(key);
    vscode.window.showWarningMessage(message);
}

/** Starts the language server if it can; never throws, so highlighting keeps working. */
async function start(context) {
    const config = vscode.workspace.getConfiguration('dln');
    const java = findJava(config.get('server.java', ''));
    if (!java) {
        warnOnce('java', 'DLN: Java was not found (set dln.server.java, JAVA_HOME or PATH), so the DLN language '
            + 'server is off. Syntax highlighting still works.');
        return;
    }
    const jar = findServerJar(config.get('server.jar', ''), context.extensionPath, vscode.workspace.workspaceFolders);
    if (!jar.exists) {
        warnOnce('jar', jar.configured
            ? `DLN: the language server jar ${jar.path} (setting dln.server.jar) does not exist, so the DLN `
                + 'language server is off. Syntax highlighting still works.'
            : 'DLN: this extension has no bundled language server (server/dln-lsp.jar); set dln.server.jar to '
                + 'lsp/target/dln-lsp.jar of a DLN build to enable it. Syntax highlighting still works.');
        return;
    }
    let lc;
    try {
        lc = require('vscode-languageclient/node');
    } catch (e) {
        warnOnce('client', 'DLN: vscode-languageclient is not installed (run `npm ci --omit=dev` in the '
            + 'extension folder), so the DLN language server is off. Syntax highlighting still works.');
        return;
    }
    const serverOptions = { command: java, args: ['-jar', jar.path], transport: lc.TransportKind.stdio };
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.dln');
    context.subscriptions.push(watcher);
    const clientOptions = {
        documentSelector: [{ scheme: 'file', language: 'dln' }, { scheme: 'untitled', language: 'dln' }],
        synchronize: { fileEvents: watcher }, // imported files change what a file means
        outputChannelName: 'DLN Language Server',
    };
    client = new lc.LanguageClient('dln', 'DLN Language Server', serverOptions, clientOptions);
    try {
        await client.start();
    } catch (e) {
        client = undefined;
        vscode.window.showErrorMessage(`DLN: the language server (${java} -jar ${jar.path}) did not start: `
            + (e && e.message ? e.message : e));
    }
}

async function stop() {
    const running = client;
    client = undefined;
    if (running) {
        try {
            await running.stop();
        } catch {
            // already gone
        }
    }
}

async function restart(context) {
    await stop();
    warned.clear(); // a restart asked for is answered, even with a warning seen before
    await start(context);
}

async function activate(context) {
    context.subscriptions.push(
        vscode.commands.registerCommand('dln.restartServer', () => restart(context)),
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration('dln.server')) restart(context);
        }),
    );
    await start(context);
}

function deactivate() {
    return stop();
}

module.exports = { activate, deactivate, findJava, findServerJar };
