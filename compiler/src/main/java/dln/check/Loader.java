package dln.check;

import dln.ast.Decl;
import dln.ast.Unit;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import dln.diag.Source;
import dln.parse.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a file and, depth first, every file it imports (paths relative to the importing file).
 * Guarantees: each file is parsed once; a missing file and an import cycle are reported at the
 * `import` that names them; the result lists the files in the order they were first read. An
 * import is read only if it names a regular `.dln` file inside the {@link SourceRoots}; nothing
 * outside them is opened, or even looked for.
 */
public final class Loader {
    private final Diagnostics diags;
    private final SourceRoots roots;
    private final Map<Path, Unit> units = new LinkedHashMap<>();
    private final Map<Unit, List<Unit>> imports = new LinkedHashMap<>();
    private final List<Path> reading = new ArrayList<>();

    public Loader(Diagnostics diags, SourceRoots roots) {
        this.diags = diags;
        this.roots = roots;
    }

    /** The files of one compilation: the main one first, and who imports whom. */
    public record Program(Unit main, List<Unit> units, Map<Unit, List<Unit>> imports) {}

    /** Loads {@code file}; returns null (after reporting) when the file itself cannot be read. */
    public Program load(Path file, String displayName) {
        Source source = read(file, displayName, null);
        if (source == null) return null;
        Unit main = parse(source);
        return new Program(main, List.copyOf(units.values()), imports);
    }

    /** Loads in-memory text, as editors and tests do; imports resolve against {@code path} if given. */
    public Program load(Source source) {
        Unit main = parse(source);
        return new Program(main, List.copyOf(units.values()), imports);
    }

    private Unit parse(Source source) {
        Path key = (source.path() == null ? Path.of(source.name()) : source.path()).toAbsolutePath().normalize();
        Unit unit = Parser.parse(source, diags);
        units.put(key, unit);
        reading.add(key);
        List<Unit> direct = new ArrayList<>();
        for (Decl.Import imp : unit.all(Decl.Import.class)) {
            Unit imported = resolve(source, key, imp);
            if (imported != null && !direct.contains(imported)) direct.add(imported);
        }
        reading.remove(reading.size() - 1);
        imports.put(unit, direct);
        return unit;
    }

    private Unit resolve(Source importer, Path importerKey, Decl.Import imp) {
        String target = imp.path().value();
        // Absolute, as the keys of `units` are: a file imported twice is then found the second time.
        Path base = importer.path() == null ? Path.of("").toAbsolutePath() : SourceRoots.folderOf(importer.path());
        Path file;
        try {
            file = base.resolve(target).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            diags.report(Diag.ImportNotFound, imp.path().span(), target, "not a valid path");
            return null;
        }
        if (file.getFileName() == null || !file.getFileName().toString().endsWith(".dln")) {
            diags.report(Diag.ImportNotAllowed, imp.path().span(), target, "only `.dln` files can be imported")
                 .help("name the .dln file that declares the blocks and constants you need");
            return null;
        }
        if (!roots.containsLexically(file)) {
            diags.report(Diag.ImportNotAllowed, imp.path().span(), target, "it is outside the project's source folders")
                 .help(outsideHelp());
            return null;
        }
        int cycleStart = reading.indexOf(file);
        if (cycleStart >= 0) {
            List<String> chain = new ArrayList<>();
            for (Path p : reading.subList(cycleStart, reading.size())) chain.add(p.getFileName().toString());
            chain.add(file.getFileName().toString());
            diags.report(Diag.ImportCycle, imp.path().span(), String.join(" -> ", chain))
                 .help("move what both files need into a third file that both import");
            return null;
        }
        if (units.containsKey(file)) return units.get(file);
        if (!Files.exists(file)) {
            diags.report(Diag.ImportNotFound, imp.path().span(), target, "looked for " + displayPath(importer, target))
                 .help("import paths are relative to the importing file");
            return null;
        }
        String display = displayPath(importer, target);
        try {
            if (!roots.containsReally(file)) {
                diags.report(Diag.ImportNotAllowed, imp.path().span(), target, "it is a link to a file outside the project's source folders")
                     .help(outsideHelp());
                return null;
            }
        } catch (IOException e) {
            diags.report(Diag.UnreadableFile, imp.path().span(), display, reason(e));
            return null;
        }
        Source source = read(file, display, imp.path().span());
        return source == null ? null : parse(source);
    }

    private String outsideHelp() {
        return "imports stay inside " + roots.describe() + "; " + roots.howToAdd();
    }

    private static String displayPath(Source importer, String target) {
        Path dir = Path.of(importer.name()).getParent();
        return (dir == null ? Path.of(target) : dir.resolve(target)).normalize().toString();
    }

    /** Files larger than this are not read: no network description is that long, and reading it could exhaust memory. */
    static final int MAX_BYTES = 16 << 20;

    /**
     * Reads UTF-8 text; malformed bytes become U+FFFD, which the lexer then reports. A failure is
     * reported at {@code importedAt}, or at the start of the file itself when it is the main file.
     */
    private Source read(Path file, String displayName, dln.diag.Span importedAt) {
        try {
            if (Files.isDirectory(file)) throw new Unreadable("it is a directory, not a file");
            if (importedAt != null && !Files.isRegularFile(file)) {
                throw new Unreadable("it is a device, a pipe or a socket, not a regular file");
            }
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes(file))).toString();
            if (text.startsWith("\uFEFF")) text = " " + text.substring(1);
            return new Source(displayName, file, text);
        } catch (IOException e) {
            dln.diag.Span at = importedAt != null ? importedAt : new dln.diag.Span(new Source(displayName, file, ""), 0, 0);
            diags.report(Diag.UnreadableFile, at, displayName, reason(e));
            return null;
        }
    }

    /** The file's bytes, read up to {@link #MAX_BYTES}: devices such as /dev/zero never end. */
    private static byte[] bytes(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) throw new Unreadable("it is larger than " + (MAX_BYTES >> 20) + " MiB");
            return bytes;
        }
    }

    /** A file that can be opened but not used as a source file; the message says why. */
    private static final class Unreadable extends IOException {
        Unreadable(String reason) { super(reason); }
    }

    static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
